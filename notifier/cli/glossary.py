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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer.rich_utils

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
    command = typer.main.get_command(app)
    _localize(command)
    return command


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under ``command`` (for the tests of every ``--help``)."""
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.extend(walk(sub, (*path, name)))
    return found
