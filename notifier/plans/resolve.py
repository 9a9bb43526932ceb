"""Agency names as written in plans, matched against the directory.

Plans write one agency many ways: "Văn phòng HĐND&UBND huyện", "VP HĐND và UBND
huyện", "Văn phòng Hội đồng nhân dân và Uỷ ban nhân dân huyện".  Matching goes
from strict to loose and stops at the first hit:

1. exact: the name or an alias exactly as written (whitespace trimmed);
2. normalised: :func:`normalise` on both sides (case, "&"/"và", dashes, spaces,
   abbreviations, old/new tone-mark placement);
3. folded: :func:`fold` (accents stripped) on both sides; only used if exactly one
   entry matches, because "Ba Tô" and "Ba Tơ" are different communes.

Groups ("Các cơ quan, đơn vị có liên quan", "UBND các xã, thị trấn") are matched
the same way and flagged ``is_group`` so the caller maps them to members.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from notifier.errors import ResolveError


@dataclass(frozen=True)
class AgencyEntry:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupEntry:
    code: str
    name: str
    phrases: tuple[str, ...] = ()


class MatchVia(StrEnum):
    EXACT = "exact"
    NORMALISED = "normalised"
    FOLDED = "folded"


@dataclass(frozen=True)
class Match:
    code: str
    is_group: bool
    via: MatchVia


# Multi-part abbreviations first (they contain separators), then single words.
# Keys are casefolded; each is matched as a whole word.
_COMPOUND = {
    r"tc\s*-\s*kh|tckh": "tài chính - kế hoạch",
    r"hc\s*-\s*sn|hcsn": "hành chính - sự nghiệp",
    r"kh\s*&\s*đt|kh\s*-\s*đt|khđt": "kế hoạch và đầu tư",
    r"gd\s*&\s*đt|gd\s*-\s*đt|gdđt": "giáo dục và đào tạo",
    r"tn\s*&\s*mt|tn\s*-\s*mt|tnmt": "tài nguyên và môi trường",
    r"nn\s*&\s*ptnt|nn\s*-\s*ptnt|nnptnt": "nông nghiệp và phát triển nông thôn",
    r"lđ\s*-\s*tb\s*&\s*xh|lđtbxh": "lao động - thương binh và xã hội",
    r"nn\s*&\s*mt|nn\s*-\s*mt|nnmt": "nông nghiệp và môi trường",
    r"vh\s*-\s*xh|vhxh": "văn hóa - xã hội",
    r"vh\s*,\s*tt\s*&\s*dl|vhttdl": "văn hóa, thể thao và du lịch",
    r"kh\s*&\s*cn|kh\s*-\s*cn|khcn": "khoa học và công nghệ",
    r"bchqs": "ban chỉ huy quân sự",
    r"tdp": "tổ dân phố",
}
_WORDS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "hdnd": "hội đồng nhân dân",
    "ubmttqvn": "ủy ban mặt trận tổ quốc việt nam",
    "ubmttq": "ủy ban mặt trận tổ quốc",
    "mttq": "mặt trận tổ quốc",
    "vp": "văn phòng",
    "tt": "thường trực",
    "ct": "chủ tịch",
    "pct": "phó chủ tịch",
    "cvp": "chánh văn phòng",
    "pcvp": "phó chánh văn phòng",
    "cv": "chuyên viên",
    "cchc": "cải cách hành chính",
    "mtqg": "mục tiêu quốc gia",
    "kh": "kế hoạch",
    "qđ": "quyết định",
}
_B = r"(?<!\w)"  # whole words only: "tt" never matches inside "thường trực"
_E = r"(?!\w)"
_COMPOUND_RE = [(re.compile(_B + f"(?:{k})" + _E), v) for k, v in _COMPOUND.items()]
_WORDS_RE = re.compile(_B + "(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")" + _E)
_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*")
_LEADING_COMRADE = re.compile(r"^(?:đ/c|đ\.c\.?|đồng chí)\s*:?\s*")
_LEVEL_SUFFIX = re.compile(r" (?:thị xã|thị trấn|thành phố|đặc khu|huyện|xã|tỉnh|phường)$")
_FOLDED_LEVEL_SUFFIX = re.compile(r" (?:thi xa|thi tran|thanh pho|dac khu|huyen|xa|tinh|phuong)$")
_END_PUNCT = " \t\n.,;:!?*\"'“”‘’-"
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_NFD_WORD = "a-z0-9đ\u0300-\u036f"
# Old-style tone placement on open syllables (hoà, khoẻ, thuỷ) -> official style (hòa,
# khỏe, thủy).  Only when nothing follows: "hoàng", "quý" are the same in both styles.
_OLD_TONE = re.compile(rf"(o)([ae])([{_TONES}])(?![{_NFD_WORD}])")
_OLD_TONE_UY = re.compile(rf"(?<!q)(u)(y)([{_TONES}])(?![{_NFD_WORD}])")


def _modern_tones(text: str) -> str:
    """Move tone marks of open "oa", "oe", "uy" syllables to the first vowel."""
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _OLD_TONE.sub(r"\1\3\2", decomposed)
    decomposed = _OLD_TONE_UY.sub(r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", decomposed)


def normalise(name: str) -> str:
    """Canonical form for comparing agency names written in different ways.

    Steps: NFC and case-fold (the Icelandic "Ð" often typed for "Đ" counts as "Đ");
    old tone placement to official style; drop a leading "Đ/c"; expand
    abbreviations; "&" -> "và"; every dash -> " - "; tidy commas and whitespace;
    strip punctuation at both ends.
    """
    text = unicodedata.normalize("NFC", name).replace("Ð", "Đ").replace("ð", "đ")
    text = _modern_tones(text.casefold())
    text = " ".join(text.split()).strip(_END_PUNCT)
    text = _LEADING_COMRADE.sub("", text)
    for pattern, expansion in _COMPOUND_RE:
        text = pattern.sub(expansion, text)
    text = _WORDS_RE.sub(lambda m: _WORDS[m.group(1)], text)
    text = text.replace("&", " và ")
    text = _DASHES.sub(" - ", text)
    text = re.sub(r"\s*([,;])\s*", r"\1 ", text)
    return " ".join(text.split()).strip(_END_PUNCT)


def fold(name: str) -> str:
    """:func:`normalise`, then strip accents ("đ" -> "d"): a last resort only."""
    decomposed = unicodedata.normalize("NFD", normalise(name).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Target:
    code: str
    name: str
    is_group: bool


class AgencyIndex:
    """Lookup from names as written to agency and group codes."""

    def __init__(self, agencies: Sequence[AgencyEntry], groups: Sequence[GroupEntry] = ()) -> None:
        self._exact: dict[str, _Target] = {}
        self._normalised: dict[str, _Target] = {}
        self._folded: dict[str, set[_Target]] = {}
        self._spellings: dict[str, tuple[str, _Target]] = {}  # normalised -> (as written, target)
        targets = [(_Target(a.code, a.name, False), (a.name, *a.aliases)) for a in agencies]
        targets += [(_Target(g.code, g.name, True), (g.name, *g.phrases)) for g in groups]
        seen_codes: dict[str, _Target] = {}
        self._targets = seen_codes
        for target, spellings in targets:
            if (other := seen_codes.get(target.code)) is not None:
                raise ValueError(
                    f"mã {target.code!r} dùng cho cả {other.name!r} và {target.name!r}"
                )
            seen_codes[target.code] = target
            for spelling in spellings:
                self._add(target, spelling)

    def _add(self, target: _Target, spelling: str) -> None:
        key = normalise(spelling)
        if not key:
            raise ValueError(f"{target.code} ({target.name}): tên hoặc bí danh rỗng")
        known = self._spellings.get(key)
        if known is not None and known[1] != target:
            other_spelling, other = known
            raise ValueError(
                f"bí danh trùng nhau: {spelling!r} của {target.code} ({target.name}) và "
                f"{other_spelling!r} của {other.code} ({other.name}) cùng chuẩn hóa thành {key!r}"
            )
        self._spellings[key] = (spelling, target)
        self._exact[" ".join(spelling.split())] = target
        self._normalised[key] = target
        self._folded.setdefault(fold(spelling), set()).add(target)

    def add_alias(self, code: str, alias: str) -> bool:
        """Add a name picked in the browser for agency ``code``; False (and nothing added)
        when the code is unknown or the name already belongs to another entry: the
        directory file wins over a local alias."""
        target = self._targets.get(code)
        if target is None or not normalise(alias):
            return False
        try:
            self._add(target, alias)
        except ValueError:
            return False
        return True

    def resolve(self, name: str) -> Match | None:
        """Exact > normalised > folded (only when unambiguous); ``None`` if nothing fits.

        The normalised and folded steps also try the name without a trailing level
        word ("Phòng Tài chính – Kế hoạch huyện" -> "Phòng Tài chính – Kế hoạch"),
        since plans add it freely; the directory entry without it must then exist.
        """
        written = " ".join(unicodedata.normalize("NFC", name).split())
        if not written:
            return None
        if (hit := self._exact.get(written)) is not None:
            return Match(hit.code, hit.is_group, MatchVia.EXACT)
        key = normalise(written)
        for candidate in (key, _LEVEL_SUFFIX.sub("", key)):
            if (hit := self._normalised.get(candidate)) is not None:
                return Match(hit.code, hit.is_group, MatchVia.NORMALISED)
        folded = fold(written)
        for candidate in (folded, _FOLDED_LEVEL_SUFFIX.sub("", folded)):
            hits = self._folded.get(candidate, set())
            if len(hits) == 1:
                (hit,) = hits
                return Match(hit.code, hit.is_group, MatchVia.FOLDED)
            if hits:
                return None  # ambiguous: never guess between "Ba Tô" and "Ba Tơ"
        return None

    def suggest(self, name: str, n: int = 3) -> list[tuple[str, str]]:
        """(code, official name) of the ``n`` closest entries, best first, for error messages.

        Similarity is difflib's ratio on normalised text (folded text as a tie-breaker
        for names typed without accents); entries below 0.4 are left out as noise.
        """
        key, folded = normalise(name), fold(name)
        best: dict[_Target, float] = {}
        for spelling_key, (_, target) in self._spellings.items():
            score = max(
                difflib.SequenceMatcher(None, key, spelling_key).ratio(),
                0.99 * difflib.SequenceMatcher(None, folded, fold(spelling_key)).ratio(),
            )
            best[target] = max(score, best.get(target, 0.0))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0].name))
        return [(t.code, t.name) for t, score in ranked[:n] if score >= 0.4]

    def resolve_all(self, names: Iterable[str]) -> dict[str, Match]:
        """Resolve every name or raise :class:`ResolveError` listing each miss with suggestions."""
        found: dict[str, Match] = {}
        problems: list[str] = []
        for name in names:
            match = self.resolve(name)
            if match is not None:
                found[name] = match
                continue
            hints = "; ".join(f"{official} ({code})" for code, official in self.suggest(name))
            problem = f"không tìm thấy cơ quan, đơn vị {name!r} trong danh mục"
            problems.append(f"{problem}; có thể là: {hints}" if hints else problem)
        if problems:
            raise ResolveError(problems)
        return found
