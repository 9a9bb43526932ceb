"""Each plan in tests/plans/corpus/ parses to its reviewed ``<name>.expected.json``.

To refresh after an intended change: ``NOTIFIER_UPDATE_CORPUS=1 pytest tests/plans/test_corpus.py``
then review the diff of the .expected.json files before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from notifier.plans.parse import parse_plan_file

CORPUS = Path(__file__).parent / "corpus"
PLANS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".txt", ".docx"))


def actual(path: Path) -> dict:
    data = parse_plan_file(path).to_json()
    data["plan"].pop("source")
    return data


def test_corpus_covers_both_file_types_and_eight_plans() -> None:
    assert len(PLANS) >= 8
    assert {p.suffix for p in PLANS} >= {".md", ".txt", ".docx"}


def test_corpus_covers_all_four_layouts() -> None:
    layouts = {t["layout"] for p in PLANS for t in actual(p)["tasks"]}
    assert layouts == {"list", "table", "agency", "prose"}


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_plan_parses_to_expected_json(path: Path) -> None:
    expected_path = path.with_name(path.name + ".expected.json")
    got = actual(path)
    if os.environ.get("NOTIFIER_UPDATE_CORPUS"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", "utf-8")
        pytest.skip("expected JSON rewritten")
    expected = json.loads(expected_path.read_text("utf-8"))
    assert got["plan"] == expected["plan"]
    assert [t["ref"] for t in got["tasks"]] == [t["ref"] for t in expected["tasks"]]
    for g, e in zip(got["tasks"], expected["tasks"], strict=True):
        assert g == e, g["ref"]
    assert got == expected
