"""The command line's own words in Vietnamese, in one place.

Two kinds: the help texts several commands share (``--json``, ``--plan``, dates), and the
words typer prints around every help page ("Usage:", the "Options", "Commands" and
"Arguments" panels, "[required]", the ``--help`` option, the type column). The nouns of
the domain (message kinds, roles, channels, statuses) are not here: they come with their
labels from :mod:`notifier.vocab`.

:func:`localized` is applied once to the command tree that ``run_cli`` runs: typer's
module-level panel words are set, every flag is shown alone (``--json``, not
``--json <bool>``), the type column reads in Vietnamese, and the usage line starts with
"Cách dùng:".

Click's error sentences ("Invalid value for '--from': ...", "Missing option '--to'.", "No
such command ...", the type conversions' "Input should be a valid integer") are written
again by :func:`error_message`: typer (0.29, which bundles its own click, ``typer._click``,
building them with f-strings, not gettext) prints every usage error through
``typer.rich_utils.rich_format_error``; :func:`localized` puts a wrapper there once that
gives the exception a Vietnamese ``format_message`` before it is printed. The exception's
fields (the parameter, the missing kind, the pydantic error behind a conversion) are read,
not its English text, where it has them; the rest is matched sentence by sentence against
:data:`SENTENCES`. A message of ours (already Vietnamese) passes unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import typer.rich_utils
from typer._click import exceptions as click_errors

# -- help texts shared by several commands ------------------------------------------------

JSON = "In kết quả dạng JSON (để dùng trong chương trình khác)."
PLAN = "Kế hoạch: ID, khóa hoặc số văn bản (ví dụ 24/KH-UBND), xem `notifier plan list`."
TASK = "Chỉ nhiệm vụ này (số hiệu, ví dụ II.1)."
AGENCY = "Mã cơ quan (xem `notifier agency list`)."
PERSON = "Mã người nhận (xem `notifier contact list`), ví dụ vp.chanh."
LOGIN = "Tên đăng nhập."
DAY_FROM = "Ngày đầu, dạng YYYY-MM-DD."
DAY_TO = "Ngày cuối (tính cả ngày này), dạng YYYY-MM-DD."
PLAN_FILE = "Văn bản kế hoạch: .md, .txt, .docx hoặc .pdf."
UNTIL = "Tính các thời hạn đến ngày này (YYYY-MM-DD)."
POSITION_ROLES = "Vị trí: head (thủ trưởng), deputy (cấp phó), focal_point (đầu mối), staff."
CHANNELS = "Thứ tự kênh ưu tiên, ví dụ telegram,email."

# -- typer's own words --------------------------------------------------------------------

USAGE = "Cách dùng: "
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM SỐ]..."
HELP_OPTION = "Xem hướng dẫn này rồi thoát."
RICH_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "Tham số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Xem [blue]'{command_path} {help_option}'[/] để biết cách dùng.",
    "DEFAULT_STRING": "[mặc định: {}]",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "DEPRECATED_STRING": "(không còn dùng) ",
}
# typer's type column ("<str>") in Vietnamese; a flag shows no type at all.
TYPE_WORDS = {
    "<str>": "<giá trị>",
    "<int>": "<số>",
    "<float>": "<số>",
    "<path>": "<đường dẫn>",
    "<file>": "<tệp>",
    "<directory>": "<thư mục>",
    "<datetime>": "<thời điểm>",
    "<%Y-%m-%d>": "<YYYY-MM-DD>",
    "<bool>": "",
}


def _set_rich_words() -> None:
    for name, text in RICH_WORDS.items():
        if hasattr(typer.rich_utils, name):
            setattr(typer.rich_utils, name, text)


_CONTEXTS: dict[type, type] = {}


def _context_class(base: Any) -> type:
    """``base`` whose help formatter writes the usage line in Vietnamese."""
    if base not in _CONTEXTS:
        formatter = base.formatter_class

        class Formatter(formatter):  # type: ignore[misc, valid-type]
            def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
                super().write_usage(prog, args, USAGE if prefix is None else prefix)

        _CONTEXTS[base] = type("VietnameseContext", (base,), {"formatter_class": Formatter})
    return _CONTEXTS[base]


def _type_words(param: Any) -> None:
    """The type column of one parameter in Vietnamese; nothing for a flag."""
    if getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""  # typer without display_type_rich: the metavar is the column
    shown: Callable[[Any], str | None] | None = getattr(param, "display_type_rich", None)
    if shown is None:
        return

    def display_type_rich(ctx: Any) -> str | None:
        if getattr(param, "is_flag", False):
            return None
        text = shown(ctx)
        return TYPE_WORDS.get(text, text) if text is not None else None

    param.display_type_rich = display_type_rich


def _help_option(command: Any) -> None:
    original = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None and option.help != HELP_OPTION:
            option.help = HELP_OPTION
            _type_words(option)
        return option

    command.get_help_option = get_help_option


def _localize(command: Any) -> None:
    command.context_class = _context_class(type(command).context_class)
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = SUBCOMMAND_METAVAR
    for param in command.params:
        _type_words(param)
    _help_option(command)
    for sub in getattr(command, "commands", {}).values():
        _localize(sub)


def localized(app: typer.Typer) -> Any:
    """The click command of ``app`` with typer's words in Vietnamese (see the module)."""
    _set_rich_words()
    _vietnamese_errors()
    command = typer.main.get_command(app)
    _localize(command)
    return command


