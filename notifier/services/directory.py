"""Editing the directory from the admin pages: agencies, groups, people.

Each save is one transaction that checks everything first (the same rules as
``directory.yaml``: :class:`~notifier.directory.PersonConfig` and the alias check) and
writes nothing when a field is wrong: :class:`FormErrors` names each field in Vietnamese.
A record saved here gets ``source = web``: ``notifier sync`` leaves it as it is (neither
updated from the file nor deactivated) until an admin hands it back to the file
(:func:`hand_back`), which only a record the file declares can be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlmodel import Session, select

from notifier.admin import log_event, person_values
from notifier.channels.registry import channel_names
from notifier.directory import PHONE_PATTERN, DirectoryConfig, PersonConfig
from notifier.errors import NotFound
from notifier.plans.resolve import normalise
from notifier.store.models import Agency, AgencyGroup, GroupMember, Person
from notifier.vocab import ChannelName, EventKind, PersonRole, Source

CODE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
CODE_HELP = (
    "chỉ gồm chữ thường không dấu, chữ số, dấu chấm, gạch ngang, gạch dưới (ví dụ: phong-tu-phap)"
)
# The channels a person may list: the built-ins and the installed plug-ins, by name.
LISTED: tuple[str, ...] = tuple(channel_names())
MAX_TEXT = 300
_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


class FormErrors(Exception):
    """Field name → what is wrong and what would be valid (nothing was written)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class AgencyForm:
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    parent: str = ""
    locality: str = ""
    active: bool = True


@dataclass
class GroupForm:
    code: str
    name: str
    phrases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    active: bool = True


@dataclass
class PersonForm:
    key: str
    agency: str
    name: str
    position: str = ""
    role: str = PersonRole.STAFF.value
    email: str = ""
    phone: str = ""
    channels: list[str] = field(default_factory=list)
    active: bool = True


def lines(text: str) -> list[str]:
    """One entry per line (commas stay: official names contain them), blanks dropped."""
    seen: list[str] = []
    for line in text.splitlines():
        value = " ".join(line.split())
        if value and value not in seen:
            seen.append(value)
    return seen


def _code_errors(code: str, what: str) -> str | None:
    if not code:
        return f"Chưa nhập mã {what}."
    if code == "new":
        return f"Mã “{code}” được dành cho trang thêm mới; hãy chọn mã khác."
    if len(code) > 64 or not CODE.match(code):
        return f"Mã “{code}” không hợp lệ: {CODE_HELP}, tối đa 64 ký tự."
    return None


def _long(errors: dict[str, str], name: str, value: str, label: str) -> None:
    if len(value) > MAX_TEXT and name not in errors:
        errors[name] = f"{label} dài quá {MAX_TEXT} ký tự."


def _taken(session: Session, code: str) -> str | None:
    if session.exec(select(Agency).where(Agency.code == code)).first() is not None:
        return "cơ quan"
    if session.exec(select(AgencyGroup).where(AgencyGroup.code == code)).first() is not None:
        return "nhóm"
    return None


# -- agencies ----------------------------------------------------------------------------


def save_agency(
    session: Session, form: AgencyForm, *, existing: str | None, now: datetime, by: str
) -> Agency:
    """Create (``existing`` None) or update the agency; FormErrors when a field is wrong."""
    errors: dict[str, str] = {}
    row = _agency(session, existing) if existing else None
    code = existing or form.code
    if row is None:
        problem = _code_errors(form.code, "cơ quan")
        if problem is None and (kind := _taken(session, form.code)) is not None:
            problem = f"Mã “{form.code}” đã được dùng cho một {kind} khác; hãy chọn mã khác."
        if problem:
            errors["code"] = problem
    if not form.name:
        errors["name"] = "Chưa nhập tên cơ quan (tên chính thức, ví dụ: Phòng Tư pháp huyện Ba Tơ)."
    _long(errors, "name", form.name, "Tên cơ quan")
    _long(errors, "locality", form.locality, "Địa bàn")
    if form.parent:
        parent = session.exec(select(Agency).where(Agency.code == form.parent)).first()
        if parent is None:
            errors["parent"] = f"Không có cơ quan mã “{form.parent}” để làm cơ quan cấp trên."
        elif _is_below(session, form.parent, code):
            errors["parent"] = (
                "Cơ quan cấp trên không được là chính cơ quan này hoặc cấp dưới của nó."
            )
    alias_problem = _alias_clash(session, existing, [form.name, *form.aliases])
    if alias_problem:
        field_name, text = alias_problem
        errors.setdefault(field_name, text)
    if errors:
        raise FormErrors(errors)
    if row is None:
        row = Agency(code=form.code, name=form.name)
        session.add(row)
    row.name = form.name
    row.aliases = [a for a in form.aliases if normalise(a) != normalise(form.name)]
    row.parent_code = form.parent or None
    row.locality = form.locality
    row.active = form.active
    row.source = Source.WEB
    session.flush()
    log_event(session, now, EventKind.AGENCY_SAVE, f"agency {row.code} saved on the admin pages",
              code=row.code, by=by)  # fmt: skip
    return row


