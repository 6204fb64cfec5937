"""dbt's documentation site for the published marts: every model, column description, test and the lineage from
the sources, as one static page analysts can open from disk (``reports/dbt_docs/index.html``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from scorecard import dbt
from scorecard.publish import PUBLISHED
from scorecard.settings import Settings
from scorecard.warehouse import Warehouse

ARTEFACTS = ("manifest.json", "catalog.json")
DOCS = "docs"  # dbt's target folder for the docs: their vars (the published schema) are not a build's


def docs_dir(settings: Settings) -> Path:
    return settings.reports_dir / "dbt_docs"


def generate_dbt_docs(wh: Warehouse, settings: Settings) -> Path:
    """``dbt docs generate`` against the published ``marts`` schema; returns the page's path.

    Takes the build lock, so it never compiles the project while a build is using the same target folder."""
    with wh.connect(autocommit=True, application_name="scorecard-docs") as lock:
        lock.execute("select pg_advisory_lock(hashtext('scorecard:build'))")
        try:
            dbt.run_dbt(wh, settings.dbt_project_dir, ["docs", "generate", "--static"],
                        {"marts_schema": PUBLISHED, "la_code": settings.la_code}, purpose=DOCS)
        finally:
            lock.execute("select pg_advisory_unlock(hashtext('scorecard:build'))")
    target = dbt.target_dir(settings.dbt_project_dir, wh, DOCS)
    out = docs_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target / "static_index.html", out / "index.html")
    for name in ARTEFACTS:
        shutil.copyfile(target / name, out / name)
    return out / "index.html"
