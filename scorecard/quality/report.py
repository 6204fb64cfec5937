"""The readable quality report: one HTML page per run, failed checks by source file and by data owner.

A run's checks arrive in several calls (one per council's delivery, then the mart gate), possibly from different
processes (Airflow tasks), so each call adds its results to ``quality_<run>.json`` beside the page and the page is
drawn again from everything the run has checked so far. The page names, for every failed check, the file, the check
(its DfE rule code where it has one), the number of failing rows, the data owner and what to do next; samples never
hold identifiers (they were scrubbed before they got here).
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
from collections import defaultdict
from pathlib import Path

from scorecard.quality.gate import CheckResult

NEXT_STEP = {
    ("staging", "error"): "Ask the data owner for a corrected extract, drop it in the landing folder and run the load "
                          "again. Until then the council's previous good data stays in use.",
    ("staging", "warning"): "Loaded as it is. Ask the data owner to check these rows and correct them in the source "
                            "system before the next extract.",
    ("marts", "error"): "A measure's logic or its inputs produced an implausible result. Check the model named in the "
                        "check and the inputs it reads; the published scorecard is unchanged until a build passes.",
    ("marts", "warning"): "Published as it is. Check the measure's logic or inputs before the next build.",
}
NEXT_BY_KIND = {
    "ROW_COUNT": "Ask the data owner whether the change in size is real (a new system, a changed filter, a partial "
                 "extract). If it is, no action is needed; if not, ask for a full extract.",
    "FRESHNESS": "The file holds older data than the one loaded before it. Check the extract date with the data "
                 "owner; an out-of-date file should be replaced by the current one.",
    "REF_": "Rows refer to records missing from a related file. Deliver the related files from the same extract run, "
            "together, and load again.",
}


def next_step(result: CheckResult) -> str:
    if result.next_step:
        return result.next_step
    code = result.code or ""
    for prefix, text in NEXT_BY_KIND.items():
        if code.startswith(prefix):
            return text
    return NEXT_STEP.get((result.stage, result.severity), "")


def _key(r: CheckResult) -> str:
    return json.dumps([r.stage, r.suite, r.table, r.batch_id, r.file_name, r.expectation, r.code, r.kwargs],
                      sort_keys=True, default=str)


def _merged(results: list[CheckResult], store: Path) -> list[CheckResult]:
    """This call's results added to those already recorded for the run (a re-check replaces its earlier result)."""
    known: dict[str, CheckResult] = {}
    if store.exists():
        for raw in json.loads(store.read_text(encoding="utf-8")):
            item = CheckResult(**raw)
            known[_key(item)] = item
    for r in results:
        known[_key(r)] = r
    merged = list(known.values())
    store.write_text(json.dumps([dataclasses.asdict(r) for r in merged], default=str), encoding="utf-8")
    return merged


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def observed(result: CheckResult) -> str:
    """What the check saw, with what it expected where that is a range (row counts, dates, values)."""
    if result.error:
        return f"the check could not run: {result.error}"
    text = "" if result.observed_value is None else str(result.observed_value)
    low, high = result.kwargs.get("min_value"), result.kwargs.get("max_value")
    if result.expectation.endswith("_to_be_between") and (low is not None or high is not None):
        expected = (f"between {low} and {high}" if low is not None and high is not None
                    else f"at least {low}" if low is not None else f"at most {high}")
        text = f"{text} (expected {expected})".strip()
    return text


def _rows(items: list[CheckResult]) -> str:
    out = []
    for r in sorted(items, key=lambda r: (r.severity != "error", r.file_name or r.table, r.check_name)):
        sample = "" if not r.sample else "<br>".join(_cell(json.dumps(v, default=str)) for v in r.sample[:5])
        out.append(
            f"<tr class='{r.severity}'><td>{_cell(r.severity)}</td><td>{_cell(r.file_name or r.table)}</td>"
            f"<td>{_cell(r.table)}</td><td>{_cell(r.owner)}</td><td><code>{_cell(r.check_name)}</code></td>"
            f"<td>{_cell(r.description)}</td><td class='n'>{_cell(r.unexpected_count)}</td>"
            f"<td>{_cell(observed(r))}</td><td>{sample}</td><td>{_cell(next_step(r))}</td></tr>")
    return "\n".join(out)


