"""Output that is written as it is produced: long listings (``preview`` of a whole
province) must not be held in memory to be measured and laid out first, as a rich table
or pretty-printed JSON would be."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

BATCH = 500  # lines written per call


def json_array(items: Iterable[dict[str, Any]]) -> int:
    """A JSON array, one element per line, written as the elements come; returns the count."""
    return json_texts(json.dumps(item, ensure_ascii=False) for item in items)


def json_texts(texts: Iterable[str]) -> int:
    """:func:`json_array` of elements already encoded (each one line of JSON text)."""
    out = sys.stdout
    count = 0
    lines: list[str] = []
    for text in texts:
        lines.append(("[\n  " if count == 0 else ",\n  ") + text)
        count += 1
        if len(lines) >= BATCH:
            out.write("".join(lines))
            lines.clear()
    lines.append("\n]\n" if count else "[]\n")
    out.write("".join(lines))
    out.flush()
    return count


def rows(title: str, columns: Sequence[tuple[str, int]], values: Iterable[Sequence[str]]) -> int:
    """A plain table: the title, a header, then one line per row in fixed-width columns
    (the last one as wide as its text), written as the rows come; returns the count."""
    out = sys.stdout
    template = "  ".join([*(f"{{:<{w}}}" for _, w in columns[:-1]), "{}"])  # ljust each

    def line(cells: Sequence[str]) -> str:
        return template.format(*cells).rstrip() + "\n"

    header = [name for name, _ in columns]
    out.write(f"{title}\n{line(header)}{line(['─' * w for _, w in columns])}")
    count = 0
    lines: list[str] = []
    for cells in values:
        lines.append(line(cells))
        count += 1
        if len(lines) >= BATCH:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
    out.flush()
    return count
