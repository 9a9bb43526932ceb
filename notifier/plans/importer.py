"""Import a parsed plan into the database: plan, tasks, roles and deadline rows.

Steps, all in the caller's transaction (nothing is written if any step fails):
1. resolve every agency name (task roles and section III duties) against the
   directory; any miss raises ResolveError listing name, line and 3 suggestions;
2. find the plan by its key (issuer + number; for a document without a number, the
   hash of its normalised text) or create it. A document that looks like a new
   version of an imported plan (same file name, or same issuer and title) but has
   another key is never merged by similarity: the import stops with PlanConflict
   until the caller names the plan to replace (``replace``) or asks for a new one;
3. upsert tasks by reference (a task gone from the document is deactivated),
   replace their roles;
4. upsert deadline rows per task (one per due date, or per reporting period for
   ongoing work, at least 12 months ahead) through :mod:`notifier.store.deadlines`,
   which the calendar apply and the sweep's reporting horizon use too: a moved
   deadline gets a new effective date, a fresh outbox occurrence and a new next-action
   time; its pending messages are cancelled;
5. log one event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from notifier.domain.calendar import WorkingCalendar
from notifier.domain.policy import Policy
from notifier.domain.steps import unreached_levels
from notifier.domain.timeframe import TimeframeKind
from notifier.errors import PlanConflict, ResolveError
from notifier.plans.model import ParsedPlan
from notifier.plans.model import Task as ParsedTask
from notifier.plans.plan_policy import PlanSettings, settings_path
from notifier.plans.resolve import AgencyEntry, AgencyIndex, GroupEntry, Match
from notifier.store.deadlines import (
    DeadlineChanges,
    Moved,
    Wanted,
    cancel_row,
    horizon_until,
    report_wanted,
    sync_plan_deadlines,
)
from notifier.store.facts import Occurrence
from notifier.store.models import (
    Agency,
    AgencyAlias,
    AgencyGroup,
    Deadline,
    Event,
    GroupMember,
    Plan,
    PlanRole,
    Task,
    TaskRole,
)
from notifier.store.schedule import schedule_plan
from notifier.textfmt import plan_number
from notifier.vocab import TASK_ROLES, EventKind, OccurrenceKind, PlanDuty

DATED_KINDS = {TimeframeKind.DEADLINE, TimeframeKind.WINDOW, TimeframeKind.RECURRING}


@dataclass
class ImportReport:
    plan_key: str = ""
    created: bool = False
    tasks_added: list[str] = field(default_factory=list)
    tasks_updated: list[str] = field(default_factory=list)
    tasks_removed: list[str] = field(default_factory=list)
    deadlines_added: int = 0
    deadlines_moved: list[str] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)  # the same rows, for the web's table
    deadlines_cancelled: int = 0
    messages_cancelled: int = 0
    warnings: list[str] = field(default_factory=list)


def content_hash(parsed: ParsedPlan) -> str:
    """Hash of the document's normalised source text (see reader.source_digest)."""
    if parsed.source_hash:
        return parsed.source_hash
    data = parsed.to_json()  # a ParsedPlan built by hand, not by the parser
    data["plan"].pop("source", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def legacy_key(parsed: ParsedPlan) -> str:
    """The key an unnumbered plan got before keys came from the source text: the hash of
    what was understood. Only an identical reading matches it, so a plan imported by an
    earlier version is found again (and re-keyed) instead of being asked about."""
    data = parsed.to_json()
    data["plan"].pop("source", None)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return f"sha256:{digest.hexdigest()[:16]}"


def _numbered(number: str) -> bool:
    return any(ch.isdigit() for ch in number.strip().split("/")[0])


def plan_key(parsed: ParsedPlan, digest: str) -> str:
    """Issuer + number when the number is filled in; otherwise the source text's hash."""
    number = (parsed.header.number or "").strip()
    if _numbered(number):
        return f"{parsed.header.issuer or ''}|{number}"
    return f"sha256:{digest[:16]}"


def agency_index(session: Session) -> tuple[AgencyIndex, dict[str, int], dict[str, int]]:
    """The directory as the resolver sees it: agencies with their aliases from the file
    and those picked in the browser (``agency_alias``), and groups."""
    agencies = [a for a in session.exec(select(Agency)) if a.active]
    groups = [g for g in session.exec(select(AgencyGroup)) if g.active]
    index = AgencyIndex(
        [AgencyEntry(a.code, a.name, tuple(a.aliases)) for a in agencies],
        [GroupEntry(g.code, g.name, tuple(g.phrases)) for g in groups],
    )
    codes = {a.id: a.code for a in agencies}
    for alias in session.exec(select(AgencyAlias).order_by(col(AgencyAlias.id))):
        if alias.agency_id in codes:
            index.add_alias(codes[alias.agency_id], alias.alias)
    return index, {a.code: a.id for a in agencies if a.id}, {g.code: g.id for g in groups if g.id}


@dataclass(frozen=True)
class Unresolved:
    """An agency name of the document that matches no directory entry."""

    name: str
    line: int
    where: str  # "II.1 lead", "obstacle to", ...
    suggestions: tuple[tuple[str, str], ...]  # (code, official name), closest first


def _names(parsed: ParsedPlan) -> list[tuple[str, int, str]]:
    """(name as written, line, where) for every agency the import must resolve."""
    out: list[tuple[str, int, str]] = []
    for task in parsed.tasks:
        for role in TASK_ROLES:
            out += [(name, task.line, f"{task.ref} {role}") for name in getattr(task, role.value)]
    for duty in parsed.duties:
        if {"monitor", "compile"} & set(duty.roles):
            out += [(name, duty.line, f"{duty.ref}") for name in duty.agencies]
    route = parsed.obstacle_route
    line = next((d.line for d in parsed.duties if "obstacle" in d.roles), 0)
    out += [(name, line, "obstacle to") for name in route.to]
    out += [(name, line, "obstacle cc") for name in route.cc]
    return out


def directing_names(settings: PlanSettings, source: str) -> list[tuple[str, int, str]]:
    """The directing agencies a plan's own settings file names, to resolve like the plan's."""
    where = str(settings.path or source)
    return [(name, 0, f"directing ({where})") for name in settings.directing]


def unresolved_names(
    parsed: ParsedPlan,
    index: AgencyIndex,
    extra: list[tuple[str, int, str]] | None = None,
    suggestions: int = 3,
) -> tuple[dict[str, Match], list[Unresolved]]:
    """The check behind every import (CLI and web): each name the import needs, resolved
    or listed with its closest directory entries."""
    found: dict[str, Match] = {}
    missing: dict[str, Unresolved] = {}
    for name, line, where in _names(parsed) + (extra or []):
        if name in found or name in missing:
            continue
        match = index.resolve(name)
        if match is not None:
            found[name] = match
            continue
        missing[name] = Unresolved(name, line, where, tuple(index.suggest(name, suggestions)))
    return found, list(missing.values())


def resolve_names(
    parsed: ParsedPlan,
    index: AgencyIndex,
    source: str,
    extra: list[tuple[str, int, str]] | None = None,
) -> dict[str, Match]:
    found, missing = unresolved_names(parsed, index, extra)
    if missing:
        problems = [
            f"{source}:{m.line}: {m.where}: không tìm thấy cơ quan, đơn vị {m.name!r} trong danh bạ"
            + (
                "; gần nhất: " + "; ".join(f"{name} ({code})" for code, name in m.suggestions)
                if m.suggestions
                else ""
            )
            for m in missing
        ]
        problems.append(
            "Thêm tên này vào aliases của cơ quan (hoặc phrases của nhóm) trong "
            "config/directory.yaml rồi chạy `notifier sync`."
        )
        raise ResolveError(list(dict.fromkeys(problems)))
    return found


def _wanted(
    task: ParsedTask, plan: Plan, policy: Policy, until: date, first_year: int
) -> list[Wanted]:
    tf = task.timeframe
    if tf.kind in DATED_KINDS:
        return [
            Wanted(OccurrenceKind.DEADLINE, i, occ.period, occ.due)
            for i, occ in enumerate(tf.occurrences)
        ]
    if tf.kind != TimeframeKind.ONGOING:
        return []
    return report_wanted(plan, policy, first_year, until)


def plan_year(parsed: ParsedPlan, now: datetime) -> int:
    """The plan's year from its date; a plan without a date counts from this year."""
    text = parsed.header.date or ""
    return int(text[:4]) if text[:4].isdigit() else now.year


def default_until(parsed: ParsedPlan, now: datetime) -> date:
    """31 December of the year after the plan's year."""
    return date(plan_year(parsed, now) + 1, 12, 31)


def unreached_warnings(
    plan: Plan, occurrences: list[Occurrence], settings: PlanSettings, source: str
) -> list[str]:
    """One warning per escalation level that no task of the plan can reach, naming the tasks."""
    refs: dict[int, list[str]] = {}
    roles: dict[int, str] = {}
    for occ in occurrences:
        for level in unreached_levels(occ.roles, occ.policy):
            refs.setdefault(level.level, [])
            if occ.task_ref not in refs[level.level]:
                refs[level.level].append(occ.task_ref)
            roles[level.level] = ", ".join(r.label for r in level.to)
    fix = settings.path or settings_path(Path(source))
    return [
        f"Kế hoạch {plan_number(plan.number)} ({plan.key}): nhiệm vụ {', '.join(tasks)} không có "
        f"cơ quan {roles[level]}; cấp đôn đốc {level} sẽ không có nơi nhận, việc quá hạn chỉ "
        f"được nhắc ở cấp thấp hơn. Ghi tên cơ quan chỉ đạo vào `directing:` của tệp {fix.name} "
        "(đặt cạnh văn bản) rồi nhập lại kế hoạch."
        for level, tasks in sorted(refs.items())
    ]


class PlanImporter:
    """One import of one parsed plan (see the module docstring for the steps)."""

    def __init__(
        self,
        session: Session,
        calendar: WorkingCalendar,
        policy: Policy,
        now: datetime,
        settings: PlanSettings | None = None,
    ) -> None:
        self.session = session
        self.calendar = calendar
        self.policy = policy
        self.now = now
        self.settings = settings or PlanSettings()
        self.report = ImportReport()

    def run(
        self,
        parsed: ParsedPlan,
        source: str,
        until: date,
        *,
        replace: str | None = None,
        new: bool = False,
    ) -> ImportReport:
        """Import ``parsed``; ``replace`` is the key of the plan it replaces, ``new`` forces a
        new plan even beside a similar one."""
        index, agency_ids, group_ids = agency_index(self.session)
        matches = resolve_names(parsed, index, source, directing_names(self.settings, source))
        self.ids = {"agency": agency_ids, "group": group_ids}
        self.matches = matches
        digest = content_hash(parsed)
        plan = self._plan(parsed, digest, source, replace=replace, new=new)
        self._plan_roles(plan, parsed)
        self._tasks(plan, parsed, until)
        self._warn_empty_groups(matches)
        self.session.flush()
        occurrences = schedule_plan(self.session, plan, self.calendar, self.policy)
        self.report.warnings += unreached_warnings(plan, occurrences, self.settings, source)
        self.report.warnings = [f"{source}:{w.line}: {w.message}" for w in parsed.warnings] + [
            *self.report.warnings
        ]
        self.session.add(
            Event(
                at=self.now,
                kind=EventKind.PLAN_IMPORT,
                message=f"{'created' if self.report.created else 'updated'} plan {plan.key}",
                plan_id=plan.id,
                data={
                    "source": source,
                    "tasks_added": self.report.tasks_added,
                    "tasks_removed": self.report.tasks_removed,
                    "deadlines_moved": self.report.deadlines_moved,
                },
            )
        )
        return self.report

    def _find(
        self, parsed: ParsedPlan, key: str, source: str, replace: str | None, new: bool
    ) -> Plan | None:
        """The plan this document updates, or None for a new one (see step 2)."""
        plan = self.session.exec(select(Plan).where(Plan.key == key)).first()
        if replace is not None:
            return replace_target(self.session, plan, key, replace, source)
        if plan is None and key.startswith("sha256:"):
            plan = self.session.exec(select(Plan).where(Plan.key == legacy_key(parsed))).first()
        if plan is None and not new:
            similar = similar_plans(self.session, parsed, source)
            if similar:
                raise PlanConflict(conflict_message(similar, source, key), [p.key for p in similar])
        return plan

    def _plan(
        self, parsed: ParsedPlan, digest: str, source: str, *, replace: str | None, new: bool
    ) -> Plan:
        key = plan_key(parsed, digest)
        plan = self._find(parsed, key, source, replace, new)
        h = parsed.header
        values: dict[str, Any] = {
            "issuer": h.issuer or "",
            "number": h.number or "",
            "place": h.place or "",
            "plan_date": h.date or "",
            "title": h.title or "",
            "source_name": Path(source).name,
            "content_hash": digest,
            "parsed": parsed.to_json(),
            "policy": dict(self.settings.policy),
            "updated_at": self.now,
        }
        if plan is None:
            plan = Plan(key=key, imported_at=self.now, **values)
            self.session.add(plan)
            self.report.created = True
        else:
            plan.key = key  # a replaced plan takes the key of the document that replaces it
            for name, value in values.items():
                setattr(plan, name, value)
        self.session.flush()
        self.report.plan_key = plan.key
        return plan

    def _target(self, name: str) -> dict[str, int | None]:
        match = self.matches[name]
        if match.is_group:
            return {"agency_id": None, "group_id": self.ids["group"][match.code]}
        return {"agency_id": self.ids["agency"][match.code], "group_id": None}

    def _plan_roles(self, plan: Plan, parsed: ParsedPlan) -> None:
        for old in self.session.exec(select(PlanRole).where(PlanRole.plan_id == plan.id)):
            self.session.delete(old)
        wanted = [(PlanDuty.MONITOR, n) for n in parsed.agencies_with_role("monitor")]
        wanted += [(PlanDuty.COMPILER, n) for n in parsed.agencies_with_role("compile")]
        wanted += [(PlanDuty.OBSTACLE_TO, n) for n in parsed.obstacle_route.to]
        wanted += [(PlanDuty.OBSTACLE_CC, n) for n in parsed.obstacle_route.cc]
        wanted += [(PlanDuty.DIRECTING, n) for n in self.settings.directing]
        assert plan.id is not None
        for role, name in wanted:
            self.session.add(
                PlanRole(plan_id=plan.id, role=role, written=name, **self._target(name))
            )

    def _tasks(self, plan: Plan, parsed: ParsedPlan, until: date) -> None:
        """Tasks upserted, then their roles and deadlines in bulk: one flush for the new
        tasks' ids, one delete and one insert for the roles, one read and one insert for
        the deadlines (a plan of 1,000 tasks costs a few statements, not thousands)."""
        existing = {
            t.ref: t for t in self.session.exec(select(Task).where(Task.plan_id == plan.id))
        }
        seen = set()
        assert plan.id is not None
        pairs: list[tuple[Task, ParsedTask]] = []
        for parsed_task in parsed.tasks:
            seen.add(parsed_task.ref)
            task = existing.get(parsed_task.ref)
            values: dict[str, Any] = {
                "title": parsed_task.title,
                "output": parsed_task.output or "",
                "timeframe_text": parsed_task.timeframe.text,
                "timeframe_kind": str(parsed_task.timeframe.kind),
                "line": parsed_task.line,
                "active": True,
            }
            if task is None:
                task = Task(plan_id=plan.id, ref=parsed_task.ref, **values)
                self.session.add(task)
                self.report.tasks_added.append(parsed_task.ref)
            else:
                if any(getattr(task, k) != v for k, v in values.items()):
                    self.report.tasks_updated.append(parsed_task.ref)
                for name, value in values.items():
                    setattr(task, name, value)
            pairs.append((task, parsed_task))
        self.session.flush()
        self._task_roles(pairs)
        first_year = plan_year(parsed, self.now)
        wanted: list[tuple[Task, list[Wanted]]] = []
        for task, parsed_task in pairs:
            reach = horizon_until(self.now, until)
            if parsed_task.timeframe.kind != TimeframeKind.ONGOING:
                reach = until
            wanted.append((task, _wanted(parsed_task, plan, self.policy, reach, first_year)))
            if (
                not parsed_task.timeframe.occurrences
                and parsed_task.timeframe.kind != TimeframeKind.ONGOING
            ):
                self.report.warnings.append(
                    f"{parsed_task.ref}: thời gian '{parsed_task.timeframe.text}' không có hạn "
                    "cụ thể; nhiệm vụ được theo dõi nhưng không có nhắc hạn tự động"
                )
        self._deadlines(plan, wanted)
        for ref, task in existing.items():
            if ref not in seen and task.active:
                task.active = False
                self.report.tasks_removed.append(ref)
                for deadline in self.session.exec(
                    select(Deadline).where(Deadline.task_id == task.id)
                ):
                    self._cancel(deadline)

    def _task_roles(self, pairs: list[tuple[Task, ParsedTask]]) -> None:
        """The tasks' roles replaced: one DELETE, one executemany INSERT."""
        ids = [task.id for task, _ in pairs]
        if not ids:
            return
        self.session.execute(delete(TaskRole).where(col(TaskRole.task_id).in_(ids)))
        rows = [
            {"task_id": task.id, "role": role, "written": name, **self._target(name)}
            for task, parsed_task in pairs
            for role in TASK_ROLES
            for name in getattr(parsed_task, role.value)
        ]
        if rows:
            self.session.connection().execute(insert(cast(Any, TaskRole).__table__), rows)

    def _deadlines(self, plan: Plan, wanted: list[tuple[Task, list[Wanted]]]) -> None:
        rule = self.policy.deadline_rule
        changes = sync_plan_deadlines(
            self.session, wanted, self.calendar, rule, self.now, plan_key=plan.key
        )
        self._count(changes)

    def _count(self, changes: DeadlineChanges) -> None:
        self.report.deadlines_added += changes.added
        self.report.deadlines_moved += [m.describe() for m in changes.moved]
        self.report.moved += changes.moved
        self.report.deadlines_cancelled += changes.cancelled
        self.report.messages_cancelled += changes.messages_cancelled

    def _cancel(self, deadline: Deadline) -> None:
        changes = DeadlineChanges()
        cancel_row(self.session, deadline, changes)
        self._count(changes)

    def _warn_empty_groups(self, matches: dict[str, Match]) -> None:
        empty = {g.code: g.name for g in self.session.exec(select(AgencyGroup))}
        members = {m.group_id for m in self.session.exec(select(GroupMember))}
        ids = self.ids["group"]
        for name, match in matches.items():
            if match.is_group and ids.get(match.code) not in members:
                self.report.warnings.append(
                    f"NHÓM RỖNG: '{name}' (nhóm {match.code}: {empty.get(match.code)}) chưa có "
                    "cơ quan thành viên; không ai nhận tin của vai trò này cho đến khi quản trị "
                    "viên khai báo members trong config/directory.yaml"
                )


def _same_document(plan: Plan, parsed: ParsedPlan, source: str) -> bool:
    """Could ``parsed`` be a new version of ``plan``? Same file name, or same issuer and title;
    never when both carry a number and the numbers differ (two different documents)."""
    number = (parsed.header.number or "").strip()
    if _numbered(number) and _numbered(plan.number) and number != plan.number.strip():
        return False
    if plan.source_name and plan.source_name == Path(source).name:
        return True
    title, issuer = (parsed.header.title or "").strip(), (parsed.header.issuer or "").strip()
    return bool(title) and plan.title == title and plan.issuer == issuer


def similar_plans(session: Session, parsed: ParsedPlan, source: str) -> list[Plan]:
    return [
        p
        for p in session.exec(select(Plan).order_by(col(Plan.id)))
        if _same_document(p, parsed, source)
    ]


def conflict_message(similar: list[Plan], source: str, key: str) -> str:
    shown = "; ".join(
        f"{p.key} (số {p.number or 'chưa có'}, {p.title or 'không có trích yếu'}, tệp "
        f"{p.source_name or '?'})"
        for p in similar
    )
    first = similar[0].key
    return (
        f"{source}: văn bản này khác mọi kế hoạch đã nhập (khóa {key}) nhưng giống kế hoạch "
        f"đã có: {shown}. Kế hoạch không bao giờ được thay thế theo nội dung gần giống. "
        f"Nếu đây là bản sửa đổi của kế hoạch đó, chạy lại với --replace {first}; nếu là một "
        "kế hoạch khác, chạy lại với --new."
    )


def replace_target(
    session: Session, same_key: Plan | None, key: str, replace: str, source: str
) -> Plan:
    """The plan named by ``replace`` (a key); refused when the document is another plan."""
    from notifier.errors import NotFound

    target = session.exec(select(Plan).where(Plan.key == replace)).first()
    if target is None:
        raise NotFound(f"--replace {replace}: không có kế hoạch với khóa này")
    if same_key is not None and same_key.id != target.id:
        raise PlanConflict(
            f"{source}: văn bản này đã được nhập là kế hoạch {same_key.key}, không thể dùng nó "
            f"để thay kế hoạch {target.key}; bỏ --replace để cập nhật {same_key.key}",
            [same_key.key, target.key],
        )
    return target
