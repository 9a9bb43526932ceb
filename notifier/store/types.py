"""Column types shared by the tables.

SQLite has no time-zone aware timestamp type, so every instant is stored as UTC
(naive on SQLite, ``timestamptz`` on PostgreSQL) and always comes back aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"expected a time-zone aware datetime, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A StrEnum stored as its plain string value (the column stays VARCHAR).

    Binding refuses a value the enum does not know, so a typo never reaches the
    database; reading returns the member, so code compares members, not strings.
    """

    impl = AutoString
    cache_ok = True

    def __init__(self, enum: type[E], length: int | None = None) -> None:
        super().__init__(length=length)
        self.enum = enum
        self._members: dict[str, E] = {m.value: m for m in enum}  # rows are many: no enum()

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        member = self._members.get(value)
        return (member if member is not None else self.enum(value)).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        member = self._members.get(value)
        return member if member is not None else self.enum(value)
