"""Word's automatic numbering, turned back into the text a reader sees.

In most Word plans "1.", "a)" or "II." are not typed: they come from list numbering
(``w:numPr`` on the paragraph or its style, defined in ``numbering.xml``). python-docx
returns the paragraph text without them, which would hide every numbered task from
the parser. :class:`Numbering` replays Word's counters in document order and gives
each numbered paragraph its label ("1.", "2.1.", "a)", "II.", or "-" for bullets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_PPR = f"{{{W}}}pPr"
ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
         (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip


def _val(element: Any, path: str) -> str | None:
    found = element.find(path, NS) if element is not None else None
    return None if found is None else found.get(f"{{{W}}}val")


def _roman(n: int) -> str:
    out = ""
    for value, letters in ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter in Word's number format (decimal, lowerLetter, upperRoman, ...)."""
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int


class Numbering:
    """Labels of numbered paragraphs, in document order (call :meth:`label` once each)."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, _Level]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._styles: dict[str | None, Any] = {}
        try:
            self._style_root: Any = document.styles.element
        except (KeyError, NotImplementedError, AttributeError):
            self._style_root = None
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # a document without lists
        abstract = {
            a.get(f"{{{W}}}abstractNumId"): {
                int(lvl.get(f"{{{W}}}ilvl", "0")): _Level(
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    start=int(_val(lvl, "w:start") or "1"),
                )
                for lvl in a.findall("w:lvl", NS)
            }
            for a in root.findall("w:abstractNum", NS)
        }
        for num in root.findall("w:num", NS):
            levels = dict(abstract.get(_val(num, "w:abstractNumId"), {}))
            for override in num.findall("w:lvlOverride", NS):
                ilvl = int(override.get(f"{{{W}}}ilvl", "0"))
                start = _val(override, "w:startOverride")
                if start is not None and ilvl in levels:
                    old = levels[ilvl]
                    levels[ilvl] = _Level(old.fmt, old.text, int(start))
            self._levels[num.get(f"{{{W}}}numId")] = levels

    def label(self, p: Any) -> str | None:
        """The label Word shows before the ``w:p`` element ``p``, or None when not numbered."""
        num_id, ilvl = self._num_pr(p)
        levels = self._levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return None
        level = levels[ilvl]
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return None
        counters = self._counters.setdefault(num_id or "", {})
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        text = level.text
        for k in range(ilvl + 1):
            if f"%{k + 1}" in text:
                shown = levels.get(k, level)
                count = counters.get(k, shown.start)
                text = text.replace(f"%{k + 1}", format_number(count, shown.fmt))
        return text.strip() or None

    def _style(self, p: Any) -> Any:
        """The paragraph's style element, looked up once per style id (python-docx's own
        lookup scans every style for each paragraph: minutes on a long document)."""
        style_id = _val(p.find(_PPR), "w:pStyle")
        if style_id not in self._styles:
            self._styles[style_id] = self._find_style(style_id)
        return self._styles[style_id]

    def _find_style(self, style_id: str | None) -> Any:
        for style in (
            self._style_root.findall("w:style", NS) if self._style_root is not None else []
        ):
            if style.get(f"{{{W}}}type") != "paragraph":
                continue
            if style_id is None and style.get(f"{{{W}}}default") in ("1", "true"):
                return style
            if style_id is not None and style.get(f"{{{W}}}styleId") == style_id:
                return style
        return None

    def _num_pr(self, p: Any) -> tuple[str | None, int]:
        """numId and level from the paragraph, else from its style (List Number, ...)."""
        for owner in (p, self._style(p)):
            ppr = owner.find(_PPR) if owner is not None else None
            num_pr = ppr.find("w:numPr", NS) if ppr is not None else None
            if num_pr is not None:
                num_id = _val(num_pr, "w:numId")
                if num_id in (None, "0"):
                    return None, 0
                return num_id, int(_val(num_pr, "w:ilvl") or "0")
        return None, 0
