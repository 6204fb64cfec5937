"""Outputs people read: the committee scorecard (HTML, XLSX, PDF) rendered from the published marts, with its
covering summary, trends and commentary, and dbt's documentation of the marts for analysts.

``render(wh, settings, quarter, formats)`` is the entry point; ``scorecard report --help`` the command.
"""

from scorecard.report.dbt_docs import generate_dbt_docs
from scorecard.report.marts import ReportError
from scorecard.report.quarters import Quarter, QuarterError
from scorecard.report.render import FORMATS, output_dir, pdf_available, render, write_commentary_template

__all__ = ["FORMATS", "Quarter", "QuarterError", "ReportError", "generate_dbt_docs", "output_dir", "pdf_available",
           "render", "write_commentary_template"]
