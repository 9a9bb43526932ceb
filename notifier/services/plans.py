"""Importing a plan: the one implementation behind ``notifier plan import`` and the web upload.

:func:`import_plan` runs every check (a document without tasks, agency names that do
not resolve, a document that looks like another version of an imported plan) and the
import itself in one transaction, committed only when asked: the CLI's ``--dry-run`` and
the upload's check page are the same run, rolled back. :func:`check_plan` is what the
check page shows: the names that do not resolve (with the closest directory entries),
or the conflict to decide, or the difference the import would make.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from notifier.errors import PlanConflict
from notifier.plans.acceptance import check_importable
from notifier.plans.importer import (
    ImportReport,
    PlanImporter,
    Unresolved,
    agency_index,
    directing_names,
    unresolved_names,
)
from notifier.plans.model import ParsedPlan
from notifier.plans.plan_policy import PlanSettings
from notifier.runtime import Runtime

SUGGESTIONS = 5  # closest directory entries offered for a name that does not resolve


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how: the parsed document, its name, its own settings."""

    parsed: ParsedPlan
    source: str  # the document's name as messages show it (file path or uploaded name)
    settings: PlanSettings
    until: date
    replace: str | None = None  # key of the plan this document replaces
    new: bool = False  # a new plan even beside a similar one
    allow_empty: bool = False


@dataclass
class PlanCheck:
    """What the check page shows before anything is written."""

    unresolved: list[Unresolved] = field(default_factory=list)
    conflict: PlanConflict | None = None
    report: ImportReport | None = None  # the dry run, when names resolve and no conflict

    @property
    def ready(self) -> bool:
        return self.report is not None


def import_plan(
    runtime: Runtime, request: ImportRequest, now: datetime, *, dry_run: bool = False
) -> ImportReport:
    """Check and import; rolled back when ``dry_run``. Raises EmptyPlanError,
    ResolveError, PlanConflict or NotFound (all bad input: nothing written)."""
    check_importable(request.parsed, allow_empty=request.allow_empty)
    with Session(runtime.engine, expire_on_commit=False) as session:
        importer = PlanImporter(session, runtime.calendar, runtime.policy, now, request.settings)
        report = importer.run(
            request.parsed, request.source, request.until, replace=request.replace, new=request.new
        )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return report


def check_plan(runtime: Runtime, request: ImportRequest, now: datetime) -> PlanCheck:
    """The names to resolve first; else the conflict to decide; else the dry run's report."""
    check_importable(request.parsed, allow_empty=request.allow_empty)
    with Session(runtime.engine) as session:
        index, agencies, _ = agency_index(session)
    extra = directing_names(request.settings, request.source)
    _, missing = unresolved_names(request.parsed, index, extra, SUGGESTIONS + 3)
    if missing:  # groups are offered by directory.yaml only: the page picks agencies
        return PlanCheck(unresolved=[_agencies_only(m, agencies) for m in missing])
    try:
        return PlanCheck(report=import_plan(runtime, request, now, dry_run=True))
    except PlanConflict as exc:
        return PlanCheck(conflict=exc)


def _agencies_only(missing: Unresolved, agencies: dict[str, int]) -> Unresolved:
    kept = tuple(pair for pair in missing.suggestions if pair[0] in agencies)[:SUGGESTIONS]
    return replace(missing, suggestions=kept)


def uploaded_settings_path(runtime: Runtime, filename: str) -> Path:
    """Where an uploaded document's own settings would be: ``config/plans/<stem>.policy.yaml``
    (an uploaded file has no folder of its own; the office keeps them beside the plans)."""
    return runtime.settings.config_dir / "plans" / Path(filename).name
