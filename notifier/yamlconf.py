"""YAML configuration with line numbers in every error.

PyYAML's node tree keeps the line of every key and value; pydantic reports a
location path such as ``people[3].email``. Joining the two gives errors like
``config/directory.yaml:41: people[3].email: 'x@' is not a valid email address``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from notifier.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    root: yaml.Node | None


def read_yaml(path: Path) -> YamlDocument:
    """Parse a YAML file, keeping the node tree; syntax errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text; save the file as UTF-8"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{path}:{line}: YAML syntax error: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: YAML error: {exc}"]) from None
    return YamlDocument(data=data, root=root)


def locate(root: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node reached along ``loc`` (None if no tree)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return key if value is None else value
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


def _key_line(root: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """Line of the key itself (for unknown keys the value may span lines)."""
    parent = root
    for part in loc[:-1]:
        parent = _child(parent, part)
    if isinstance(parent, yaml.MappingNode):
        for key, _ in parent.value:
            if key.value == loc[-1]:
                return key.start_mark.line + 1
    return locate(root, loc)


def dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def problem_at(path: Path, document: YamlDocument, loc: Sequence[str | int], text: str) -> str:
    line = locate(document.root, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {dotted(loc)}: {text}"


def _describe(error: Any, model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = ", ".join(_fields_at(model, loc[:-1])) or "(none)"
        return f"unknown key '{loc[-1]}'; valid keys here: {valid}"
    if kind == "missing":
        return "required but missing"
    value = error.get("input")
    shown = f"{value!r}: " if not isinstance(value, dict | list) else ""
    return f"{shown}{error['msg']}"


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def validate_model(
    data: Any, model: type[M], path: Path, document: YamlDocument | None = None
) -> M:
    """Validate ``data`` with ``model``; every problem becomes ``file:line: where: what``."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not isinstance(p, str) or "[" not in p)
            line = None
            if document is not None:
                line = _key_line(document.root, loc) if loc else locate(document.root, loc)
            where = f"{path}:{line}" if line else str(path)
            problems.append(f"{where}: {dotted(loc)}: {_describe(error, model, loc)}")
        raise ConfigError(problems) from None


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read ``path`` and validate it with ``model`` (extra keys forbidden by the model)."""
    document = read_yaml(path)
    return validate_model(document.data, model, path, document)
