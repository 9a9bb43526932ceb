"""Reports an office can open, edit, sign and send upward: the compiled report of a plan
as data (:mod:`.model`, built by :func:`build_report`), written as a Word "Báo cáo"
(:mod:`.docx`), an Excel summary table (:mod:`.xlsx`) or CSV (:mod:`.csv`)."""

from notifier.reports.build import build_report
from notifier.reports.model import CompiledReport
from notifier.reports.periods import PeriodError, ReportingPeriod, parse_period

__all__ = ["CompiledReport", "PeriodError", "ReportingPeriod", "build_report", "parse_period"]