def _table(items: list[CheckResult]) -> str:
    header = ("<tr><th>severity</th><th>file</th><th>table</th><th>data owner</th><th>check</th>"
              "<th>what it means</th><th>failing rows</th><th>observed</th>"
              "<th>sample of failing rows (no identifiers)</th><th>what to do next</th></tr>")
    return f"<table>{header}\n{_rows(items)}</table>"


def _summary(failed: list[CheckResult]) -> str:
    by_owner: dict[str, list[CheckResult]] = defaultdict(list)
    for r in failed:
        by_owner[r.owner].append(r)
    rows = []
    for owner in sorted(by_owner):
        items = by_owner[owner]
        files = sorted({r.file_name or r.table for r in items})
        rows.append(f"<tr><td>{_cell(owner)}</td><td class='n'>{sum(r.severity == 'error' for r in items)}</td>"
                    f"<td class='n'>{sum(r.severity == 'warning' for r in items)}</td>"
                    f"<td>{_cell(', '.join(files))}</td></tr>")
    return ("<table><tr><th>data owner</th><th>errors</th><th>warnings</th><th>files</th></tr>"
            + "".join(rows) + "</table>")


def render(results: list[CheckResult], run_id: str, docs_link: str | None) -> str:
    failed = [r for r in results if not r.success]
    errors = [r for r in failed if r.severity == "error"]
    warnings = [r for r in failed if r.severity == "warning"]
    by_source: dict[str, list[CheckResult]] = defaultdict(list)
    by_owner: dict[str, list[CheckResult]] = defaultdict(list)
    for r in failed:
        by_source[r.file_name or f"{r.table} ({r.stage})"].append(r)
        by_owner[r.owner].append(r)
    if errors:
        stages = sorted({r.stage for r in errors})
        verdict = ("Blocked: " + "; ".join(
            "the deliveries with errors were not loaded (staging keeps their last good data)" if s == "staging"
            else "the build was not published (the scorecard is unchanged)" for s in stages) + ".")
    elif warnings:
        stages = {r.stage for r in results}
        done = " and ".join(verb for stage, verb in (("staging", "loaded"), ("marts", "published")) if stage in stages)
        verdict = f"Passed with warnings: {done}; the warnings below need a look."
    else:
        verdict = "Passed: every check passed."
    sections = ""
    if failed:
        sections += "<h2>Summary by data owner</h2>" + _summary(failed)
        sections += "<h2>By source</h2>" + "".join(
            f"<h3>{_cell(name)} <small>(owner: {_cell(items[0].owner)})</small></h3>{_table(items)}"
            for name, items in sorted(by_source.items()))
        sections += "<h2>By data owner</h2>" + "".join(
            f"<h3>{_cell(owner)}</h3>{_table(items)}" for owner, items in sorted(by_owner.items()))
    stages = ", ".join(f"{s}: {sum(r.stage == s for r in results)}" for s in sorted({r.stage for r in results}))
    docs = f"<p>Every check and its result: <a href='{html.escape(docs_link)}'>Great Expectations Data Docs</a>.</p>" \
        if docs_link else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quality report {_cell(run_id)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin-bottom:1em}}
td,th{{border:1px solid #999;padding:4px 8px;vertical-align:top;text-align:left}} td.n{{text-align:right}}
tr.error td{{background:#fde0dc}} tr.warning td{{background:#fff4ce}}</style></head>
<body><h1>Quality report for run {_cell(run_id)}</h1>
<p><strong>{verdict}</strong></p>
<p>{len(results)} checks run ({_cell(stages)}): {len(errors)} error(s), {len(warnings)} warning(s).
An error blocks loading or publishing; a warning is reported and does not.</p>
{docs}
{sections}
</body></html>
"""


def write_report(results: list[CheckResult], run_id: str, out_dir: Path, docs_index: Path | None = None) -> Path:
    """Add ``results`` to the run's report; write ``<out_dir>/quality_<run_id>.html`` and ``latest.html``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    merged = _merged(results, out_dir / f"quality_{run_id}.json")
    link = Path(os.path.relpath(docs_index, out_dir)).as_posix() if docs_index else None
    page = render(merged, run_id, link)
    path = out_dir / f"quality_{run_id}.html"
    path.write_text(page, encoding="utf-8")
    (out_dir / "latest.html").write_text(page, encoding="utf-8")
    return path
