"""A plan without "Cơ quan chỉ đạo": said at import, shown in preview and status, and fixed
by the plan's own settings file beside the document."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEED_PLAN, CliResult

Cli = Callable[..., CliResult]


@pytest.fixture
def undirected(tmp_path: Path) -> Path:
    """The sample plan with its two "Cơ quan chỉ đạo" lines taken out."""
    lines = SEED_PLAN.read_text(encoding="utf-8").splitlines(keepends=True)
    plan = tmp_path / "plans" / "khong-co-co-quan-chi-dao.md"
    plan.parent.mkdir()
    plan.write_text("".join(x for x in lines if not x.startswith("- Cơ quan chỉ đạo")), "utf-8")
    return plan


def _db(config_dir: Path, tmp_path: Path) -> tuple[str, ...]:
    return ("--config", str(config_dir), "--db", f"sqlite:///{tmp_path / 'n.db'}")


def test_import_says_which_level_has_nowhere_to_go(
    cli: Cli, config_dir: Path, tmp_path: Path, undirected: Path
) -> None:
    db = _db(config_dir, tmp_path)
    assert cli(*db, "init").code == 0
    result = cli(*db, "plan", "import", undirected)
    assert result.code == 0, result.err
    assert "nhiệm vụ II.1, II.2 không có cơ quan chỉ đạo; cấp đôn đốc 2" in result.out
    assert "khong-co-co-quan-chi-dao.policy.yaml" in result.out

    preview = cli(*db, "preview", "--from", "2024-05-01", "--to", "2024-05-31", "--json")
    items = json.loads(preview.out)
    level2 = [i for i in items if i["kind"] == "escalation" and i["level"] == 2]
    assert level2 and all(
        i["person"] == "" and "không có cơ quan chỉ đạo" in i["reason"] for i in level2
    )
    assert level2[0]["at"].startswith("2024-05-08"), "5 working days after 02/5 (Sat 04/5 worked)"

    board = json.loads(cli(*db, "status", "--json").out)
    assert {i["task"]: i["unreached_levels"] for i in board["items"]} == {"II.1": [2], "II.2": [2]}
    assert any("cấp đôn đốc 2" in w for w in board["warnings"])


def test_the_settings_file_names_who_directs_and_the_chairman_is_reached(
    cli: Cli, config_dir: Path, tmp_path: Path, undirected: Path
) -> None:
    side = undirected.with_name("khong-co-co-quan-chi-dao.policy.yaml")
    side.write_text("directing: [Ủy ban nhân dân huyện]\n", encoding="utf-8")
    db = _db(config_dir, tmp_path)
    assert cli(*db, "init").code == 0
    result = cli(*db, "plan", "import", undirected)
    assert result.code == 0, result.err
    assert "cấp đôn đốc 2" not in result.out and f"cài đặt riêng của kế hoạch: {side}" in result.out
    preview = cli(*db, "preview", "--from", "2024-05-01", "--to", "2024-05-31", "--json")
    chairman = [i for i in json.loads(preview.out) if i["person"] == "ubnd-huyen.chu-tich"]
    assert {i["level"] for i in chairman} == {2}
    board = json.loads(cli(*db, "status", "--json").out)
    assert all(i["unreached_levels"] == [] for i in board["items"])


def test_a_policy_override_in_the_settings_file_applies_to_that_plan_only(
    cli: Cli, config_dir: Path, tmp_path: Path, undirected: Path
) -> None:
    side = undirected.with_name("khong-co-co-quan-chi-dao.policy.yaml")
    side.write_text(
        "directing: [Ủy ban nhân dân huyện]\npolicy:\n  escalation:\n    max_repeats: 0\n",
        encoding="utf-8",
    )
    db = _db(config_dir, tmp_path)
    assert cli(*db, "init").code == 0
    assert cli(*db, "plan", "import", undirected).code == 0
    preview = cli(*db, "preview", "--from", "2024-05-01", "--to", "2024-06-30", "--json")
    chairman = [i for i in json.loads(preview.out) if i["person"] == "ubnd-huyen.chu-tich"]
    assert [i["at"][:10] for i in chairman if i["task"] == "II.1"] == ["2024-05-08"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "directing: [Không có cơ quan này]\n",
            "không tìm thấy cơ quan, đơn vị 'Không có cơ quan này'",
        ),
        ("chi_dao: [UBND huyện]\n", "chi_dao"),
        ("policy:\n  escalation:\n    max_repeats: -1\n", "max_repeats"),
    ],
)
def test_a_bad_settings_file_is_refused_with_its_name_and_nothing_is_written(
    cli: Cli, config_dir: Path, tmp_path: Path, undirected: Path, text: str, expected: str
) -> None:
    side = undirected.with_name("khong-co-co-quan-chi-dao.policy.yaml")
    side.write_text(text, encoding="utf-8")
    db = _db(config_dir, tmp_path)
    assert cli(*db, "init").code == 0
    result = cli(*db, "plan", "import", undirected)
    assert result.code == 2
    assert expected in result.err and "policy.yaml" in result.err
    assert json.loads(cli(*db, "plan", "list", "--json").out) == []
