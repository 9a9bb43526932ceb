"""Names with a comma: the example quotes them, and a name YAML split at a comma is flagged."""

from __future__ import annotations

from pathlib import Path

from notifier.directory import read_directory
from notifier.plans.resolve import AgencyEntry, AgencyIndex
from tests.conftest import EXAMPLE_CONFIG

SPLIT = """\
agencies:
  - code: tt-vhtt-tt
    name: Trung tâm Văn hóa, Thể thao và Truyền thông huyện Ba Tơ
    aliases: [Trung tâm Văn hóa, Thể thao và Truyền thông]
groups: []
people: []
"""


def test_the_example_directory_has_no_name_split_at_a_comma() -> None:
    _, warnings = read_directory(EXAMPLE_CONFIG / "directory.yaml")
    assert warnings == []


def test_the_centres_written_name_resolves_with_the_example_directory() -> None:
    directory, _ = read_directory(EXAMPLE_CONFIG / "directory.yaml")
    index = AgencyIndex([AgencyEntry(a.code, a.name, tuple(a.aliases)) for a in directory.agencies])
    match = index.resolve("Trung tâm Văn hóa, Thể thao và Truyền thông")
    assert match is not None and match.code == "tt-vhtt-tt"


def test_an_alias_split_by_a_flow_list_is_flagged_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(SPLIT, encoding="utf-8")
    _, warnings = read_directory(path)
    assert len(warnings) == 2
    assert all(w.startswith(f"{path}:4: agencies[0].aliases[") for w in warnings)
    assert "'Trung tâm Văn hóa' có vẻ là một phần của tên bị tách ở dấu phẩy" in warnings[0]
    assert 'ví dụ: ["Trung tâm Văn hóa, Thể thao và Truyền thông huyện Ba Tơ"]' in warnings[0]


def test_init_prints_the_warning_and_still_loads(cli, config_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = config_dir / "directory.yaml"
    text = target.read_text(encoding="utf-8").replace(
        'aliases: ["Trung tâm Văn hóa, Thể thao và Truyền thông"]',
        "aliases: [Trung tâm Văn hóa, Thể thao và Truyền thông]",
    )
    target.write_text(text, encoding="utf-8")
    result = cli("--config", config_dir, "--db", f"sqlite:///{tmp_path / 'n.db'}", "init")
    assert result.code == 0
    assert "Cảnh báo:" in result.err and "Trung tâm Văn hóa" in result.err
