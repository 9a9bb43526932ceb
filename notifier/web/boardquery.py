"""The board's filters and sort order, read from the query string, applied to a Board.

Pure: no database, no request. Counts are taken after the plan and agency filters
(what the account sees of those plans and agencies) and before the bucket and
"due within" filters, so the four boxes always add up to the same total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from notifier.domain.status import BUCKET_ORDER, Bucket
from notifier.status import Board, Item

OPEN = (Bucket.OPEN_IN_TIME, Bucket.OPEN_OVERDUE)
SORTS = {
    "deadline": lambda i: (i.deadline, i.task),
    "task": lambda i: (i.plan_label, _ref_key(i.task), i.deadline),
    "plan": lambda i: (i.plan_label, i.deadline),
    "level": lambda i: (i.level, -i.working_days),
    "days": lambda i: (i.working_days, i.task),
}
MAX_DAYS = 365
PAGE_ROWS = 100  # rows per page: a board of 10,000 open items stays a light page


def _ref_key(ref: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in ref.replace("-", ".").split("."))


def _int(value: str | None, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


@dataclass(frozen=True)
class BoardQuery:
    plan: int | None = None
    agency: str = ""
    bucket: Bucket | None = None
    within: int | None = None  # due within N working days (overdue included)
    sort: str = "deadline"
    descending: bool = False
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> BoardQuery:
        """Unknown or malformed values are ignored (the board shows everything)."""
        raw_sort = query.get("sort", "deadline")
        descending = raw_sort.startswith("-")
        sort = raw_sort.lstrip("-")
        bucket = query.get("bucket", "")
        return cls(
            plan=_int(query.get("plan"), 1, 2**31),
            agency=query.get("agency", "").strip()[:64],
            bucket=Bucket(bucket) if bucket in Bucket._value2member_map_ else None,
            within=_int(query.get("within"), 0, MAX_DAYS),
            sort=sort if sort in SORTS else "deadline",
            descending=descending and sort in SORTS,
            page=_int(query.get("page"), 1, 10**6) or 1,
        )

    def params(self, **changes: object) -> dict[str, str]:
        values: dict[str, object] = {
            "plan": self.plan, "agency": self.agency, "bucket": self.bucket,
            "within": self.within, "sort": ("-" if self.descending else "") + self.sort,
            "page": self.page,
        }  # fmt: skip
        if "page" not in changes and changes:
            values["page"] = None  # another filter or order starts again at page 1
        values.update(changes)
        return {
            k: str(v)
            for k, v in values.items()
            if v not in (None, "")
            and not (k == "sort" and v == "deadline")
            and not (k == "page" and v == 1)
        }

    def url(self, path: str = "/", **changes: object) -> str:
        params = self.params(**changes)
        return path + ("?" + urlencode(params) if params else "")

    def sort_url(self, key: str) -> str:
        """The column header link: by ``key``, or reversed when already sorted by it."""
        flip = key == self.sort and not self.descending
        return self.url(sort=("-" if flip else "") + key)

    def scoped(self, item: Item) -> bool:
        if self.plan is not None and item.plan_id != self.plan:
            return False
        return not self.agency or (
            self.agency in item.lead_codes or self.agency in item.coordinating_codes
        )

    def listed(self, item: Item) -> bool:
        if self.bucket is not None:
            if item.bucket != self.bucket:
                return False
        elif item.bucket not in OPEN:
            return False
        return self.within is None or (item.bucket in OPEN and item.working_days <= self.within)


@dataclass(frozen=True)
class BoardView:
    counts: list[tuple[Bucket, int]]
    items: list[Item]  # this page's rows
    total: int  # everything in scope (the four counts add up to it)
    listed: int  # rows matching the filters, over all pages
    page: int
    pages: int


def apply(board: Board, query: BoardQuery) -> BoardView:
    scoped = [i for i in board.items if query.scoped(i)]
    counts = {b: 0 for b in BUCKET_ORDER}
    for item in scoped:
        counts[item.bucket] += 1
    listed = sorted(
        (i for i in scoped if query.listed(i)), key=SORTS[query.sort], reverse=query.descending
    )
    pages = max(1, -(-len(listed) // PAGE_ROWS))
    page = min(query.page, pages)
    rows = listed[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    return BoardView(
        [(b, counts[b]) for b in BUCKET_ORDER], rows, len(scoped), len(listed), page, pages
    )
