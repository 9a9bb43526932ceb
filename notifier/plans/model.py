"""What a parsed plan holds; ``to_json`` is the contract with the importer.

Agencies are kept as written (strings); resolving them to directory entries is
``notifier.plans.resolve``'s job. Dates are nominal (no holiday shifting here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notifier.domain.timeframe import Timeframe


@dataclass
class Signer:
    name: str | None = None
    title: str | None = None
    capacity: str | None = None  # "TM. Ủy ban nhân dân", "KT. Chủ tịch", ... (prefix + body)

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "capacity": self.capacity}


@dataclass
class PlanHeader:
    number: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: str | None = None  # ISO "YYYY-MM-DD", or "YYYY-MM" / "YYYY" when the day is blank
    title: str | None = None
    legal_basis: list[str] = field(default_factory=list)
    signer: Signer = field(default_factory=Signer)


@dataclass
class Task:
    ref: str
    title: str
    line: int
    timeframe: Timeframe
    directing: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    coordinating: list[str] = field(default_factory=list)
    output: str | None = None
    group: str | None = None  # heading the task sits under (table group, agency block)
    layout: str = "list"  # list | table | agency | prose
    details: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "ref": self.ref,
            "title": self.title,
            "directing": self.directing,
            "lead": self.lead,
            "coordinating": self.coordinating,
            "output": self.output,
            "timeframe": self.timeframe.to_json(),
            "line": self.line,
            "group": self.group,
            "layout": self.layout,
            "details": self.details,
        }


@dataclass
class Duty:
    ref: str
    agencies: list[str]
    roles: list[str]  # monitor | compile | report | obstacle | implement | other
    text: str
    line: int

    def to_json(self) -> dict:
        return {
            "ref": self.ref,
            "agencies": self.agencies,
            "roles": self.roles,
            "text": self.text,
            "line": self.line,
        }


@dataclass
class Reporting:
    reporters: list[str]
    to: list[str]
    via: list[str]
    timeframe: Timeframe
    ref: str
    line: int

    def to_json(self) -> dict:
        return {
            "ref": self.ref,
            "reporters": self.reporters,
            "to": self.to,
            "via": self.via,
            "timeframe": self.timeframe.to_json(),
            "line": self.line,
        }


@dataclass
class ObstacleRoute:
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"to": self.to, "cc": self.cc, "via": self.via}


@dataclass
class Recipient:
    name: str
    for_report: bool
    line: int
    archive: bool = False  # "Lưu: VT, ..." archive copies, kept so nothing is dropped

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "for_report": self.for_report,
            "archive": self.archive,
            "line": self.line,
        }


@dataclass
class ParseWarning:
    line: int
    message: str

    def to_json(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class OcrLine:
    line: int
    page: int
    confidence: float | None
    text: str

    def to_json(self) -> dict:
        return {
            "line": self.line,
            "page": self.page,
            "confidence": self.confidence,
            "text": self.text,
        }


@dataclass
class OcrReview:
    """What OCR read, line by line with its confidence, and the threshold for review."""

    engine: str
    threshold: float
    lines: list[OcrLine] = field(default_factory=list)

    @property
    def flagged(self) -> list[OcrLine]:
        return [ln for ln in self.lines if (ln.confidence or 0) < self.threshold]

    def confidence_of(self, line: int) -> float | None:
        return next((ln.confidence for ln in self.lines if ln.line == line), None)

    def to_json(self) -> dict:
        return {
            "engine": self.engine,
            "threshold": self.threshold,
            "lines": [ln.to_json() for ln in self.lines],
        }


@dataclass
class ParsedPlan:
    source: str
    header: PlanHeader
    tasks: list[Task] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    reporting: list[Reporting] = field(default_factory=list)
    obstacle_route: ObstacleRoute = field(default_factory=ObstacleRoute)
    recipients: list[Recipient] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    source_hash: str = ""  # SHA-256 of the normalised source text (reader.source_digest)
    regions: list[str] = field(default_factory=list)  # where tasks were looked for
    ocr: OcrReview | None = None  # set when some page was read through OCR

    def agencies_with_role(self, role: str) -> list[str]:
        """Agencies (as written, first occurrence order) holding ``role`` in section III."""
        out: list[str] = []
        for duty in self.duties:
            if role in duty.roles:
                out += [a for a in duty.agencies if a not in out]
        return out

    def to_json(self) -> dict:
        h = self.header
        plan = {
            "number": h.number,
            "issuer": h.issuer,
            "place": h.place,
            "date": h.date,
            "title": h.title,
            "legal_basis": h.legal_basis,
            "signer": h.signer.to_json(),
            "monitor": self.agencies_with_role("monitor"),
            "compiler": self.agencies_with_role("compile"),
            "source": self.source,
        }
        out = {
            "plan": plan,
            "tasks": [t.to_json() for t in self.tasks],
            "duties": [d.to_json() for d in self.duties],
            "reporting": [r.to_json() for r in self.reporting],
            "obstacle_route": self.obstacle_route.to_json(),
            "recipients": [r.to_json() for r in self.recipients],
            "warnings": [w.to_json() for w in self.warnings],
        }
        if self.ocr is not None:
            out["ocr"] = self.ocr.to_json()
        return out
