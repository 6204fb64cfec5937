# One image for every Airflow component and the `scorecard` command, built from the committed lock file.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 AIRFLOW_HOME=/opt/airflow
RUN useradd --create-home --uid 50000 airflow && mkdir -p /opt/airflow /opt/scorecard && chown airflow /opt/airflow
WORKDIR /opt/scorecard
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir uv==0.13.8 && uv pip sync --system requirements.lock
COPY . .
RUN uv pip install --system --no-deps -e . && chown -R airflow /opt/scorecard
USER airflow
