"""Agencies as the upload page changes them: a name a plan wrote becomes an alias of an
agency, or a new agency. Both are kept by ``sync`` (see :mod:`notifier.admin`).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import select

from notifier.errors import Refused
from notifier.plans.importer import agency_index
from notifier.runtime import Runtime
from notifier.store.db import session_scope
from notifier.store.models import Agency, AgencyAlias, Event
from notifier.vocab import EventKind, Source

CODE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # as config/directory.yaml requires
NAME_MAX = 500


class AgencyInputError(Refused, ValueError):
    """An alias or a new agency the page cannot save; the message says why."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def add_alias(runtime: Runtime, code: str, alias: str, login: str, now: datetime) -> str:
    """Save ``alias`` (a name as a plan wrote it) for the agency ``code``; returns the code."""
    alias = _clean(alias)
    if not alias or len(alias) > NAME_MAX:
        raise AgencyInputError("Tên cơ quan trong văn bản trống hoặc quá dài.")
    with session_scope(runtime.engine) as session:
        agency = session.exec(select(Agency).where(Agency.code == code)).first()
        if agency is None or not agency.active:
            raise AgencyInputError(f"Không có cơ quan mã {code!r} trong danh bạ; chọn lại.")
        index, _, _ = agency_index(session)
        match = index.resolve(alias)
        if match is not None and match.code != code:
            raise AgencyInputError(
                f"Tên {alias!r} đã ứng với {match.code} trong danh bạ; không thể gán cho {code}."
            )
        if match is None:
            assert agency.id is not None
            session.add(
                AgencyAlias(agency_id=agency.id, alias=alias, created_at=now, created_by=login)
            )
            session.add(
                Event(
                    at=now,
                    kind=EventKind.AGENCY_ALIAS,
                    message=f"alias {alias!r} -> {code}",
                    data={"agency": code, "alias": alias, "login": login},
                )
            )
        return code


def create_agency(
    runtime: Runtime, code: str, name: str, alias: str, login: str, now: datetime
) -> str:
    """A new agency (source web), with the plan's wording as its alias when it differs."""
    code, name, alias = code.strip().lower(), _clean(name), _clean(alias)
    if not CODE.match(code) or len(code) > 64:
        raise AgencyInputError(
            f"Mã {code!r} không hợp lệ: chỉ dùng chữ thường không dấu, số, dấu chấm, gạch nối "
            "(ví dụ: phong-tu-phap), tối đa 64 ký tự."
        )
    if not name or len(name) > NAME_MAX:
        raise AgencyInputError("Chưa ghi tên chính thức của cơ quan.")
    with session_scope(runtime.engine) as session:
        if session.exec(select(Agency).where(Agency.code == code)).first() is not None:
            raise AgencyInputError(f"Mã {code!r} đã có trong danh bạ; chọn mã khác.")
        index, _, _ = agency_index(session)
        for written in {name, alias} - {""}:
            match = index.resolve(written)
            if match is not None:
                raise AgencyInputError(
                    f"Tên {written!r} đã ứng với {match.code} trong danh bạ; hãy chọn cơ quan đó."
                )
        aliases = [alias] if alias and alias != name else []
        agency = Agency(code=code, name=name, aliases=[], source=Source.WEB)
        session.add(agency)
        session.flush()
        assert agency.id is not None
        for written in aliases:  # kept apart so that sync, which rewrites aliases, keeps it
            session.add(
                AgencyAlias(agency_id=agency.id, alias=written, created_at=now, created_by=login)
            )
        session.add(
            Event(
                at=now,
                kind=EventKind.AGENCY_ADD,
                message=f"agency {code} added",
                data={"agency": code, "name": name, "alias": alias, "login": login},
            )
        )
        return code
