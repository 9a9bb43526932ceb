"""The directory of agencies, groups and people (config/directory.yaml).

Loading validates everything before anything touches the database: shape and
types (pydantic), then what spans entries (duplicate codes, an alias claimed by
two agencies, people in unknown agencies, group members that do not exist).
Each problem names the file, the line and what would be valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictInt, field_validator

from notifier.errors import ConfigError
from notifier.vocab import ChannelName, PersonRole

# A person lists channels by registered name (built-ins and plug-ins, checked below).
Listed = str
_ZALO_CHAT_ID = r"^[A-Za-z0-9._:-]{1,128}$"
# A phone number as offices write it: digits, optionally +, spaces, dots or dashes (8-15 digits).
PHONE_PATTERN = r"^\+?[0-9](?:[ .-]?[0-9]){7,14}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgencyConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    locality: str = ""
    parent: str | None = None


class GroupConfig(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)
    name: str = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)


def _default_channels() -> list[Listed]:
    """Zalo first (an unlinked person has no Zalo chat, so it is skipped), then as before."""
    return [ChannelName.ZALO, ChannelName.TELEGRAM, ChannelName.EMAIL]


class PersonConfig(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)
    agency: str
    name: str = Field(min_length=1)
    position: str = ""
    role: PersonRole = PersonRole.STAFF
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN)
    telegram_chat_id: StrictInt | None = None
    zalo_chat_id: str | None = Field(default=None, pattern=_ZALO_CHAT_ID)
    addresses: dict[str, str] = Field(default_factory=dict)  # plug-in channel -> address
    channels: list[Listed] = Field(default_factory=_default_channels)
    active: bool = True

    @field_validator("channels")
    @classmethod
    def _registered(cls, value: list[str]) -> list[str]:
        from notifier.channels.registry import channel_names

        known = channel_names()
        unknown = [c for c in value if c not in known]
        if unknown:
            raise ValueError(
                f"không có kênh {', '.join(map(repr, unknown))}; các kênh hiện có: "
                f"{', '.join(known)}"
            )
        return value

    @field_validator("telegram_chat_id", mode="before")
    @classmethod
    def _chat_id_digits(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        if value is not None and not isinstance(value, int):
            raise ValueError(
                f"{value!r} không phải là mã cuộc trò chuyện Telegram; cần một số như 123456789 "
                "(nhóm là số âm, ví dụ -1001234567890)"
            )
        return value


class DirectoryConfig(_Strict):
    agencies: list[AgencyConfig] = Field(default_factory=list)
    groups: list[GroupConfig] = Field(default_factory=list)
    people: list[PersonConfig] = Field(default_factory=list)


def _alias_key(name: str) -> str:
    from notifier.plans.resolve import normalise

    return normalise(name)


def cross_check(directory: DirectoryConfig) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield (location, problem) for what pydantic cannot see one entry at a time."""
    codes: dict[str, int] = {}
    for i, agency in enumerate(directory.agencies):
        if agency.code in codes:
            yield (("agencies", i, "code"), _dup("agency code", agency.code, codes[agency.code]))
        codes.setdefault(agency.code, i)
    yield from _check_aliases(directory)
    for i, agency in enumerate(directory.agencies):
        if agency.parent is not None and agency.parent not in codes:
            yield (("agencies", i, "parent"), _unknown("parent agency", agency.parent, codes))
    group_codes: dict[str, int] = {}
    for i, group in enumerate(directory.groups):
        if group.code in group_codes or group.code in codes:
            yield (("groups", i, "code"), f"group code '{group.code}' is already used")
        group_codes.setdefault(group.code, i)
        for j, member in enumerate(group.members):
            if member not in codes:
                yield (("groups", i, "members", j), _unknown("agency", member, codes))
    keys: dict[str, int] = {}
    for i, person in enumerate(directory.people):
        if person.key in keys:
            yield (("people", i, "key"), _dup("person key", person.key, keys[person.key]))
        keys.setdefault(person.key, i)
        if person.agency not in codes:
            yield (("people", i, "agency"), _unknown("agency", person.agency, codes))
        for channel in person.channels:
            if channel == ChannelName.EMAIL and person.email is None and person.active:
                yield (("people", i, "channels"), "channel 'email' listed but no email address")


def _check_aliases(directory: DirectoryConfig) -> Iterator[tuple[tuple[str | int, ...], str]]:
    claimed: dict[str, tuple[int, str]] = {}
    for i, agency in enumerate(directory.agencies):
        names = [("name", agency.name)] + [(j, alias) for j, alias in enumerate(agency.aliases)]
        for where, name in names:
            key = _alias_key(name)
            owner = claimed.get(key)
            if owner is not None and owner[1] != agency.code:
                loc: tuple[str | int, ...] = ("agencies", i, "name")
                if where != "name":
                    loc = ("agencies", i, "aliases", where)
                yield (
                    loc,
                    f"'{name}' is claimed by two agencies: '{owner[1]}' and '{agency.code}'; "
                    "an alias must name exactly one agency",
                )
            claimed.setdefault(key, (i, agency.code))


def _dup(what: str, value: str, first: int) -> str:
    return f"duplicate {what} '{value}' (first used by entry {first + 1}); codes must be unique"


def _unknown(what: str, value: str, known: dict[str, int]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(value, list(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {what} '{value}'{hint}"


def _fragment_of(piece: str, wholes: list[str]) -> str | None:
    """The longer name ``piece`` was cut out of at a comma, if any."""
    piece = " ".join(piece.split())
    for whole in wholes:
        whole = " ".join(whole.split())
        if whole != piece and (f"{piece}," in whole or f", {piece}" in whole):
            return whole
    return None


def comma_fragments(directory: DirectoryConfig) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Aliases and phrases that look like a name YAML split at a comma.

    ``aliases: [Trung tâm Văn hóa, Thể thao và Truyền thông]`` is a flow list of two
    items, so the centre's written name never resolves. A piece is suspect when the
    agency's (or group's) name or another of its pieces contains it next to a comma.
    """
    entries = [
        ("agencies", i, "aliases", a.name, a.aliases) for i, a in enumerate(directory.agencies)
    ]
    entries += [("groups", i, "phrases", g.name, g.phrases) for i, g in enumerate(directory.groups)]
    for section, i, field, name, pieces in entries:
        for j, piece in enumerate(pieces):
            others = [p for k, p in enumerate(pieces) if k != j]
            whole = _fragment_of(piece, [name, *others])
            if whole is None:
                continue
            yield (
                (section, i, field, j),
                f"'{piece}' có vẻ là một phần của tên bị tách ở dấu phẩy ('{whole}'); "
                f'tên có dấu phẩy phải đặt trong ngoặc kép, ví dụ: ["{whole}"]',
            )


def read_directory(path: Path) -> tuple[DirectoryConfig, list[str]]:
    """Read and fully validate the directory; ConfigError lists every problem.

    Returns the directory and the warnings (``file:line: ...``) that do not stop it.
    """
    from notifier.yamlconf import problem_at, read_yaml, validate_model

    if not path.exists():
        raise ConfigError([f"{path}: directory file not found"])
    document = read_yaml(path)
    directory = validate_model(document.data or {}, DirectoryConfig, path, document)
    problems = [problem_at(path, document, loc, text) for loc, text in cross_check(directory)]
    if problems:
        raise ConfigError(problems)
    warnings = [problem_at(path, document, loc, t) for loc, t in comma_fragments(directory)]
    return directory, warnings


def load_directory(path: Path) -> DirectoryConfig:
    """The validated directory (see :func:`read_directory`), without its warnings."""
    return read_directory(path)[0]
