"""What the command line says is Vietnamese (issue 14, item 6): every command's --help,
typer's own words around it, flags shown alone, and the labels of preview, simulate,
`run --once`, `plan parse` and `plan list` instead of internal codes and ISO dates."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.rich_utils

from notifier.cli.app import app
from notifier.cli.glossary import error_message, localized, sentence, walk
from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]
ENGLISH = (
    "Usage:", "Options", "Commands", "Arguments", "Show this message", "[required]",
    "[default:", "<bool>", "<str>", "<path>", "<int>", "[OPTIONS]", "COMMAND [ARGS]",
    "Print JSON", "Only this", "Person key", "First day",
)  # fmt: skip
# Letters only Vietnamese writes (with its tone marks), not plain ASCII.
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")
CODES = ("reminder", "digest", "followup", "due_today", "escalation", "lead", "coordinating",
         "monitor", "compiler", "console", "reminder-5", "reminder-2")  # fmt: skip


@pytest.fixture(autouse=True)
def wide_help(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Help pages one line per option, so a phrase is never cut by the terminal width."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 250)
    yield


def commands() -> list[tuple[str, ...]]:
    return walk(localized(app))


def test_every_command_is_listed() -> None:
    paths = {" ".join(p) for p in commands()}
    assert {"", "plan import", "user add", "report", "calendar show", "contact invite"} <= paths
    assert len(paths) > 30


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "notifier")
def test_help_of_every_command_is_vietnamese(cli: Cli, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")
    assert result.code == 0, result.err
    page = result.out
    assert f"Cách dùng: notifier {' '.join(path)}".rstrip() in page
    assert "Xem hướng dẫn này rồi thoát." in page and "Tùy chọn" in page
    found = [word for word in ENGLISH if word in page]
    assert found == [], f"English left in `notifier {' '.join(path)} --help`: {found}\n{page}"


def test_every_help_text_is_written_in_vietnamese() -> None:
    """The description of each command and the help of each of its parameters."""
    missing = []
    stack = [((), localized(app))]
    while stack:
        path, command = stack.pop()
        name = " ".join(path) or "notifier"
        if not VIETNAMESE.search(command.help or ""):
            missing.append(f"{name}: {command.help!r}")
        for param in command.params:
            if not VIETNAMESE.search(getattr(param, "help", None) or ""):
                missing.append(f"{name} {param.opts[0]}: {getattr(param, 'help', None)!r}")
        stack += [((*path, n), c) for n, c in getattr(command, "commands", {}).items()]
    assert missing == []


def test_flags_show_alone(cli: Cli) -> None:
    page = cli("agency", "list", "--help").out
    assert re.search(r"--json +In kết quả dạng JSON", page)
    assert re.search(r"--all +Kể cả cơ quan đã ngừng", page)
    assert re.search(r"--help +Xem hướng dẫn", page)
    page = cli("plan", "import", "--help").out
    assert re.search(r"--dry-run +Chỉ kiểm tra", page)
    assert re.search(r"--until +<giá trị> +Tạo các thời hạn", page)  # a value keeps its type


def test_typer_errors_say_where_to_look_in_vietnamese(cli: Cli) -> None:
    result = cli("simulate", "--from", "x", "--to", "2024-05-01")
    assert result.code == 2
    assert "Cách dùng: notifier simulate [TÙY CHỌN]" in result.err
    assert "Xem 'notifier simulate --help' để biết cách dùng." in result.err
    assert "Lỗi" in result.err and "Error" not in result.err


@pytest.fixture
def seeded(cli: Cli, config_dir: Path, tmp_path: Path) -> tuple[str, ...]:
    base = ("--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'v.db'}")
    assert cli(*base, "init").code == 0
    assert cli(*base, "plan", "import", SEED_PLAN).code == 0
    return base


def words(text: str) -> set[str]:
    return set(re.findall(r"[\w\-]+", text))


def test_preview_prints_labels_not_codes(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "preview", "--from", "2024-04-15", "--to", "2024-05-20")
    assert result.code == 0, result.err
    out = result.out
    assert words(out) & set(CODES) == set()
    for label in ("Nhắc hạn", "Đến hạn", "Quá hạn", "Tổng hợp hằng ngày", "Đôn đốc cấp 2",
                  "Nhắc lại khi chưa phản hồi", "Chủ trì", "Phối hợp (đồng gửi)",
                  "Theo dõi, đôn đốc", "Màn hình"):  # fmt: skip
        assert label in out, label
    as_json = cli(*seeded, "preview", "--from", "2024-04-23", "--to", "2024-04-23", "--json").out
    reasons = {i["reason"] for i in json.loads(as_json) if i["kind"] == "followup"}
    assert reasons == {"Chưa có phản hồi cho tin nhắc hạn ngày 22/4/2024; nhắc lại qua kênh khác"}


def test_simulate_prints_labels_not_codes(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "simulate", "--from", "2024-04-22", "--to", "2024-05-03", "--quiet")
    assert result.code == 0, result.err
    summary = result.out[result.out.index("Đã gửi từ 22/4/2024 đến 03/5/2024") :]
    assert words(summary) & set(CODES) == set()
    for label in ("Nhắc hạn", "Đến hạn", "Quá hạn", "Tổng hợp hằng ngày", "Màn hình"):
        assert label in summary, label


def test_run_once_reports_in_vietnamese(cli: Cli, seeded: tuple[str, ...]) -> None:
    result = cli(*seeded, "run", "--once", "--at", "2024-04-22T08:30")
    assert result.code == 0, result.err
    tail = result.out[result.out.index("Lần chạy lúc 08:30 Thứ Hai, 22/4/2024.") :]
    assert re.search(r"Quét: \d+ thời hạn cần xử lý; đưa vào hàng gửi \d+ tin theo lịch", tail)
    assert re.search(r"Gửi: (\d+)/\1 tin đã gửi; 0 tin sẽ gửi lại sau, 0 tin không gửi được", tail)
    assert not {"claimed", "sent", "retried", "SweepReport"} & words(tail)
    log = cli(*seeded, "log").out  # what went out, in the same words
    assert "Nhắc hạn" in log and "Đã gửi" in log and "Màn hình" in log
    assert not re.search(
        r"│ (reminder|digest|sent|console|email|telegram) +│", log
    )  # no cell a code


def test_plan_parse_and_list_write_dates_as_documents_do(cli: Cli, seeded: tuple[str, ...]) -> None:
    parsed = cli("plan", "parse", SEED_PLAN).out
    assert "Kế hoạch (chưa có số) — UBND huyện Ba Tơ" in parsed
    assert "Ba Tơ, tháng 4/2024: Triển khai thực hiện" in parsed
    assert "Tháng 4 năm 2024 → 30/4/2024" in parsed
    listed = cli(*seeded, "plan", "list").out
    assert "tháng 4/2024" in listed
    assert not re.search(r"\d{4}-\d{2}", parsed + listed)


# -- click's error sentences ------------------------------------------------------------

CLICK_ENGLISH = (
    "Invalid value", "Missing option", "Missing argument", "Missing parameter", "No such",
    "is not a valid", "Got unexpected", "extra argument", "Did you mean", "requires an argument",
    "Input should", "unable to parse", "Error", "Try '", "for help", "is not one of",
    "does not match", "does not exist", "Possible options", "Choose from", "Usage",
)  # fmt: skip


def flat(text: str) -> str:
    """The error panel as one line: rich wraps it inside │ borders at the terminal width."""
    return " ".join(text.replace("│", " ").split())


def assert_vietnamese_usage_error(code: int, err: str, expected: str) -> None:
    said = flat(err)
    assert code == 2, err
    assert expected in said, said
    assert "Lỗi" in said and VIETNAMESE.search(said)
    assert [w for w in CLICK_ENGLISH if w in said] == [], said


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("simulate", "--from", "x", "--to", "2024-05-01"),
         "Giá trị không hợp lệ cho --from: 'x' không phải là ngày; ghi theo dạng YYYY-MM-DD"),
        (("simulate", "--from", "2024-05-01"), "Thiếu tùy chọn '--to'."),
        (("simulate", "--from"), "Tùy chọn '--from' cần một giá trị."),
        (("agency", "list", "--x"), "Không có tùy chọn --x."),
        (("agency", "list", "--jso"), "Không có tùy chọn --jso. Tùy chọn gần giống: --json."),
        (("agency", "list", "-q"), "Không có tùy chọn -q."),
        (("plan", "import"), "Thiếu tham số 'FILE'."),
        (("agency", "list", "thừa", "nữa"), "Thừa tham số: thừa nữa."),
        (("nosuch",), "Không có lệnh 'nosuch'."),
        (("agenc",), "Không có lệnh 'agenc'. Lệnh gần giống: 'agency'."),
        (("ack", "abc"), "Giá trị không hợp lệ cho 'MESSAGE_ID': 'abc' không phải là số nguyên"),
        (("calendar", "show", "--year", "20x"),
         "Giá trị không hợp lệ cho '--year': '20x' không phải là số nguyên"),
        (("run", "--speed", "nhanh"),
         "Giá trị không hợp lệ cho '--speed': 'nhanh' không phải là số"),
        (("contact", "invite", "vp.chanh", "--channel", "fax"),
         "Giá trị không hợp lệ cho --channel: không có kênh 'fax' để mời; chọn một trong: zalo"),
        (("send-test", "vp.chanh", "--channel", "fax"),
         "Giá trị không hợp lệ cho --channel: không có kênh 'fax'; chọn một trong: email"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)  # fmt: skip
def test_click_errors_are_vietnamese(cli: Cli, args: tuple[str, ...], expected: str) -> None:
    result = cli(*args)
    assert_vietnamese_usage_error(result.code, result.err, expected)


class Colour(enum.Enum):
    RED = "đỏ"
    BLUE = "xanh"


def small_app() -> typer.Typer:
    """Parameter types notifier does not use yet, so their conversion errors are covered too."""
    app = typer.Typer()

    @app.command()
    def show(
        colour: Annotated[Colour, typer.Option("--colour", help="Màu.")] = Colour.RED,
        at: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Ngày.")] = None,
        count: Annotated[int, typer.Option(min=1, max=5, help="Số lần.")] = 1,
        when: Annotated[datetime | None, typer.Option(help="Thời điểm.")] = None,
        source: Annotated[Path | None, typer.Option(exists=True, help="Tệp.")] = None,
        pick: Annotated[Colour | None, typer.Option(help="Bắt buộc.")] = None,
    ) -> None:
        """Thử."""

    @app.command()
    def file(
        source: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Tệp.")],
    ) -> None:
        """Thử."""

    @app.command()
    def need(pick: Annotated[Colour, typer.Option(help="Bắt buộc.")]) -> None:
        """Thử."""

    return app


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("show", "--colour", "tím"),
         "Giá trị không hợp lệ cho '--colour': 'tím' không phải là một trong: 'đỏ', 'xanh'."),
        (("show", "--at", "02/5/2024"),
         "Giá trị không hợp lệ cho '--at': '02/5/2024' không đúng dạng 'YYYY-MM-DD'."),
        (("show", "--count", "9"), "Giá trị không hợp lệ cho '--count': '9' lớn quá: tối đa là 5"),
        (("show", "--count", "0"),
         "Giá trị không hợp lệ cho '--count': '0' nhỏ quá: phải từ 1 trở lên"),
        (("show", "--when", "hôm qua"),
         "Giá trị không hợp lệ cho '--when': 'hôm qua' không phải là thời điểm"),
        (("show", "--source", "không-có.md"),
         "Giá trị không hợp lệ cho '--source': Đường dẫn 'không-có.md' không tồn tại."),
        (("file", "--source", "."),
         "Giá trị không hợp lệ cho '--source': '.' là một thư mục; cần một tệp."),
        (("need",), "Thiếu tùy chọn '--pick'. Chọn một trong:"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)  # fmt: skip
def test_conversion_errors_are_vietnamese(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        localized(small_app()).main(list(args), prog_name="thu", standalone_mode=True)
    code = stop.value.code
    assert isinstance(code, int)
    assert_vietnamese_usage_error(code, capsys.readouterr().err, expected)


def test_a_sentence_of_ours_passes_unchanged() -> None:
    said = error_message(typer.BadParameter("chỉ dùng --speed cùng với --at", param_hint="--speed"))
    assert said == "Giá trị không hợp lệ cho --speed: chỉ dùng --speed cùng với --at"
    assert sentence("Một câu không có trong bảng.") == "Một câu không có trong bảng."
