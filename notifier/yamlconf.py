"""YAML configuration with line numbers in every error.

Admins edit these files by hand, so every problem says where it is and what is
valid, for example::

    config/policy.yaml:12: unknown key 'remindr' in reminders[0]; valid keys: ..., to, cc
    config/calendar.yaml:4: '2026-13-01' is not a date (expected YYYY-MM-DD)
    config/directory.yaml:41: people[3].email: value is not a valid email address (got 'x@')

PyYAML's node tree keeps the line of every key and value; pydantic reports a
location path. :func:`locate` joins the two.

The loader is YAML 1.1 SafeLoader minus two traps: dates stay strings (so the
model decides what a bad date is, instead of PyYAML crashing without a line) and
``17:00`` stays a string instead of becoming the base-60 integer 1020. Duplicate
keys, which PyYAML silently collapses, are errors.
"""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, Union

import yaml
from pydantic import BaseModel, ValidationError

from notifier.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# C0 controls except tab, LF, CR; DEL; C1 controls except NEL: what YAML 1.1 refuses.
_FORBIDDEN = frozenset(
    [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
    + [chr(0x7F)]
    + [chr(c) for c in range(0x80, 0xA0) if c != 0x85]
)


class ConfigLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps and without base-60 numbers."""


def _resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = []
        for tag, regexp in entries:
            if tag == _TIMESTAMP_TAG:
                continue
            if tag == _INT_TAG:
                regexp = _INT
            elif tag == _FLOAT_TAG:
                regexp = _FLOAT
            kept.append((tag, regexp))
        table[first] = kept
    return table


ConfigLoader.yaml_implicit_resolvers = _resolvers()


@dataclass(frozen=True)
class YamlDocument:
    """Plain data plus the node tree that knows the line of every key and value."""

    data: Any
    root: yaml.Node | None


def _control_characters(text: str, source: str) -> list[str]:
    """Lines holding NUL or another control character YAML refuses (copied from Word, a
    broken editor): PyYAML would report a character offset, we name the line."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        bad = sorted({c for c in line if c in _FORBIDDEN})
        if bad:
            names = ", ".join(f"U+{ord(c):04X}" for c in bad)
            problems.append(
                f"{source}:{number}: ký tự điều khiển {names} không được phép trong tệp YAML; "
                "xóa ký tự đó (thường do sao chép từ văn bản khác) rồi lưu lại tệp"
            )
    return problems


def parse_yaml(text: str, source: str) -> YamlDocument:
    """Parse ``text`` (named ``source`` in errors) into data and node tree.

    The text is NFC first: names typed on macOS arrive decomposed (NFD) and would be
    stored, compared and matched as different strings from the same names in NFC.
    """
    problems = _control_characters(text, source)
    if problems:
        raise ConfigError(problems)
    text = unicodedata.normalize("NFC", text)
    loader = ConfigLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(data=None, root=None)
        problems = _duplicate_keys(root, source)
        if problems:
            raise ConfigError(problems)
        return YamlDocument(data=loader.construct_document(root), root=root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or exc.context or "invalid YAML"  # the parser's words, as it says them
        raise ConfigError([f"{source}:{line}: lỗi cú pháp YAML: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{source}: lỗi YAML: {exc}"]) from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> YamlDocument:
    """Parse a YAML file, keeping the node tree; syntax errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: không tìm thấy tệp"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: không đọc được tệp ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise ConfigError(
            [f"{path}: tệp không phải văn bản UTF-8; lưu lại tệp với bảng mã UTF-8"]
        ) from None
    return parse_yaml(text, str(path))


def _duplicate_keys(node: yaml.Node, source: str) -> list[str]:
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(
                        f"{source}:{key.start_mark.line + 1}: khóa '{key.value}' bị lặp lại"
                    )
                seen.add(key.value)
            problems.extend(_duplicate_keys(value, source))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems.extend(_duplicate_keys(item, source))
    return problems


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key if value is None else value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


def locate(node: yaml.Node | None, loc_path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node reached along ``loc_path`` (None if no tree)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc_path:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _key_line(root: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """Line of the key itself (for an unknown key whose value spans lines)."""
    if not loc:
        return locate(root, loc)
    parent = root
    for part in loc[:-1]:
        parent = _child(parent, part)
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(loc[-1]):
                return key.start_mark.line + 1
    return locate(root, loc)


def dotted(loc: Sequence[str | int]) -> str:
    """('reminders', 0, 'to') -> 'reminders[0].to'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(cấp ngoài cùng)"


def problem_at(path: Path, document: YamlDocument, loc: Sequence[str | int], text: str) -> str:
    """A cross-check problem found after validation, as ``file:line: where: what``."""
    line = locate(document.root, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {dotted(loc)}: {text}"


def _inner(annotation: Any) -> list[Any]:
    """Types inside Optional/Union/list/tuple/dict values/Annotated, or the type itself."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
    if origin is typing.Annotated:
        return _inner(args[0])
    if origin in (Union, types.UnionType, list, tuple, set, frozenset, Sequence):
        return [t for a in args for t in _inner(a)]
    if origin in (dict, Mapping):
        return _inner(args[1])
    return [annotation]


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Valid keys of the mapping at ``loc`` (empty if no model validates it)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            continue  # a dict key: the model below is the value's
        found = [t for t in _inner(field.annotation) if isinstance(t, type)]
        models = [t for t in found if issubclass(t, BaseModel)]
        current = models[0] if models else None
    return list(getattr(current, "model_fields", {}))


_DATE_ERRORS = {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_TIME_ERRORS = {"time_parsing", "time_type"}

# pydantic's own errors an admin meets most, in words (its ``ctx`` fills the braces); the
# configuration's own checks (validators) keep their message as they raise it.
_PLAIN_ERRORS = {
    "int_parsing": "cần một số nguyên",
    "int_type": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "float_parsing": "cần một số",
    "float_type": "cần một số",
    "bool_parsing": "cần true hoặc false",
    "bool_type": "cần true hoặc false",
    "string_type": "cần một chuỗi ký tự",
    "list_type": "cần một danh sách",
    "dict_type": "cần các cặp khóa: giá trị",
    "model_type": "cần các cặp khóa: giá trị",
    "model_attributes_type": "cần các cặp khóa: giá trị",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "không được lớn hơn {le}",
    "string_too_short": "cần ít nhất {min_length} ký tự",
    "string_too_long": "không được dài quá {max_length} ký tự",
    "too_short": "cần ít nhất {min_length} mục",
    "too_long": "không được quá {max_length} mục",
}


def describe_error(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence an admin understands (without file and line)."""
    loc = _clean_loc(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        valid = ", ".join(fields_at(model, loc[:-1])) or "(không có)"
        return (
            f"khóa '{loc[-1]}' không dùng được trong {dotted(loc[:-1])}; các khóa hợp lệ: {valid}"
        )
    if kind == "missing":
        return f"thiếu khóa '{loc[-1]}' trong {dotted(loc[:-1])}"
    if kind in _DATE_ERRORS or (kind == "date_type" and isinstance(value, str | int)):
        return f"'{value}' không phải là ngày (cần dạng YYYY-MM-DD)"
    if kind in _TIME_ERRORS:
        return f"'{value}' không phải là giờ (cần dạng HH:MM)"
    if kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{dotted(loc)}: '{value}' không hợp lệ; chỉ nhận một trong: " + expected.replace(
            " or ", ", "
        )
    message = _plain_message(error)
    scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
    if scalar and f"'{value}'" not in message and repr(value) not in message:  # told once
        return f"{dotted(loc)}: {message} (đang ghi: {value!r})"
    return f"{dotted(loc)}: {message}"


def _plain_message(error: Mapping[str, Any]) -> str:
    """The error in words when it is one of :data:`_PLAIN_ERRORS`, else as pydantic (or a
    validator of ours) worded it."""
    try:
        return _PLAIN_ERRORS[error["type"]].format(**error.get("ctx", {}))
    except (KeyError, IndexError):  # another error, or a context without what it names
        return str(error["msg"]).removeprefix("Value error, ")


def _clean_loc(loc: Sequence[Any]) -> tuple[str | int, ...]:
    """Drop pydantic's internal steps such as 'function-after[...]' from a location."""
    return tuple(p for p in loc if not isinstance(p, str) or "[" not in p)


def validate_model(
    data: Any, model: type[M], path: Path, document: YamlDocument | None = None
) -> M:
    """Validate ``data`` with ``model``; every problem becomes ``file:line: what``."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = _clean_loc(error["loc"])
            line = None
            if document is not None:
                if error["type"] == "extra_forbidden":
                    line = _key_line(document.root, loc)
                else:
                    line = locate(document.root, loc)
            where = f"{path}:{line}" if line else str(path)
            problems.append(f"{where}: {describe_error(model, error)}")
        raise ConfigError(problems) from None


def not_a_mapping(path: Path) -> ConfigError:
    """A file whose top level is a list or a scalar where its keys were expected."""
    return ConfigError([f"{path}:1: cấp ngoài cùng của tệp phải là các cặp khóa: giá trị"])


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read ``path`` and validate it with ``model`` (extra keys forbidden by the model)."""
    document = read_yaml(path)
    if document.data is not None and not isinstance(document.data, dict):
        raise not_a_mapping(path)
    return validate_model(document.data, model, path, document)
