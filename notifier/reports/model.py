"""The compiled report of one plan, as data: what the Word report, the Excel table and
(later) the compiled-report message all show, so they cannot disagree.

:func:`build_report` reads it for one plan, an optional reporting period and an instant
``at``. Everything is as of ``at``: a completion, an answer or an obstacle recorded after
it does not count (a task done at 16:00 is still open in a report ``at`` 12:00).

Counting. Tasks with a due date ("nhiệm vụ có thời hạn") count once per deadline row;
report periods of ongoing tasks ("kỳ báo cáo" of "thường xuyên" tasks) are counted
separately, in their own four buckets, never added to the tasks.

Which rows a report holds:

- without a period: every deadline row of the plan; a report period once it is done by
  ``at``, or due within ``DUE_SOON_WORKING_DAYS`` working days, or past due (the digest's
  rule: next December's report does not swell today's "in time" figure);
- with a period: a deadline row whose effective deadline falls in the period's data window
  (Decree 09/2019 art. 12), or fell before it and was still open when the window began
  (carried over), or that was completed inside the window; a report period whose own period
  closes within the chosen one ("6 tháng đầu năm 2024" belongs to "Quý II/2024" and to
  "Năm 2024"); obstacles reported inside the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from notifier.domain.status import BUCKET_ORDER, Bucket
from notifier.reports.periods import ReportingPeriod
from notifier.textfmt import vn_percent, vn_plan_date
from notifier.vocab import DeliveryStatus, OccurrenceKind

# What the report tables call the two kinds of rows.
KIND_LABELS = {OccurrenceKind.DEADLINE: "Nhiệm vụ có thời hạn", OccurrenceKind.REPORT: "Kỳ báo cáo"}


@dataclass(frozen=True)
class PlanHeader:
    """The plan as its header writes it, plus the directory's full name of its issuer."""

    id: int
    key: str
    issuer: str  # as written: "UBND huyện Ba Tơ"
    issuer_name: str  # the directory's name: "Ủy ban nhân dân huyện Ba Tơ" (else as written)
    number: str  # "24/KH-UBND", or "/KH-UBND" in a draft without a number
    date: str  # ISO, possibly partial: "2024-04-05", "2024-04"
    title: str
    place: str
    signer_capacity: str  # "TM. Ủy ban nhân dân"
    signer_title: str  # "Chủ tịch"
    report_recipients: tuple[str, ...]  # the plan's "(B/c)" recipients
    archive: str  # "VT, TCKH"

    @property
    def number_text(self) -> str:
        """The number, with "..." where a draft left it blank: ".../KH-UBND"."""
        number = self.number.strip()
        return f"...{number}" if number.startswith("/") or not number else number

    @property
    def date_text(self) -> str:
        return vn_plan_date(self.date) if self.date else ""

    @property
    def reference(self) -> str:
        """ "Kế hoạch số .../KH-UBND tháng 4/2024 của UBND huyện Ba Tơ"."""
        when = f" {self.date_text}" if self.date_text else ""
        issuer = f" của {self.issuer}" if self.issuer else ""
        return f"Kế hoạch số {self.number_text}{when}{issuer}"

    @property
    def subject(self) -> str:
        """The plan's title as it follows "về": first letter lower-cased unless an acronym."""
        title = self.title.strip()
        if len(title) > 1 and title[1].islower():
            return title[0].lower() + title[1:]
        return title


@dataclass(frozen=True)
class BucketCounts:
    """Counts in the four official buckets, in their fixed order."""

    counts: tuple[int, int, int, int] = (0, 0, 0, 0)

    @classmethod
    def of_buckets(cls, buckets: Iterable[Bucket]) -> BucketCounts:
        found = dict.fromkeys(BUCKET_ORDER, 0)
        for b in buckets:
            found[b] += 1
        a, b_, c, d = (found[b] for b in BUCKET_ORDER)
        return cls((a, b_, c, d))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def count(self, bucket: Bucket) -> int:
        return self.counts[BUCKET_ORDER.index(bucket)]

    def rate(self, bucket: Bucket) -> str:
        """ "12,5%": the bucket's share, Vietnamese decimal comma."""
        return vn_percent(self.count(bucket), self.total)

    def rows(self) -> tuple[tuple[Bucket, int, str], ...]:
        return tuple((b, self.count(b), self.rate(b)) for b in BUCKET_ORDER)


