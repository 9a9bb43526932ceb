"""Output that is written as it is produced: long listings (``preview`` of a whole
province) must not be held in memory to be measured and laid out first, as a rich table
or pretty-printed JSON would be."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

BATCH = 500  # lines written per call


def json_texts(texts: Iterable[str]) -> int:
    """A JSON array of elements already encoded (one line of JSON text each), one per
    line, written as they come; returns the count."""
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
