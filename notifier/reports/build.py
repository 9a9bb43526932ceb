"""Build the :class:`~notifier.reports.model.CompiledReport` of one plan (rules: model.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from notifier.clock import VN_TZ, as_utc
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.domain.status import DUE_SOON_WORKING_DAYS, bucket
from notifier.errors import NotFound
from notifier.reports import read
from notifier.reports.model import (
    AgencyRow,
    BucketCounts,
    CompiledReport,
    ReportItem,
)
from notifier.reports.periods import ReportingPeriod, period_of_label
from notifier.store.facts import Occurrence, load_occurrences
from notifier.store.models import Plan
from notifier.vocab import OccurrenceKind


def _local_day(instant: datetime) -> date:
    return as_utc(instant).astimezone(VN_TZ).date()


def _done_by(occ: Occurrence, at: datetime) -> datetime | None:
    """The completion instant if it happened by ``at``; later completions do not count."""
    if occ.done_at is None or as_utc(occ.done_at) > at:
        return None
    return occ.done_at


def _belongs(
    occ: Occurrence,
    done_at: datetime | None,
    period: ReportingPeriod | None,
    today: date,
    calendar: WorkingCalendar,
) -> bool:
    """Whether the occurrence is in this report (the rules in model.py's docstring)."""
    if occ.kind == OccurrenceKind.REPORT:
        if period is None:
            horizon = calendar.add_working_days(occ.effective, -DUE_SOON_WORKING_DAYS)
            return done_at is not None or horizon <= today
        own = period_of_label(occ.period)
        if own is not None:
            return period.contains(own)
        return period.span[0] <= occ.nominal <= period.span[1]
    if period is None:
        return True
    start, end = period.data_window
    done_day = _local_day(done_at) if done_at is not None else None
    if start <= occ.effective <= end:
        return True
    if occ.effective < start and (done_day is None or done_day >= start):
        return True  # carried over: still open when the window began
    return done_day is not None and start <= done_day <= end


def _item(
    occ: Occurrence,
    facts: read.TaskFacts,
    done_at: datetime | None,
    note: str,
    names: dict[str, str],
    at: datetime,
    calendar: WorkingCalendar,
) -> ReportItem:
    today = _local_day(at)
    lead_agencies = tuple(names.get(c, c) for c in occ.roles.lead) or facts.lead
    return ReportItem(
        deadline_id=occ.deadline_id, kind=occ.kind, ref=occ.task_ref, title=occ.task_title,
        section=read.section_of(occ.task_ref), group=facts.group,
        lead=facts.lead or (occ.lead_written,), lead_agencies=lead_agencies,
        coordinating=facts.coordinating, output=facts.output, period=occ.period,
        timeframe=facts.timeframe, nominal=occ.nominal, deadline=occ.effective,
        bucket=bucket(occ.judged_by, done_at, at), done_at=done_at,
        note=note if done_at is not None else "",
        working_days=calendar.working_days_between(today, occ.effective),
        original=occ.original,
    )  # fmt: skip


def _agencies(items: Sequence[ReportItem]) -> tuple[AgencyRow, ...]:
    """Per lead agency (first appearance order), its buckets for tasks and for reports."""
    order: list[str] = []
    buckets: dict[tuple[str, OccurrenceKind], list] = {}
    for item in items:
        for agency in item.lead_agencies or ("(chưa xác định cơ quan chủ trì)",):
            if agency not in order:
                order.append(agency)
            buckets.setdefault((agency, item.kind), []).append(item.bucket)
    return tuple(
        AgencyRow(
            agency=a,
            tasks=BucketCounts.of_buckets(buckets.get((a, OccurrenceKind.DEADLINE), [])),
            reports=BucketCounts.of_buckets(buckets.get((a, OccurrenceKind.REPORT), [])),
        )
        for a in order
    )


def _plan(session: Session, plan_key: str) -> Plan:
    plan = session.exec(select(Plan).where(Plan.key == plan_key)).first()
    if plan is None or plan.id is None:
        raise NotFound(f"Không có kế hoạch '{plan_key}'.")
    return plan


def build_report(
    session: Session,
    *,
    plan_key: str,
    at: datetime,
    calendar: WorkingCalendar,
    policy: Policy,
    period: ReportingPeriod | None = None,
) -> CompiledReport:
    """The compiled report of the plan ``plan_key`` as of ``at`` (for ``period`` if given)."""
    at = as_utc(at)
    plan = _plan(session, plan_key)
    assert plan.id is not None
    occurrences = load_occurrences(session, policy, plan_key=plan_key)
    facts = read.task_facts(session, plan)
    notes = read.completion_notes(session, [o.deadline_id for o in occurrences])
    names = read.agency_names(session)
    today = _local_day(at)
    items = []
    for occ in occurrences:
        done_at = _done_by(occ, at)
        if _belongs(occ, done_at, period, today, calendar):
            note = notes.get(occ.deadline_id, "")
            items.append(_item(occ, facts[occ.task_id], done_at, note, names, at, calendar))
    items.sort(key=lambda i: (read.ref_key(i.ref), i.kind != OccurrenceKind.DEADLINE, i.deadline))
    infos = {
        o.deadline_id: read.DeadlineInfo(o.task_ref, o.task_title, o.period, o.kind)
        for o in occurrences
    }
    window = period.data_window if period is not None else None
    return CompiledReport(
        plan=read.plan_header(session, plan),
        at=at,
        period=period,
        task_total=read.task_total(session, plan.id),
        items=tuple(items),
        tasks=BucketCounts.of_buckets(i.bucket for i in items if i.kind == OccurrenceKind.DEADLINE),
        reports=BucketCounts.of_buckets(i.bucket for i in items if i.kind == OccurrenceKind.REPORT),
        obstacles=read.obstacles(session, infos, at, window),
        agencies=_agencies(items),
    )