@dataclass(frozen=True)
class ReportItem:
    """One deadline row or one report period, with its status as of the report's instant."""

    deadline_id: int
    kind: OccurrenceKind
    ref: str  # "II.1"
    title: str
    section: str  # Roman numeral of the plan section ("II"), "" when the ref has none
    group: str  # heading inside the section ("I. Công tác chỉ đạo, điều hành"), or ""
    lead: tuple[str, ...]  # agencies or named groups, directory names
    lead_agencies: tuple[str, ...]  # lead agencies after expanding groups (per-agency table)
    coordinating: tuple[str, ...]
    output: str  # "Sản phẩm"
    period: str  # report period label ("6 tháng đầu năm 2024"); the deadline's period else
    timeframe: str  # as the plan writes it: "Tháng 4 năm 2024", "Thường xuyên"
    nominal: date  # the plan's date (or the policy's report date)
    deadline: date  # the effective deadline (Civil Code art. 148)
    bucket: Bucket
    done_at: datetime | None  # only when done by the report's instant
    note: str  # result note given with "done"
    working_days: int  # > 0 left, 0 due today, < 0 overdue, counted from the report's day
    original: date | None = None  # the deadline before the office extended it

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def on_time(self) -> bool:
        return self.bucket in (Bucket.DONE_ON_TIME, Bucket.OPEN_IN_TIME)

    @property
    def lead_text(self) -> str:
        return ", ".join(self.lead)


@dataclass(frozen=True)
class ObstacleRecipient:
    person: str
    agency: str
    copy: bool  # "đồng gửi"
    status: DeliveryStatus  # as of the report's instant: sent later still counts as pending

    @property
    def delivered(self) -> bool:
        return self.status == DeliveryStatus.SENT


@dataclass(frozen=True)
class Obstacle:
    """A "Báo vướng mắc" answer and the people its message went to (obstacle outbox rows)."""

    deadline_id: int
    ref: str
    title: str
    period: str
    kind: OccurrenceKind
    reporter: str  # person's name, "Quản trị viên" when recorded without one
    reporter_agency: str
    at: datetime
    reason: str
    recipients: tuple[ObstacleRecipient, ...]

    @property
    def sent_to(self) -> tuple[ObstacleRecipient, ...]:
        return tuple(r for r in self.recipients if not r.copy)

    @property
    def copied_to(self) -> tuple[ObstacleRecipient, ...]:
        return tuple(r for r in self.recipients if r.copy)


@dataclass(frozen=True)
class AgencyRow:
    """One lead agency: its deadline rows and its report periods, each in the four buckets."""

    agency: str
    tasks: BucketCounts
    reports: BucketCounts


@dataclass(frozen=True)
class CompiledReport:
    plan: PlanHeader
    at: datetime
    period: ReportingPeriod | None
    task_total: int  # tasks of the plan (active), whatever their timeframe
    items: tuple[ReportItem, ...]  # plan order
    tasks: BucketCounts
    reports: BucketCounts
    obstacles: tuple[Obstacle, ...]  # oldest first
    agencies: tuple[AgencyRow, ...]

    @property
    def completed(self) -> tuple[ReportItem, ...]:
        return tuple(i for i in self.items if i.done)

    @property
    def overdue(self) -> tuple[ReportItem, ...]:
        """Open and past due, most overdue first."""
        found = [i for i in self.items if i.bucket == Bucket.OPEN_OVERDUE]
        return tuple(sorted(found, key=lambda i: (i.deadline, i.deadline_id)))

    @property
    def in_time(self) -> tuple[ReportItem, ...]:
        """Open and not yet due, soonest first."""
        found = [i for i in self.items if i.bucket == Bucket.OPEN_IN_TIME]
        return tuple(sorted(found, key=lambda i: (i.deadline, i.deadline_id)))

    @property
    def open_items(self) -> tuple[ReportItem, ...]:
        return self.overdue + self.in_time
