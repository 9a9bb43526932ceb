"""The floor plan holds: one vocabulary, and imports that only point down.

Both read the source, so a change that brings back a raw status string or an import
from the engine into the answer surfaces fails here, with the place named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from notifier import vocab

PACKAGE = Path(vocab.__file__).parent
# The plan parser speaks the document's own words (its JSON says "lead", "monitor");
# the importer translates them into the vocabulary.
OWN_WORDS = ("plans",)
WATCHED = (
    vocab.MessageKind, vocab.DeliveryStatus, vocab.ChannelName, vocab.Via, vocab.AckAction,
    vocab.DeadlineStatus, vocab.PlanStatus, vocab.AttemptOutcome, vocab.EventKind,
)  # fmt: skip
WATCHED_VALUES = {m.value for enum in WATCHED for m in enum}
KEYWORDS = {"kind", "status", "channel", "via", "action", "outcome"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if "migrations" in path.parts or path.name == "vocab.py":
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node: ast.AST) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.Tuple | ast.List | ast.Set):
        for element in node.elts:
            yield from _strings(element)


def _raw_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        operands: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            operands = [k.value for k in node.keywords if k.arg in KEYWORDS]
        for operand in operands:
            for const in _strings(operand):
                if const.value in WATCHED_VALUES:
                    yield const.lineno, const.value


def test_no_raw_kind_status_or_channel_strings_outside_the_vocabulary() -> None:
    found = [
        f"{rel}:{line}: {value!r}"
        for rel, tree in _modules()
        if not any(f"notifier/{part}/" in rel for part in OWN_WORDS)
        for line, value in _raw_uses(tree)
    ]
    assert found == [], "compare with the vocab members instead:\n" + "\n".join(found)


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


# Who may not import whom: the layers below never reach up.
ABOVE_STORE = ("notifier.engine", "notifier.interact", "notifier.services", "notifier.cli")
FORBIDDEN = {
    "notifier/domain/": ("notifier.store", *ABOVE_STORE),
    "notifier/store/": ABOVE_STORE,
    "notifier/signing": ("notifier.engine", "notifier.interact", "notifier.store"),
    "notifier/render": ("notifier.engine", "notifier.interact", "notifier.services"),
    "notifier/channels/": ("notifier.engine", "notifier.interact", "notifier.services"),
    "notifier/engine/": ("notifier.interact", "notifier.services", "notifier.cli"),
    "notifier/services/": ("notifier.engine", "notifier.interact", "notifier.cli"),
    "notifier/interact/": ("notifier.engine", "notifier.cli"),
    # The compiled report is data read from the store; the message renders it later.
    "notifier/reports/": (
        "notifier.engine",
        "notifier.interact",
        "notifier.services",
        "notifier.cli",
        "notifier.render",
    ),
}


def test_imports_only_point_down() -> None:
    vocab_imports = list(_imports(ast.parse(Path(vocab.__file__).read_text(encoding="utf-8"))))
    assert not [m for m in vocab_imports if m.startswith("notifier")]
    wrong = [
        f"{rel} imports {module}"
        for rel, tree in _modules()
        for prefix, banned in FORBIDDEN.items()
        if rel.startswith(prefix)
        for module in _imports(tree)
        if module.startswith(banned)
    ]
    assert wrong == []
