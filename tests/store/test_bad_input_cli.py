"""Bad input at the command line (issue 18): what each gets, message and exit status.

Configuration mistakes that only showed later (a broken custom template, an admin who is
nobody, a webhook URL without its secret), database URLs with passwords, databases that
cannot be reached or written, control characters and decomposed text in YAML, dates and
ranges on the command line. Each case checks the exit status, the words of the message
and, where something could be written, that the database is unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from notifier.cli import run_cli
from notifier.cli.common import AppState
from notifier.store.db import make_engine
from notifier.store.models import Agency, Plan
from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]


def _db_bytes(db: Path) -> bytes:
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _initialised(cli: Cli, config_dir: Path, tmp_path: Path) -> tuple[tuple[str, ...], Path]:
    db = tmp_path / "n.db"
    base = ("--config", str(config_dir), "--db", f"sqlite:///{db}")
    assert cli(*base, "init").code == 0
    return base, db


def _edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content, old
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


# -- configuration that init, sync and run refuse ----------------------------------------


@pytest.mark.parametrize("command", ["init", "sync", "run --once"])
def test_a_broken_custom_template_is_refused_naming_the_file(
    cli: Cli, config_dir: Path, tmp_path: Path, command: str
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    (config_dir / "templates").mkdir()
    (config_dir / "templates" / "reminder.text.j2").write_text("{{ task_title ", "utf-8")
    result = cli(*base, *command.split())
    assert result.code == 2, result.out + result.err
    assert "templates/reminder.text.j2" in result.err and "TemplateSyntaxError" in result.err
    assert _db_bytes(db) == before


def test_a_template_naming_an_unknown_variable_is_refused(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base, _ = _initialised(cli, config_dir, tmp_path)
    (config_dir / "templates").mkdir()
    (config_dir / "templates" / "overdue.subject.j2").write_text("{{ task_titel }}", "utf-8")
    result = cli(*base, "sync")
    assert result.code == 2
    assert "overdue.subject.j2" in result.err and "task_titel" in result.err


@pytest.mark.parametrize("command", ["init", "sync", "run --once"])
def test_an_admin_who_is_nobody_is_refused_naming_the_entry(
    cli: Cli, config_dir: Path, tmp_path: Path, command: str
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    settings = config_dir / "notifier.yaml"
    _edit(settings, "admins: [vp.quan-tri]", "admins: [vp.quan-tri, vp.quan-try]")
    line = next(
        n
        for n, row in enumerate(settings.read_text("utf-8").splitlines(), start=1)
        if row.startswith("admins:")
    )
    result = cli(*base, *command.split())
    assert result.code == 2, result.out + result.err
    assert f"notifier.yaml:{line}: admins[1]:" in result.err
    assert "'vp.quan-try'" in result.err and "'vp.quan-tri'" in result.err  # the close match
    assert _db_bytes(db) == before


def test_an_admin_added_with_contact_add_is_known(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base, _ = _initialised(cli, config_dir, tmp_path)
    added = cli(*base, "contact", "add", "it.admin", "--agency", "vp-hdnd-ubnd", "--name", "An")
    assert added.code == 0, added.err
    _edit(config_dir / "notifier.yaml", "admins: [vp.quan-tri]", "admins: [it.admin]")
    assert cli(*base, "sync").code == 0


@pytest.mark.parametrize(
    ("url_variable", "url", "secret_variable"),
    [
        ("NOTIFIER_TELEGRAM_WEBHOOK_URL", "https://x.vn/tg", "NOTIFIER_TELEGRAM_WEBHOOK_SECRET"),
        ("NOTIFIER_ZALO_WEBHOOK_URL", "https://x.vn/zalo", "NOTIFIER_ZALO_WEBHOOK_SECRET"),
    ],
)
def test_a_webhook_url_without_its_secret_is_refused(
    cli: Cli,
    config_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url_variable: str,
    url: str,
    secret_variable: str,
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    monkeypatch.setenv(url_variable, url)
    monkeypatch.delenv(secret_variable, raising=False)
    for command in ("init", "sync", "run --once"):
        result = cli(*base, *command.split())
        assert result.code == 2, result.out + result.err
        assert url_variable in result.err and secret_variable in result.err
    assert _db_bytes(db) == before
    monkeypatch.setenv(secret_variable, "s3cret-s3cret")
    assert cli(*base, "sync").code == 0


# -- database URLs and databases that fail ------------------------------------------------


def test_a_printed_database_url_never_shows_its_password() -> None:
    from notifier.store.db import safe_url

    assert safe_url("postgresql+psycopg://notifier:s3cret@db:5432/n") == (
        "postgresql+psycopg://notifier:***@db:5432/n"
    )
    assert safe_url("sqlite:///var/notifier.db") == "sqlite:///var/notifier.db"


@pytest.mark.postgres
def test_init_and_the_run_init_first_error_mask_the_password(
    cli: Cli, config_dir: Path, pg_url: str
) -> None:
    """PostgreSQL trusts the test user, so a password in the URL connects and is printed."""
    with_password = pg_url.replace("root@", "root:s3cret-pw@", 1)
    assert "s3cret-pw" in with_password
    base = ("--config", str(config_dir), "--db", with_password)
    before = cli(*base, "status")
    assert before.code == 2 and "notifier init" in before.err
    assert "s3cret-pw" not in before.err and "root:***@" in before.err
    done = cli(*base, "init")
    assert done.code == 0, done.err
    assert "s3cret-pw" not in done.out and "root:***@" in done.out


def test_an_unreachable_database_is_a_clear_error_with_the_password_masked(
    cli: Cli, config_dir: Path
) -> None:
    url = "postgresql+psycopg://notifier:s3cret-pw@127.0.0.1:1/notifier"
    result = cli("--config", str(config_dir), "--db", url, "status")
    assert result.code == 3
    assert "Traceback" not in result.err and "s3cret-pw" not in result.err
    assert "notifier:***@127.0.0.1:1" in result.err
    assert "không kết nối được máy chủ cơ sở dữ liệu" in result.err


def test_a_read_only_database_refuses_an_import_and_stays_as_it_was(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    _, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    result = cli("--config", str(config_dir), "--db", read_only, "plan", "import", SEED_PLAN)
    assert result.code == 3, result.out + result.err
    assert "Traceback" not in result.err
    assert "chỉ cho đọc" in result.err and str(db) in result.err
    assert _db_bytes(db) == before


def test_a_full_disk_during_an_import_leaves_nothing_half_written(
    cli: Cli, config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's max_page_count answers SQLITE_FULL exactly as a full disk does."""
    _, db = _initialised(cli, config_dir, tmp_path)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    engine.dispose()  # the next connection gets the limit
    state = AppState(config_dir=config_dir, db_url=url, _engine=engine)
    capsys.readouterr()
    code = run_cli(["plan", "import", str(SEED_PLAN)], state=state)
    err = capsys.readouterr().err
    assert code == 3, err
    assert "đĩa đã đầy" in err and "database or disk is full" in err and str(db) in err
    check = make_engine(url)
    with Session(check) as session:
        assert session.exec(select(Plan)).all() == []
    check.dispose()


