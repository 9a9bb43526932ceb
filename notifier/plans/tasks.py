"""Task lines of a content section: labelled bullets, agency groups, prose assignments.

A numbered item followed by labelled lines ("- Cơ quan chủ trì: ...") is a task. A
numbered item "X: ..." where X names an agency opens an agency group; its text and
its bullets are tasks led by X. A sentence "Giao X chủ trì ..." is a task wherever it
stands. A numbered item with neither labels nor its own assignment but with tasks
below it is a heading; without tasks below it stays a task and gets a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from notifier.domain.timeframe import Timeframe
from notifier.plans.agencies import split_agencies
from notifier.plans.assign import agency_heading, lead_before
from notifier.plans.clauses import has_time, match_label, parse_assignment
from notifier.plans.duties import subject_span
from notifier.plans.model import ParseWarning, Task
from notifier.plans.reader import Line

TimeParser = Callable[[str], Timeframe]
_NUM = re.compile(r"^(?P<num>\d{1,5}(?:\.\d{1,5})*)(?:[.)]\s*|\s+)(?P<rest>\S.*)$")
_LETTER = re.compile(r"^(?P<let>[a-zđ])[)]\s*(?P<rest>.*)$")
_BULLET = re.compile(r"^[-+•–*]\s*(?P<rest>.*)$")


@dataclass
class _State:
    section: str
    parse_time: TimeParser
    warnings: list[ParseWarning]
    tasks: list[Task] = field(default_factory=list)
    candidates: set[str] = field(default_factory=set)  # refs of title-only numbered items
    current: Task | None = None
    parent: str = ""
    agency: list[str] | None = None
    agency_ref: str = ""
    open_field: str | None = None
    counters: dict[str, int] = field(default_factory=dict)

    def next_ref(self, parent: str) -> str:
        self.counters[parent] = self.counters.get(parent, 0) + 1
        return f"{parent}.{self.counters[parent]}"


def _assignment_task(
    text: str, ref: str, no: int, lead: list[str] | None, layout: str, st: _State
) -> Task:
    a = parse_assignment(text, lead=lead)
    task = Task(
        ref,
        a.title,
        no,
        st.parse_time(a.time_text),
        lead=a.lead,
        coordinating=a.coordinating,
        output=a.output,
        layout=layout,
    )
    st.tasks.append(task)
    st.current = task
    return task


def _grouped(text: str) -> tuple[list[str], str] | None:
    """ "X: body" or "X - body" where X names agencies (see assign.lead_before)."""
    return lead_before(text)


def _item(text: str, ref: str, no: int, st: _State) -> None:
    """A numbered or lettered item: agency group, prose assignment, or titled task."""
    st.open_field = None
    st.agency = None
    grouped = _grouped(text)
    if grouped:
        st.agency, st.agency_ref = grouped[0], ref
        st.current = None
        if grouped[1]:
            _assignment_task(grouped[1], ref, no, grouped[0], "agency", st)
        return
    if re.match(r"^giao\s", text, re.I):
        _assignment_task(text, ref, no, None, "prose", st)
        return
    if has_time(text):
        span = subject_span(text)
        if span:
            _assignment_task(text[span[1] :].strip(" ,"), ref, no, span[0], "prose", st)
            return
        layout = "prose" if re.search(r"chủ trì|phối hợp", text, re.I) else "list"
        _assignment_task(text, ref, no, None, layout, st)
        return
    task = Task(ref, text.strip(" .;:"), no, st.parse_time(""), layout="list")
    st.tasks.append(task)
    st.candidates.add(ref)
    st.current = task
    if heading := agency_heading(text):  # "1. Sở Tài chính" alone: its bullets are its tasks,
        st.agency, st.agency_ref = heading, ref  # unless labels below make it a task title


def _apply_label(label: str, value: str, name: str | None, no: int, st: _State) -> None:
    task = st.current
    if task is None:
        st.warnings.append(ParseWarning(no, f"nhãn '{label}' không thuộc nhiệm vụ nào"))
        return
    st.candidates.discard(task.ref)
    st.agency = None
    st.open_field = name if not value.strip(" .;") and name in ("lead", "coordinating") else None
    value = value.strip()
    if name in ("lead", "coordinating", "directing"):
        getattr(task, name).extend(a for a in split_agencies(value) if a not in getattr(task, name))
    elif name == "time":
        task.timeframe = st.parse_time(value)
    elif name == "output":
        task.output = value.strip(" .;") or None
    elif name == "title" and value:
        task.details.append(value)
    else:
        task.details.append(f"{label}: {value}")


def _bullet(text: str, no: int, st: _State) -> None:
    """An unlabelled bullet: a continuation of an open field, a group task, or detail."""
    if st.open_field and st.current is not None:
        getattr(st.current, st.open_field).extend(split_agencies(text))
        return
    if st.agency is not None:
        _assignment_task(text, st.next_ref(st.agency_ref), no, st.agency, "agency", st)
        return
    grouped = _grouped(text)
    parent = st.parent or st.section
    if grouped and grouped[1]:
        _assignment_task(grouped[1], st.next_ref(parent), no, grouped[0], "agency", st)
    elif re.match(r"^giao\s", text, re.I):
        _assignment_task(text, st.next_ref(parent), no, None, "prose", st)
    elif st.current is not None:
        st.current.details.append(text)


def walk(
    lines: list[Line], section: str, parse_time: TimeParser, warnings: list[ParseWarning]
) -> list[Task]:
    """Tasks of one content section, in document order."""
    st = _State(section, parse_time, warnings)
    for line in lines:
        text = line.text
        if m := _NUM.match(text):
            st.parent = f"{section}.{m.group('num')}"
            _item(m.group("rest"), st.parent, line.no, st)
            continue
        m = _LETTER.match(text) or _BULLET.match(text)
        body = m.group("rest") if m else text
        label = match_label(body)
        if label:
            _apply_label(*label, no=line.no, st=st)
        elif m and m.re is _LETTER:
            _item(body, f"{st.parent or section}.{m.group('let')}", line.no, st)
        elif m:
            _bullet(body, line.no, st)
        elif re.match(r"^giao\s", text, re.I):
            _assignment_task(text, st.next_ref(st.parent or section), line.no, None, "prose", st)
        elif grouped := _grouped(text):
            _unnumbered_group(grouped, line.no, st)
    return _settle(st)


def _unnumbered_group(grouped: tuple[list[str], str], no: int, st: _State) -> None:
    """A plain paragraph "X:" (bullets follow) or "X: <assignment>" with no number."""
    ref = st.next_ref(st.parent or st.section)
    st.open_field = None
    if grouped[1]:
        st.agency = None
        _assignment_task(grouped[1], ref, no, grouped[0], "agency", st)
    else:
        st.agency, st.agency_ref, st.current = grouped[0], ref, None


def _settle(st: _State) -> list[Task]:
    """Title-only items with tasks below them are headings: drop them, name the group."""
    out: list[Task] = []
    parts = [t.ref.split(".") for t in st.tasks]
    prefixes = {".".join(p[:k]) for p in parts for k in range(1, len(p))}  # refs with children
    titles = {t.ref: t.title for t in st.tasks}
    for task in st.tasks:
        if task.ref in st.candidates and task.ref in prefixes:
            continue
        parent = task.ref.rsplit(".", 1)[0]
        if parent in st.candidates and task.group is None:
            task.group = titles.get(parent)
        out.append(task)
    return out
