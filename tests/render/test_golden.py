"""The golden messages (tests/render/golden/*.txt) are what the engine renders today.

A difference is either a regression or a deliberate change of wording: in that case run
``python -m tests.render.goldens``, read every changed file as the office would, and
commit them with the change (see tests/render/goldens.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.render.goldens import GOLDEN, build_cases


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_cases(tmp_path_factory.mktemp("golden"))


def test_every_golden_file_is_still_produced(cases: dict[str, str]) -> None:
    on_disk = {p.stem for p in GOLDEN.glob("*.txt")}
    assert on_disk == set(cases), "regenerate with: python -m tests.render.goldens"


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.txt")), ids=lambda p: p.stem)
def test_message_matches_its_golden_file(cases: dict[str, str], path: Path) -> None:
    assert cases[path.stem] == path.read_text(encoding="utf-8")


def test_golden_set_covers_every_kind_and_channel(cases: dict[str, str]) -> None:
    from notifier.vocab import MessageKind

    heads = [text.splitlines()[0] for text in cases.values()]
    kinds = {h.split(": ", 1)[1].split(" ", 1)[0] for h in heads}
    assert kinds == {k.value for k in MessageKind}
    for text in cases.values():
        for part in ("== Tiêu đề", "== Văn bản", "== Telegram", "== HTML"):
            assert part in text
        subject = text.split("== Tiêu đề (thư điện tử)\n", 1)[1].splitlines()[0]
        assert len(subject) <= 120