def _agency(session: Session, code: str) -> Agency:
    row = session.exec(select(Agency).where(Agency.code == code)).first()
    if row is None:
        raise NotFound(f"Không có cơ quan mã “{code}”.")
    return row


def _is_below(session: Session, candidate: str, code: str) -> bool:
    """Whether ``candidate`` is ``code`` itself or one of its descendants."""
    parents = {a.code: a.parent_code for a in session.exec(select(Agency))}
    seen: set[str] = set()
    current: str | None = candidate
    while current is not None and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _alias_clash(session: Session, code: str | None, names: list[str]) -> tuple[str, str] | None:
    """The first name or alias another active agency already answers to (plans would be
    ambiguous), as (field, message)."""
    claimed: dict[str, Agency] = {}
    for other in session.exec(select(Agency).where(Agency.active == True)):  # noqa: E712
        if other.code == code:
            continue
        for spelling in (other.name, *other.aliases):
            claimed.setdefault(normalise(spelling), other)
    for index, name in enumerate(names):
        owner = claimed.get(normalise(name))
        if owner is not None:
            where = "name" if index == 0 else "aliases"
            return where, (
                f"“{name}” đã là tên hoặc tên gọi khác của {owner.name} ({owner.code}); "
                "mỗi tên chỉ được chỉ một cơ quan."
            )
    return None


# -- groups ------------------------------------------------------------------------------


def save_group(
    session: Session, form: GroupForm, *, existing: str | None, now: datetime, by: str
) -> AgencyGroup:
    """Create or update a named group and its members (agency codes)."""
    errors: dict[str, str] = {}
    row = session.exec(select(AgencyGroup).where(AgencyGroup.code == existing)).first()
    if existing and row is None:
        raise NotFound(f"Không có nhóm mã “{existing}”.")
    if row is None:
        problem = _code_errors(form.code, "nhóm")
        if problem is None and (kind := _taken(session, form.code)) is not None:
            problem = f"Mã “{form.code}” đã được dùng cho một {kind} khác; hãy chọn mã khác."
        if problem:
            errors["code"] = problem
    if not form.name:
        errors["name"] = "Chưa nhập tên nhóm (ví dụ: UBND các xã, thị trấn)."
    _long(errors, "name", form.name, "Tên nhóm")
    agencies = {a.code: a for a in session.exec(select(Agency).where(Agency.active == True))}  # noqa: E712
    unknown = [m for m in form.members if m not in agencies]
    if unknown:
        errors["members"] = f"Không có cơ quan đang hoạt động mã: {', '.join(unknown)}."
    if errors:
        raise FormErrors(errors)
    if row is None:
        row = AgencyGroup(code=form.code, name=form.name)
        session.add(row)
    row.name, row.phrases, row.active, row.source = form.name, form.phrases, form.active, Source.WEB
    session.flush()
    assert row.id is not None
    wanted = {agencies[m].id for m in form.members}
    current = list(session.exec(select(GroupMember).where(GroupMember.group_id == row.id)))
    for member in current:
        if member.agency_id not in wanted:
            session.delete(member)
    for agency_id in wanted - {m.agency_id for m in current}:
        assert agency_id is not None
        session.add(GroupMember(group_id=row.id, agency_id=agency_id))
    log_event(session, now, EventKind.GROUP_SAVE, f"group {row.code} saved on the admin pages",
              code=row.code, by=by)  # fmt: skip
    return row


# -- people ------------------------------------------------------------------------------

_FIELD_MESSAGES = {"email": "Địa chỉ thư điện tử không hợp lệ (ví dụ: ten.cq@batu.gov.vn)."}
_PYDANTIC_FIELDS = {"key", "agency", "name", "position", "role", "email", "phone", "channels"}