# -- click's error sentences -------------------------------------------------------------

INVALID = "Giá trị không hợp lệ"
MISSING = {"option": "tùy chọn", "argument": "tham số", "parameter": "giá trị"}
CHOOSE_FROM = "Chọn một trong:"
ENV_VAR = "(biến môi trường:"
PATH = r"(?P<k>file|dir|path) (?P<p>.+)"  # typer: "file 'x.md' does not exist."
INSTANT = "{v} không phải là thời điểm; ghi theo ISO 8601, ví dụ 2024-05-08T16:30"
DAY = "{v} không phải là ngày; ghi theo dạng YYYY-MM-DD, ví dụ 2024-05-02"
# The sentences click and typer build with f-strings, as patterns, and what we write instead.
SENTENCES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), vi)
    for p, vi in (
        (r"No such option: (?P<o>.+)", "Không có tùy chọn {o}."),
        (r"Option (?P<o>.+) requires an argument\.", "Tùy chọn {o} cần một giá trị."),
        (r"Option (?P<o>.+) requires (?P<n>\d+) arguments\.", "Tùy chọn {o} cần {n} giá trị."),
        (r"Option (?P<o>.+) does not take a value\.", "Tùy chọn {o} không nhận giá trị."),
        (r"Argument (?P<a>.+) takes (?P<n>\d+) values\.", "Tham số {a} cần {n} giá trị."),
        (r"Got unexpected extra argument\(s\) \((?P<a>.*)\)", "Thừa tham số: {a}."),
        (r"Missing command\.", "Thiếu lệnh."),
        (r"No such command (?P<c>.+?)\.", "Không có lệnh {c}."),
        (PATH + r" does not exist\.", "{k} {p} không tồn tại."),
        (PATH + r" is a file\.", "{p} là một tệp; cần một thư mục."),
        (PATH + r" is a directory\.", "{p} là một thư mục; cần một tệp."),
        (PATH + r" is not readable\.", "Không đọc được {k} {p}."),
        (PATH + r" is not writable\.", "Không ghi được vào {k} {p}."),
        (r"Value must be an iterable\.", "Cần một danh sách giá trị."),
        (r"Value (?P<v>.+) is not a valid (?P<t>.+)\.", "{v} không phải là giá trị {t} hợp lệ."),
        (r"(?P<v>.+) is not one of (?P<c>.+)\.", "{v} không phải là một trong: {c}."),
        (r"(?P<v>.+) does not match the formats (?P<f>.+)\.", "{v} không đúng dạng {f}."),
        (r"(?P<n>\d+) values are required, but (?P<m>\d+) given\.", "Cần {n} giá trị, có {m}."),
        (r"value is not a valid tuple", "cần một nhóm giá trị."),
    )
]  # fmt: skip
SUGGESTION = re.compile(r"(?P<m>.*)\. Did you mean (?P<s>.+)\?", re.S)
KIND_WORDS = {"file": "tệp", "dir": "thư mục", "path": "đường dẫn"}
FORMAT_WORDS = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "mm", "%S": "ss"}
# Pydantic's conversion errors (typer 0.29 converts with it), by error type.
CONVERSIONS = {
    "int_parsing": "{v} không phải là số nguyên",
    "int_from_float": "{v} không phải là số nguyên",
    "float_parsing": "{v} không phải là số",
    "bool_parsing": "{v} không phải là giá trị đúng/sai (true/false, yes/no, 1/0)",
    "greater_than_equal": "{v} nhỏ quá: phải từ {ge} trở lên",
    "greater_than": "{v} nhỏ quá: phải lớn hơn {gt}",
    "less_than_equal": "{v} lớn quá: tối đa là {le}",
    "less_than": "{v} lớn quá: phải nhỏ hơn {lt}",
    "datetime_parsing": INSTANT,
    "datetime_from_date_parsing": INSTANT,
    "date_parsing": DAY,
    "date_from_datetime_parsing": DAY,
}  # fmt: skip
UNKNOWN_VALUE = "{v} không dùng được ở đây"


