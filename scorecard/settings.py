"""Settings, read from the environment once, in one place.

Every path is relative to the project root unless an environment variable says otherwise, so a fresh clone works
as it is and a deployment can move each piece.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(env: str, default: str) -> Path:
    value = os.environ.get(env)
    path = Path(value) if value else PROJECT_ROOT / default
    return path.resolve()


@dataclass(frozen=True)
class Settings:
    """What a run needs to know about where things are."""

    warehouse_url: str | None
    embedded_dir: Path
    landing_dir: Path
    reports_dir: Path
    dbt_project_dir: Path
    expectations_dir: Path
    contracts_dir: Path
    la_code: str
    keep_publications: int
    publish_lock_timeout: str
    commentary_dir: Path = PROJECT_ROOT / "commentary"
    load_workers: int = 2

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            warehouse_url=os.environ.get("WAREHOUSE_URL") or None,
            embedded_dir=_path("SCORECARD_EMBEDDED_DIR", ".warehouse"),
            landing_dir=_path("SCORECARD_LANDING_DIR", ".demo/landing"),
            reports_dir=_path("SCORECARD_REPORTS_DIR", "reports"),
            dbt_project_dir=_path("SCORECARD_DBT_PROJECT_DIR", "dbt_project"),
            expectations_dir=_path("SCORECARD_EXPECTATIONS_DIR", "expectations"),
            contracts_dir=_path("SCORECARD_CONTRACTS_DIR", "loaders/contracts"),
            la_code=os.environ.get("SCORECARD_LA_CODE", "895"),
            keep_publications=int(os.environ.get("SCORECARD_KEEP_PUBLICATIONS", "3")),
            publish_lock_timeout=os.environ.get("SCORECARD_PUBLISH_LOCK_TIMEOUT", "10s"),
            commentary_dir=_path("SCORECARD_COMMENTARY_DIR", "commentary"),
            load_workers=max(1, int(os.environ.get("SCORECARD_LOAD_WORKERS", "2"))),
        )


def get_settings() -> Settings:
    return Settings.from_env()
