"""A person's phone in directory.yaml: checked like every other field, with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.directory import read_directory
from notifier.errors import ConfigError

BASE = """\
agencies:
  - code: phong-noi-vu
    name: Phòng Nội vụ huyện Ba Tơ
people:
  - key: nv.truong-phong
    agency: phong-noi-vu
    name: Phạm Văn Nam
    channels: [console]
    phone: {phone}
"""


@pytest.mark.parametrize("phone", ["0255 3861 234", "+84 912.345.678", "0912-345-678"])
def test_phone_numbers_as_offices_write_them(tmp_path: Path, phone: str) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(BASE.format(phone=f'"{phone}"'), encoding="utf-8")
    directory, _ = read_directory(path)
    assert directory.people[0].phone == phone


@pytest.mark.parametrize("phone", ["12", "0255 abc 234", "09123456789012345"])
def test_a_bad_phone_is_refused_with_its_line(tmp_path: Path, phone: str) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(BASE.format(phone=f'"{phone}"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_directory(path)
    (problem,) = caught.value.problems
    assert "directory.yaml:9" in problem and "phone" in problem
