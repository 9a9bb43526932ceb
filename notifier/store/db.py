"""Engines, sessions and schema upgrades.

SQLite is the embedded default: WAL, foreign keys on, and every transaction
``BEGIN IMMEDIATE`` so that claiming outbox rows is a real compare-and-set
between processes. PostgreSQL is the scale-out option (claims use
``FOR UPDATE SKIP LOCKED``, see queries).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ARRAY, Engine, Integer, any_, bindparam, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite make the parent folder and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a crash of the process (what the outbox needs);
        # only an OS crash or power loss can undo the last commits. One fsync per
        # checkpoint instead of per commit makes dispatch several times faster.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def describe_failure(exc: BaseException) -> str:
    """One line for a log or an error message: what failed, no traceback, no password.

    The database driver's own words are kept ("database is locked", "database or disk is
    full", "attempt to write a readonly database", "connection refused").
    """
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        detail = " ".join(str(orig if orig is not None else exc).split())
        return f"database unavailable ({type(orig or exc).__name__}: {detail[:300]})"
    if isinstance(exc, OSError):
        return f"system error ({type(exc).__name__}: {exc})"
    return f"{type(exc).__name__}: {exc}"


def safe_url(url: str) -> str:
    """The database URL as it may be printed: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(địa chỉ cơ sở dữ liệu không đọc được)"


# What a failing database says (lower case, SQLite and PostgreSQL) and what to do about it.
_DB_HINTS = (
    ("readonly", "cơ sở dữ liệu chỉ cho đọc: kiểm tra quyền ghi của tệp và thư mục chứa nó"),
    ("read-only", "cơ sở dữ liệu chỉ cho đọc: kiểm tra quyền ghi của tệp và thư mục chứa nó"),
    ("disk is full", "đĩa đã đầy: giải phóng chỗ trống rồi chạy lại lệnh"),
    ("no space left", "đĩa đã đầy: giải phóng chỗ trống rồi chạy lại lệnh"),
    ("unable to open database", "không mở được tệp cơ sở dữ liệu: kiểm tra đường dẫn và quyền"),
    ("not a database", "tệp này không phải là cơ sở dữ liệu SQLite"),
    ("database is locked", "cơ sở dữ liệu đang bị khóa bởi tiến trình khác: thử lại sau"),
    (
        "connection refused",
        "không kết nối được máy chủ cơ sở dữ liệu: kiểm tra máy chủ có đang chạy và địa chỉ, cổng",
    ),
    ("connection failed", "không kết nối được máy chủ cơ sở dữ liệu"),
    ("does not exist", "cơ sở dữ liệu hoặc tài khoản ghi trong địa chỉ không tồn tại"),
    ("password authentication", "máy chủ cơ sở dữ liệu từ chối mật khẩu"),
)


def describe_database_error(exc: BaseException, url: str) -> str:
    """One paragraph a person can act on: which database, what it said, what to do.

    Nothing of the failed command was committed: each command writes in one transaction.
    """
    orig = getattr(exc, "orig", None) or exc
    said = " ".join(str(orig).split())[:300]
    lowered = said.lower()
    hint = next((h for key, h in _DB_HINTS if key in lowered), "kiểm tra cơ sở dữ liệu")
    return (
        f"Cơ sở dữ liệu {safe_url(url)}: {hint}.\n"
        f"Thông báo của cơ sở dữ liệu: {said}\n"
        "Lệnh đã dừng, không có thay đổi nào được ghi dở dang (mọi thay đổi của lệnh đã được hủy); "
        "đề nghị khắc phục rồi chạy lại."
    )


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def among(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """``column IN ids``; on PostgreSQL ``= ANY`` of one array parameter: a thousand ids
    as a thousand parameters make ~23 KB of SQL that psycopg parses anew each time."""
    values = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    return column.in_(values)


def among_bound(column: Any, name: str, postgres: bool) -> Any:
    """:func:`among` of a parameter ``name`` (a list of ids given at execution): for a
    statement built once and run many times."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema; a no-op when already at head."""
    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(_alembic_config(engine), revision)