def sentence(text: str) -> str:
    """One of click's sentences in Vietnamese; a sentence not in :data:`SENTENCES` unchanged."""
    suggested = SUGGESTION.fullmatch(text)
    if suggested:  # typer: "No such command 'agenc'. Did you mean 'agency'?"
        return f"{sentence(suggested['m'] + '.')} Lệnh gần giống: {suggested['s']}."
    for pattern, vietnamese in SENTENCES:
        found = pattern.fullmatch(text)
        if found:
            words = found.groupdict()
            if "k" in words:
                words["k"] = KIND_WORDS[words["k"]]
            if "f" in words:
                for code, shown in FORMAT_WORDS.items():
                    words["f"] = words["f"].replace(code, shown)
            text = vietnamese.format(**words)
            return text[:1].upper() + text[1:]
    return text


def _conversion(error: dict[str, Any]) -> str:
    """A pydantic conversion error (``ValidationError.errors()[0]``) in Vietnamese."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in context:
        return sentence(str(context["error"]))
    template = CONVERSIONS.get(error["type"], UNKNOWN_VALUE)
    return template.format(v=repr(error.get("input")), **context)


def _hint(exc: Any) -> str:
    hint: Sequence[str] | str | None = exc.param_hint
    if hint is None and exc.param is not None:
        argument = exc.param.param_type_name == "argument"  # named as the usage line shows it
        hint = f"'{exc.param.name.upper()}'" if argument else exc.param.get_error_hint()
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return (hint or "").replace("(env var:", ENV_VAR)


def _value(exc: click_errors.BadParameter) -> str:
    """What is wrong with the value: the pydantic error behind it, else its sentence."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors) and type(cause).__name__ == "ValidationError" and errors():
        return _conversion(errors()[0])
    return sentence(exc.message)


def error_message(exc: click_errors.ClickException) -> str:
    """The text of one of click's errors, in Vietnamese (see the module)."""
    if isinstance(exc, click_errors.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
        hint = _hint(exc)
        text = f"Thiếu {MISSING.get(kind, kind)}{' ' + hint if hint else ''}."
        extra = exc.param.get_missing_message(ctx=exc.ctx) if exc.param else ""
        if extra:
            text += " " + extra.replace("Choose from:", CHOOSE_FROM)
        return text
    if isinstance(exc, click_errors.BadParameter):
        hint = _hint(exc)
        return f"{INVALID} cho {hint}: {_value(exc)}" if hint else f"{INVALID}: {_value(exc)}"
    if isinstance(exc, click_errors.NoSuchOption) and exc.possibilities:
        alike = ", ".join(sorted(exc.possibilities))
        return f"{sentence(exc.message)} Tùy chọn gần giống: {alike}."
    if isinstance(exc, click_errors.FileError):
        return f"Không mở được tệp {exc.ui_filename!r}: {exc.message}"
    return sentence(exc.message)


def _vietnamese_errors() -> None:
    """Wrap typer's error printer once so it prints :func:`error_message`."""
    printer = typer.rich_utils.rich_format_error
    if getattr(printer, "vietnamese", False):
        return

    def rich_format_error(self: click_errors.ClickException) -> None:
        setattr(self, "format_message", lambda: error_message(self))  # noqa: B010 (a method)
        printer(self)

    setattr(rich_format_error, "vietnamese", True)  # noqa: B010
    typer.rich_utils.rich_format_error = rich_format_error


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``command`` (for the tests of every ``--help``)."""
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.extend(walk(sub, (*path, name)))
    return found
