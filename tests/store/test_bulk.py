"""store/bulk.execute_many stores exactly what SQLAlchemy's own executemany stores.

Its conversions run once per distinct value within a call; values that compare equal but
convert differently (one instant in two zones for a plain DateTime, 1 and True) must
still each be converted on their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    insert,
    select,
    update,
)

from notifier.store.bulk import execute_many
from notifier.store.types import EnumText, UTCDateTime
from notifier.vocab import DeliveryStatus

PLUS7 = timezone(timedelta(hours=7))
NOON_UTC = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
SAME_INSTANT_VN = NOON_UTC.astimezone(PLUS7)  # equal to NOON_UTC, another wall time

metadata = MetaData()
things = Table(
    "bulk_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("wall", DateTime()),  # a plain DateTime: SQLite stores the wall time as given
    Column("at", UTCDateTime()),
    Column("status", EnumText(DeliveryStatus)),
    Column("flag", Boolean),
    Column("count", Integer),
    Column("doc", JSON),
)
INSERT = insert(things)
UPDATE = update(things).where(things.c.id == bindparam("b_id")).values(count=bindparam("b_count"))


@pytest.fixture
def bulk_engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def _rows(first_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": first_id + i,
            "wall": wall,
            "at": at,
            "status": status,
            "flag": flag,
            "count": count,
            "doc": {"n": i, "tên": "Phòng Tài chính – Kế hoạch"},
        }
        for i, (wall, at, status, flag, count) in enumerate(
            [
                (NOON_UTC, NOON_UTC, DeliveryStatus.PENDING, True, 1),
                (SAME_INSTANT_VN, SAME_INSTANT_VN, "pending", 1, True),
                (NOON_UTC, NOON_UTC, DeliveryStatus.SENT, False, 0),
                (None, None, None, None, None),
                (SAME_INSTANT_VN, NOON_UTC + timedelta(hours=1), "sent", 0, 2),
            ]
        )
    ]


def _stored(engine: Engine, ids: range) -> list[tuple[Any, ...]]:
    columns = [c for c in things.c if c.name != "id"]
    with engine.connect() as conn:
        query = select(*columns).where(things.c.id.in_(list(ids))).order_by(things.c.id)
        return [tuple(row) for row in conn.execute(query)]


def test_rows_are_stored_as_sqlalchemy_stores_them(bulk_engine: Engine) -> None:
    with bulk_engine.begin() as conn:
        conn.execute(INSERT, _rows(1))
        assert execute_many(conn, INSERT, _rows(101)) == 5
    theirs, mine = _stored(bulk_engine, range(1, 6)), _stored(bulk_engine, range(101, 106))
    assert mine == theirs
    if bulk_engine.dialect.name == "sqlite":  # the wall time given, not the first one seen
        assert mine[1][0] != mine[0][0]
    assert [row[1] for row in mine][:2] == [NOON_UTC, NOON_UTC]


def test_an_update_converts_each_row(bulk_engine: Engine) -> None:
    with bulk_engine.begin() as conn:
        execute_many(conn, INSERT, _rows(1))
        changed = execute_many(
            conn,
            UPDATE,
            [{"b_id": 1, "b_count": 7}, {"b_id": 3, "b_count": 7}, {"b_id": 99, "b_count": 1}],
        )
    assert changed == 2
    assert [row[4] for row in _stored(bulk_engine, range(1, 6))] == [7, 1, 7, None, 2]


def test_a_row_without_a_parameter_is_refused_by_name(bulk_engine: Engine) -> None:
    with bulk_engine.begin() as conn, pytest.raises(ValueError, match="b_count"):
        execute_many(conn, UPDATE, [{"b_id": 1}])


def test_a_naive_instant_is_refused(bulk_engine: Engine) -> None:
    row = _rows(1)[0] | {"at": NOON_UTC.replace(tzinfo=None)}  # naive on purpose
    with bulk_engine.begin() as conn, pytest.raises(ValueError, match="time-zone aware"):
        execute_many(conn, INSERT, [_rows(1)[1], row])


def test_a_document_shared_by_rows_is_serialized_once_and_stored_for_each(db_url: str) -> None:
    """The sweep gives the people addressed by one step the same context document."""
    import json

    serialized: list[str] = []

    def counting(value: Any) -> str:
        out = json.dumps(value, ensure_ascii=False)
        serialized.append(out)
        return out

    engine = create_engine(db_url, json_serializer=counting)
    metadata.create_all(engine)
    try:
        shared = {"lý do": "Còn 5 ngày làm việc đến hạn 08/3/2024"}
        twin = dict(shared)  # equal, another object: serialized on its own
        rows = [{"id": i, "doc": doc} for i, doc in enumerate([shared, shared, twin, shared])]
        with engine.begin() as conn:
            assert execute_many(conn, insert(things), rows) == 4
        if engine.dialect.name == "sqlite":  # psycopg serializes each parameter as it sends it
            assert len(serialized) == 2
        with engine.connect() as conn:
            stored = conn.execute(select(things.c.doc).order_by(things.c.id)).scalars().all()
        assert stored == [shared] * 4
    finally:
        metadata.drop_all(engine)
        engine.dispose()