def _person_errors(session: Session, form: PersonForm, new: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if new:
        problem = _code_errors(form.key, "người nhận")
        if problem is None and session.exec(select(Person).where(Person.key == form.key)).first():
            problem = f"Đã có người nhận mã “{form.key}”; hãy chọn mã khác."
        if problem:
            errors["key"] = problem
    agency = session.exec(select(Agency).where(Agency.code == form.agency)).first()
    if agency is None or not agency.active:
        errors["agency"] = "Chưa chọn cơ quan, hoặc cơ quan đã chọn không còn hoạt động."
    if not form.name:
        errors["name"] = "Chưa nhập họ và tên."
    _long(errors, "name", form.name, "Họ và tên")
    _long(errors, "position", form.position, "Chức vụ")
    if form.role not in {r.value for r in PersonRole}:
        errors["role"] = "Vai trò phải là một trong các lựa chọn của danh sách."
    if form.email:
        try:
            _EMAIL.validate_python(form.email)
        except ValidationError:
            errors["email"] = (
                f"Địa chỉ thư điện tử “{form.email}” không hợp lệ (ví dụ: ten.cq@batu.gov.vn)."
            )
    if form.phone and not re.match(PHONE_PATTERN, form.phone):
        errors["phone"] = (
            f"Số điện thoại “{form.phone}” không hợp lệ: 8 đến 15 chữ số, có thể có dấu + ở đầu "
            "và dấu cách, dấu chấm, gạch ngang giữa các số (ví dụ: 0255 3861 234)."
        )
    bad = [c for c in form.channels if c not in LISTED]
    if not form.channels:
        errors["channels"] = "Chọn ít nhất một kênh nhận tin."
    elif bad:
        errors["channels"] = f"Kênh không có: {', '.join(bad)}; chọn trong {', '.join(LISTED)}."
    elif len(set(form.channels)) != len(form.channels):
        errors["channels"] = "Mỗi kênh chỉ chọn một lần trong thứ tự ưu tiên."
    elif ChannelName.EMAIL in form.channels and not form.email and form.active:
        errors["channels"] = "Đã chọn kênh thư điện tử nhưng chưa nhập địa chỉ thư điện tử."
    return errors


def save_person(
    session: Session, form: PersonForm, *, existing: str | None, now: datetime, by: str
) -> Person:
    """Create or update a person with the rules of directory.yaml; FormErrors otherwise."""
    row = session.exec(select(Person).where(Person.key == existing)).first() if existing else None
    if existing and row is None:
        raise NotFound(f"Không có người nhận mã “{existing}”.")
    key = existing or form.key
    errors = _person_errors(session, form, row is None)
    config: PersonConfig | None = None
    if not errors:
        try:
            config = PersonConfig.model_validate(
                {
                    "key": key, "agency": form.agency, "name": form.name,
                    "position": form.position, "role": form.role,
                    "email": form.email or None, "phone": form.phone or None,
                    "channels": form.channels, "active": form.active,
                }
            )  # fmt: skip
        except ValidationError as exc:
            errors = _pydantic_errors(exc)
    if errors or config is None:
        raise FormErrors(errors)
    agency = session.exec(select(Agency).where(Agency.code == form.agency)).one()
    assert agency.id is not None
    values = person_values(config, agency.id, row, Source.WEB)
    if row is None:
        row = Person(key=key, **values)
        session.add(row)
        kind = EventKind.CONTACT_ADD
    else:
        for column, value in values.items():
            setattr(row, column, value)
        kind = EventKind.CONTACT_SET
    session.flush()
    log_event(session, now, kind, f"{key} saved on the admin pages", person_id=row.id, by=by)
    return row


def _pydantic_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        name = name if name in _PYDANTIC_FIELDS else "form"
        fallback = f"Giá trị không hợp lệ ({error['msg']})."
        errors.setdefault(name, _FIELD_MESSAGES.get(name, fallback))
    return errors


# -- handing a record back to the file ---------------------------------------------------


def declared_in_file(directory: DirectoryConfig | None, kind: str, code: str) -> bool:
    if directory is None:
        return False
    entries: dict[str, list[Any]] = {
        "agency": [a.code for a in directory.agencies],
        "group": [g.code for g in directory.groups],
        "person": [p.key for p in directory.people],
    }
    return code in entries.get(kind, [])


def hand_back(
    session: Session, directory: DirectoryConfig, kind: str, code: str, *, now: datetime, by: str
) -> None:
    """Let the file manage the record again (applied by the next ``notifier sync``)."""
    row: Agency | AgencyGroup | Person | None
    if kind == "agency":
        row = session.exec(select(Agency).where(Agency.code == code)).first()
    elif kind == "group":
        row = session.exec(select(AgencyGroup).where(AgencyGroup.code == code)).first()
    else:
        row = session.exec(select(Person).where(Person.key == code)).first()
    if row is None:
        raise NotFound(f"Không có bản ghi “{code}”.")
    if not declared_in_file(directory, kind, code):
        raise FormErrors({"form": f"Tệp directory.yaml không khai báo “{code}”: không thể trả về."})
    row.source = Source.CONFIG
    log_event(session, now, EventKind.DIRECTORY_HANDBACK, f"{kind} {code} handed back to the file",
              code=code, by=by)  # fmt: skip
