"""Shared fixtures: databases (SQLite always, PostgreSQL when NOTIFIER_TEST_POSTGRES_URL is set),
a copy of the example configuration, and a CLI runner that returns exit status and output."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from notifier.store.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config"
# the sample plan (a copy of shared/seed/ke-hoach-ba-to-thai-hoa-2024.md, kept in config/plans)
SEED_PLAN = ROOT / "config" / "plans" / "ke-hoach-ba-to-thai-hoa-2024.md"
PG_URL = os.environ.get("NOTIFIER_TEST_POSTGRES_URL")
PG_SKIP = "PostgreSQL tests skipped: set NOTIFIER_TEST_POSTGRES_URL (e.g. postgresql+psycopg://root@127.0.0.1:5432/test)"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of config/ that a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, target)
    settings = target / "notifier.yaml"
    text = settings.read_text(encoding="utf-8")
    for key, name in (("console_path", "outbox.log"), ("secret_key_file", "secret.key")):
        text = text.replace(f"{key}: var/{name}", f"{key}: {tmp_path / 'var' / name}")
    settings.write_text(text, encoding="utf-8")
    return target


def _pg_schema_url(schema: str) -> str:
    assert PG_URL is not None
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store-level test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'notifier.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``notifier ARGS`` in-process; returns exit status, stdout and stderr."""
    from notifier.cli import run_cli

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = run_cli([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
