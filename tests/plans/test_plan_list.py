"""`notifier plan list`: every header over its own value, and the id that --plan takes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEED_PLAN


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│┃").split("│")]


def test_plan_list_puts_each_value_under_its_header(cli, config_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = ("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'n.db'}")
    assert cli(*db, "init").code == 0
    assert cli(*db, "plan", "import", SEED_PLAN).code == 0
    [plan] = json.loads(cli(*db, "plan", "list", "--json").out)
    assert plan["id"] == 1 and plan["key"].startswith("sha256:")
    out = cli(*db, "plan", "list").out
    header = next(line for line in out.splitlines() if "Khóa" in line)
    row = next(line for line in out.splitlines() if plan["key"] in line)
    cells = dict(zip(_cells(header.replace("┃", "│")), _cells(row), strict=True))
    assert cells["ID"] == "1" and cells["Khóa"] == plan["key"]
    assert cells["Số"] == "(chưa có số)" and cells["Ngày"] == "tháng 4/2024"
    assert cells["NV"] == "2" and cells["Trạng thái"] == "đang theo dõi"
    status = cli(*db, "status", "--plan", "1")
    assert status.code == 0, status.err
