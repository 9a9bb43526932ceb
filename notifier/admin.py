"""Admin use cases: apply the directory to the database, manage contacts.

``sync_directory`` adds, updates and deactivates; it never deletes, so history
(messages, answers) always keeps its people and agencies. It manages only what the file
holds: people added with ``contact add``, agencies created in the browser (``source``)
and aliases picked in the browser (table ``agency_alias``) are kept. It writes nothing when
nothing changed, which is what makes ``notifier init`` idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from notifier.directory import DirectoryConfig, PersonConfig
from notifier.errors import ConfigError, NotFound
from notifier.store.models import Agency, AgencyGroup, Event, GroupMember, Person
from notifier.vocab import ChannelName, EventKind, Source


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    # records the file declares but the admin pages now manage (left as they are)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deactivated)


def _assign(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert(session: Session, model: Any, key: str, value: str, values: dict[str, Any]) -> str:
    row = session.exec(select(model).where(getattr(model, key) == value)).first()
    if row is None:
        session.add(model(**{key: value}, **values))
        return "added"
    return "updated" if _assign(row, values) else ""


def sync_directory(session: Session, directory: DirectoryConfig, now: datetime) -> SyncReport:
    """Make the database match the directory file; log one event if anything changed."""
    report = SyncReport()

    def note(outcome: str, label: str) -> None:
        if outcome:
            getattr(report, outcome).append(label)

    web = _web_agencies(session)
    for agency in directory.agencies:
        if agency.code in web:
            report.kept.append(f"agency {agency.code}")
            continue
        values = {
            "name": agency.name,
            "aliases": list(agency.aliases),
            "locality": agency.locality,
            "parent_code": agency.parent,
            "active": True,
            "source": Source.CONFIG,
        }
        note(_upsert(session, Agency, "code", agency.code, values), f"agency {agency.code}")
    session.flush()
    agencies = {a.code: a for a in session.exec(select(Agency)).all()}
    wanted = {a.code for a in directory.agencies}
    for code, row in agencies.items():  # agencies created in the browser are left alone
        if code not in wanted and row.active and row.source == Source.CONFIG:
            row.active = False
            report.deactivated.append(f"agency {code}")
    _sync_groups(session, directory, agencies, report)
    _sync_people(session, directory, agencies, report)
    if report.changed:
        session.add(
            Event(
                at=now,
                kind=EventKind.DIRECTORY_SYNC,
                message=f"{len(report.added)} added, {len(report.updated)} updated, "
                f"{len(report.deactivated)} deactivated",
                data={
                    "added": report.added,
                    "updated": report.updated,
                    "deactivated": report.deactivated,
                },
            )
        )
    return report


def _web_agencies(session: Session) -> set[str]:
    """The agencies the admin pages manage (``sync`` neither updates nor deactivates them)."""
    return set(session.exec(select(Agency.code).where(Agency.source == Source.WEB)).all())


def row_is_web(session: Session, model: Any, key: str, value: str) -> bool:
    row = session.exec(select(model).where(getattr(model, key) == value)).first()
    return row is not None and row.source == Source.WEB


def _sync_groups(
    session: Session, directory: DirectoryConfig, agencies: dict[str, Agency], report: SyncReport
) -> None:
    for group in directory.groups:
        if row_is_web(session, AgencyGroup, "code", group.code):
            report.kept.append(f"group {group.code}")
            continue
        values = {"name": group.name, "phrases": list(group.phrases), "active": True}
        outcome = _upsert(session, AgencyGroup, "code", group.code, values)
        session.flush()
        row = session.exec(select(AgencyGroup).where(AgencyGroup.code == group.code)).one()
        current = {
            m.agency_id
            for m in session.exec(select(GroupMember).where(GroupMember.group_id == row.id))
        }
        target = {agencies[code].id for code in group.members}
        if current != target:
            for member in session.exec(select(GroupMember).where(GroupMember.group_id == row.id)):
                if member.agency_id not in target:
                    session.delete(member)
            for agency_id in target - current:
                assert row.id is not None and agency_id is not None
                session.add(GroupMember(group_id=row.id, agency_id=agency_id))
            outcome = outcome or "updated"
        if outcome:
            getattr(report, outcome).append(f"group {group.code}")
    wanted = {g.code for g in directory.groups}
    for row in session.exec(select(AgencyGroup).where(AgencyGroup.active == True)):  # noqa: E712
        if row.code not in wanted and row.source != Source.WEB:
            row.active = False
            report.deactivated.append(f"group {row.code}")


def person_values(
    person: PersonConfig, agency_id: int, current: Person | None, source: str = Source.CONFIG
) -> dict[str, Any]:
    """Column values for a validated person (from the file or the CLI).

    A linked Telegram chat is kept when the input gives none; an address that changes
    becomes usable again.
    """
    values: dict[str, Any] = {
        "agency_id": agency_id,
        "name": person.name,
        "position": person.position,
        "role": person.role,
        "email": str(person.email) if person.email else None,
        "phone": person.phone or None,
        "channels": list(person.channels),
        "active": person.active,
        "source": str(source),
    }
    if person.telegram_chat_id is not None or current is None:
        values["telegram_chat_id"] = person.telegram_chat_id
    if person.zalo_chat_id is not None or current is None:
        values["zalo_chat_id"] = person.zalo_chat_id
    if person.addresses or current is None:
        values["addresses"] = dict(person.addresses)
    if current is not None and current.email != values["email"]:
        values["email_unusable"] = None
    if current is not None and "telegram_chat_id" in values:
        if current.telegram_chat_id != values["telegram_chat_id"]:
            values["telegram_unusable"] = None
    if current is not None and "zalo_chat_id" in values:
        if current.zalo_chat_id != values["zalo_chat_id"]:
            values["zalo_unusable"] = None
    if current is not None:
        new_addresses = values.get("addresses", current.addresses)
        changed = {k for k, v in new_addresses.items() if current.addresses.get(k) != v}
        if current.phone != values["phone"]:
            changed.add(ChannelName.ZNS)  # ZNS is sent to the phone number
        if changed & set(current.addresses_unusable or {}):
            kept = {k: v for k, v in current.addresses_unusable.items() if k not in changed}
            values["addresses_unusable"] = kept
    return values


def _sync_people(
    session: Session, directory: DirectoryConfig, agencies: dict[str, Agency], report: SyncReport
) -> None:
    existing = {p.key: p for p in session.exec(select(Person)).all()}
    for person in directory.people:
        agency_id = agencies[person.agency].id
        assert agency_id is not None
        current = existing.get(person.key)
        if current is not None and current.source == Source.WEB:
            report.kept.append(f"person {person.key}")
            continue
        values = person_values(person, agency_id, current)
        if current is None:
            session.add(Person(key=person.key, **values))
            report.added.append(f"person {person.key}")
        elif _assign(current, values):
            report.updated.append(f"person {person.key}")
    wanted = {p.key for p in directory.people}
    for key, row in existing.items():
        if key not in wanted and row.source == Source.CONFIG and row.active:
            row.active = False
            report.deactivated.append(f"person {key}")


def find_person(session: Session, key: str) -> Person:
    person = session.exec(select(Person).where(Person.key == key)).first()
    if person is None:
        known = [p.key for p in session.exec(select(Person)).all()]
        from difflib import get_close_matches

        close = get_close_matches(key, known, n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise NotFound(f"No person with key '{key}'.{hint} See `notifier contact list`.")
    return person


def find_agency(session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None:
        raise NotFound(f"No agency with code '{code}'. See `notifier agency list`.")
    return agency


def validate_contact(fields: dict[str, Any]) -> PersonConfig:
    """Validate contact fields given on the CLI with the same rules as directory.yaml."""
    from pydantic import ValidationError

    try:
        return PersonConfig.model_validate(fields)
    except ValidationError as exc:
        problems = [
            f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
            for e in exc.errors()
        ]
        raise ConfigError(problems) from None


def log_event(session: Session, now: datetime, kind: EventKind, message: str, **data: Any) -> None:
    session.add(
        Event(
            at=now,
            kind=kind,
            message=message,
            person_id=data.pop("person_id", None),
            plan_id=data.pop("plan_id", None),
            deadline_id=data.pop("deadline_id", None),
            data=data,
        )
    )
