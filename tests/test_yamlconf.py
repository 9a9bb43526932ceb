"""yamlconf: YAML into pydantic models with file:line in every problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notifier.errors import ConfigError
from notifier.yamlconf import (
    describe_error,
    dotted,
    load_yaml_model,
    locate,
    parse_yaml,
    problem_at,
    read_yaml,
    validate_model,
)


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    born: date | None = None
    channels: list[str] = []


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    people: list[Person] = []


class Directory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agencies: dict[str, Agency] = {}
    version: int = 1


DIRECTORY = """\
version: 1
agencies:
  vp:
    name: Văn phòng HĐND và UBND huyện
    people:
      - key: an
        born: 1980-02-30
      - key: binh
        chanels: [telegram]
  tckh:
    nam: Phòng Tài chính – Kế hoạch
"""


def _problems(tmp_path: Path, text: str, model: type[BaseModel] = Directory) -> list[str]:
    path = tmp_path / "directory.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, model)
    return [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def test_every_problem_is_reported_with_its_own_line(tmp_path: Path) -> None:
    assert _problems(tmp_path, DIRECTORY) == [
        "directory.yaml:7: '1980-02-30' không phải là ngày (cần dạng YYYY-MM-DD)",
        "directory.yaml:9: khóa 'chanels' không dùng được trong agencies.vp.people[1]; "
        "các khóa hợp lệ: key, born, channels",
        "directory.yaml:11: thiếu khóa 'name' trong agencies.tckh",
        "directory.yaml:11: khóa 'nam' không dùng được trong agencies.tckh; "
        "các khóa hợp lệ: name, people",
    ]


def test_wrong_type_names_location_and_value(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "version: many\n")
    assert len(problems) == 1
    assert problems[0].startswith("directory.yaml:1: version: ")
    assert problems == ["directory.yaml:1: version: cần một số nguyên (đang ghi: 'many')"]


def test_syntax_error_gives_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "version: 1\nagencies:\n  vp: {name: x\n")
    assert problems[0].startswith("directory.yaml:4: lỗi cú pháp YAML")


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = "agencies:\n  vp: {name: a}\n  vp: {name: b}\n"
    assert _problems(tmp_path, text) == ["directory.yaml:3: khóa 'vp' bị lặp lại"]


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert _problems(tmp_path, "- a\n- b\n") == [
        "directory.yaml:1: cấp ngoài cùng của tệp phải là các cặp khóa: giá trị"
    ]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy tệp"):
        load_yaml_model(tmp_path / "nope.yaml", Directory)


def test_empty_file_validates_as_defaults(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_yaml_model(path, Directory) == Directory()


def test_dates_and_clock_times_stay_strings_until_the_model_reads_them() -> None:
    doc = parse_yaml("d: 2026-01-02\nt: 17:00\nn: 1_000\nf: 1.5\nb: yes\n", "x.yaml")
    assert doc.data == {"d": "2026-01-02", "t": "17:00", "n": 1000, "f": 1.5, "b": True}


def test_locate_follows_keys_and_indexes_to_the_deepest_existing_node() -> None:
    doc = parse_yaml(DIRECTORY, "directory.yaml")
    assert locate(doc.root, ("agencies", "vp", "people", 1, "key")) == 8
    assert locate(doc.root, ("agencies", "vp", "people", 0)) == 6
    assert locate(doc.root, ("agencies", "vp", "people", 5, "key")) == 6  # index absent
    assert locate(doc.root, ("agencies", "nowhere")) == 3
    assert locate(doc.root, ()) == 1
    assert locate(None, ("x",)) is None


def test_problem_at_reports_cross_checks_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(DIRECTORY, encoding="utf-8")
    doc = read_yaml(path)
    line = problem_at(path, doc, ("agencies", "vp", "people", 1, "key"), "unknown person")
    assert line == f"{path}:8: agencies.vp.people[1].key: unknown person"


def test_validate_model_without_document_names_only_the_file() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_model({"version": "x"}, Directory, Path("settings"))
    assert caught.value.problems[0].startswith("settings: version: ")


def test_dotted_paths() -> None:
    assert dotted(("reminders", 0, "to", 1)) == "reminders[0].to[1]"
    assert dotted(()) == "(cấp ngoài cùng)"


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every: int = Field(default=30, ge=1)
    share: float = Field(default=0.5, gt=0, le=1)
    admins: list[str] = Field(default_factory=lambda: ["a"], min_length=1)
    active: bool = True


def test_pydantic_errors_read_in_vietnamese_with_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    path.write_text("every: 0\nshare: 1.5\nadmins: []\nactive: có\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, Limits)
    assert [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [
        "limits.yaml:1: every: phải từ 1 trở lên (đang ghi: 0)",
        "limits.yaml:2: share: không được lớn hơn 1.0 (đang ghi: 1.5)",
        "limits.yaml:3: admins: cần ít nhất 1 mục",
        "limits.yaml:4: active: cần true hoặc false (đang ghi: 'có')",
    ]


def test_a_value_the_message_quotes_already_is_not_told_twice() -> None:
    from notifier.domain.policy import ReportPeriod

    with pytest.raises(ValidationError) as caught:
        ReportPeriod.model_validate({"period": "year", "due": "31/02"})
    (error,) = caught.value.errors()
    assert describe_error(ReportPeriod, error) == (
        "due: '31/02' không phải là một ngày trong năm (cần dạng dd/mm)"
    )