# -- control characters and decomposed text in YAML ---------------------------------------


def test_nul_in_a_yaml_file_is_refused_naming_file_and_line(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    path = config_dir / "directory.yaml"
    _edit(path, "name: Trần Văn Minh", "name: Trần Văn\x00 Minh")
    line = next(n for n, r in enumerate(path.read_text("utf-8").splitlines(), 1) if "\x00" in r)
    result = cli(*base, "sync")
    assert result.code == 2 and "Traceback" not in result.err
    assert f"directory.yaml:{line}: ký tự điều khiển U+0000" in result.err
    assert _db_bytes(db) == before


def test_a_directory_saved_as_nfd_changes_nothing_and_is_stored_as_nfc(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    path = config_dir / "directory.yaml"
    path.write_text(unicodedata.normalize("NFD", path.read_text("utf-8")), "utf-8")
    result = cli(*base, "sync")
    assert result.code == 0 and "Danh bạ không thay đổi." in result.out
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        names = [a.name for a in session.exec(select(Agency)).all()]
    engine.dispose()
    assert names and all(unicodedata.is_normalized("NFC", n) for n in names)


# -- dates and ranges on the command line ------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["preview", "--from", "0001-01-01", "--to", "9999-12-31"], "năm 1 nằm ngoài"),
        (["preview", "--from", "2024-06-01", "--to", "2024-05-01"], "trước ngày đầu"),
        (["preview", "--from", "2024-01-01", "--to", "2031-01-01"], "dài quá 1830 ngày"),
        (["preview", "--from", "2024-02-30", "--to", "2024-03-01"], "không phải là ngày"),
        (["simulate", "--from", "2024-06-01", "--to", "2024-05-01"], "trước ngày đầu"),
        (["simulate", "--from", "0001-01-01", "--to", "0001-01-02"], "năm 1 nằm ngoài"),
        (["run", "--once", "--at", "2024-05-02T08:00", "--speed", "-5"], "tốc độ đồng hồ"),
        (["run", "--once", "--at", "9999-12-31T23:00"], "năm 9999 nằm ngoài"),
        (["run", "--once", "--speed", "10"], "chỉ dùng --speed cùng với --at"),
        (["log", "--since", "0001-01-01"], "năm 1 nằm ngoài"),
        (["done", "II.1", "--at", "hôm qua"], "không phải là thời điểm"),
        (["calendar", "show", "--year", "9999"], "năm 9999 nằm ngoài"),
        (["calendar", "show", "--year", "0"], "năm 0 nằm ngoài"),
        (["report", "--plan", "1", "--at", "9999-12-31", "--format", "csv"], "năm 9999 nằm ngoài"),
    ],
)
def test_bad_dates_and_ranges_exit_2_before_anything_runs(
    cli: Cli, config_dir: Path, tmp_path: Path, args: list[str], words: str
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    result = cli(*base, *args)
    assert result.code == 2, result.out + result.err
    assert words in " ".join(result.err.replace("│", " ").split())
    assert "Traceback" not in result.err
    assert _db_bytes(db) == before


def test_a_valid_preview_window_still_works(cli: Cli, config_dir: Path, tmp_path: Path) -> None:
    base, _ = _initialised(cli, config_dir, tmp_path)
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    result = cli(*base, "preview", "--from", "2024-04-22", "--to", "2024-04-22")
    assert result.code == 0 and "II.1" in result.out


# -- plan files at the command line ------------------------------------------------------


def _bomb(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (60 << 20) + b"</w:document>")


def _not_word(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "a zip, not a Word package")


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("renamed.docx", lambda p: p.write_bytes(b"{\\rtf1 Word 97}"), "không phải tệp Word .docx"),
        ("bom.docx", _bomb, "bom zip"),
        ("zip.docx", _not_word, "không có word/document.xml"),
        ("latin1.md", lambda p: p.write_bytes(b"K\xe9 ho\xe1ch\n1. Vi\xeac"), "UTF-8"),
        ("trong.md", lambda p: p.write_text("\n\n", "utf-8"), "không có nhiệm vụ"),
        ("thieu.md", None, "không"),
    ],
)
def test_a_plan_file_that_cannot_be_read_exits_2_naming_it_and_writes_nothing(
    cli: Cli, config_dir: Path, tmp_path: Path, name: str, make: object, words: str
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    before = _db_bytes(db)
    path = tmp_path / name
    if callable(make):
        make(path)
    result = cli(*base, "plan", "import", path)
    message = " ".join(result.err.split())
    assert result.code == 2, result.out + result.err
    assert name in message and words.lower() in message.lower(), message
    assert "Traceback" not in result.err
    assert _db_bytes(db) == before


def test_nul_bytes_and_nfd_in_a_plan_import_as_the_clean_text(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    base, db = _initialised(cli, config_dir, tmp_path)
    messy = tmp_path / "ke-hoach.md"
    clean = SEED_PLAN.read_text("utf-8")
    nfd = unicodedata.normalize("NFD", clean).replace("Tham quan", "Tham\x00 quan")
    messy.write_text(nfd, "utf-8")
    assert cli(*base, "plan", "import", messy).code == 0
    again = cli(*base, "plan", "import", SEED_PLAN)  # the same plan: updated, not a second
    assert again.code == 0 and "Đã cập nhật" in again.out, again.out + again.err
    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as session:
        [plan] = session.exec(select(Plan)).all()
        assert unicodedata.is_normalized("NFC", plan.title) and "\x00" not in plan.title
    engine.dispose()


def test_a_full_disk_during_init_leaves_no_half_built_schema(
    config_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import inspect

    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA max_page_count=12")

    capsys.readouterr()
    code = run_cli(["init"], state=AppState(config_dir=config_dir, db_url=url, _engine=engine))
    err = capsys.readouterr().err
    assert code == 3 and "đĩa đã đầy" in err, err
    check = make_engine(url)
    assert inspect(check).get_table_names() == []
    check.dispose()


def test_a_database_file_that_is_not_sqlite_is_named_and_left_alone(
    cli: Cli, config_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "notes.db"
    db.write_text("ghi chú của văn phòng, không phải cơ sở dữ liệu\n" * 20, "utf-8")
    before = db.read_bytes()
    for command in ("status", "init"):
        result = cli("--config", str(config_dir), "--db", f"sqlite:///{db}", command)
        assert result.code == 3, result.out + result.err
        assert "không phải là cơ sở dữ liệu SQLite" in result.err and str(db) in result.err
    assert db.read_bytes() == before
