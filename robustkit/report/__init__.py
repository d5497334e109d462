"""The report card, read only from the store: a defenses × perturbations matrix (mean ±
spread over seeds) with worst-case columns, a RobustBench-style leaderboard, robustness curves
(one line per perturbation config), integrity flags grouped by cause and marked on cells and
curve points, a column legend and provenance; exported as one self-contained HTML page,
Markdown, CSV and JSON. ``compare`` sets two reports side by side.

One module per job: ``records`` (reading the store), ``flags``, ``worst``, ``core`` (the
matrix), ``curves``, ``leaderboard``, ``html_page``, ``export``, ``compare``, ``build``.
"""

from robustkit.report.build import build_report
from robustkit.report.core import Column, Report
from robustkit.report.flags import FlagGroup, chance_flags, cross_run_flags
from robustkit.report.records import Record, RunInfo, collect

__all__ = ["Column", "FlagGroup", "Record", "Report", "RunInfo", "build_report",
           "chance_flags", "collect", "cross_run_flags"]
