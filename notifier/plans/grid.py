"""Ruled tables in a page image: rows from horizontal rules, cells from vertical rules.

A horizontal rule is a pixel row whose longest dark run covers at least
:data:`MIN_RULE` of the page width; rules with the same left and right ends form one
table. Between two rules (a band) a vertical rule is a pixel column dark over almost
the whole band; a band with fewer vertical rules than the table has columns holds
merged cells (group headings "I. ..."). The columns of the table are the union of
every band's rules, so a merged cell covers several columns and its text goes to the
first of them, as pdfplumber gives it for text PDFs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MIN_RULE = 0.35  # of the page width
DARK = 140  # grey level under which a pixel is ink
_TOL = 12  # pixels: rules this close are the same rule


@dataclass
class Grid:
    ys: list[int]  # horizontal rules, top to bottom
    x0: int
    x1: int
    bands: list[list[tuple[int, int]]] = field(default_factory=list)  # cells per band (x from, to)
    columns: list[int] = field(default_factory=list)  # every vertical rule of the table

    @property
    def top(self) -> int:
        return self.ys[0]

    @property
    def row_count(self) -> int:
        return len(self.bands)

    @property
    def column_count(self) -> int:
        return max(len(self.columns) - 1, 1)

    def contains(self, word: Any) -> bool:
        cx, cy = (word.left + word.right) / 2, (word.top + word.bottom) / 2
        return self.x0 <= cx <= self.x1 and self.ys[0] <= cy <= self.ys[-1]

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the table cell holding point (x, y); a merged cell's first column."""
        row = next((i for i in range(len(self.bands)) if self.ys[i] <= y < self.ys[i + 1]), None)
        if row is None:
            return None
        for x_from, x_to in self.bands[row]:
            if x_from <= x < x_to:
                return row, self._column(x_from)
        return None

    def _column(self, x: int) -> int:
        return min(range(len(self.columns)), key=lambda i: abs(self.columns[i] - x))


def _runs(mask: Any) -> tuple[Any, Any, Any]:
    """Longest dark run of each row of ``mask``: (length, start, end) arrays."""
    import numpy as np

    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    diff = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(diff == 1)
    _, ends = np.nonzero(diff == -1)
    lengths = ends - starts
    best = np.zeros(height, dtype=np.int64)
    begin = np.zeros(height, dtype=np.int64)
    order = np.argsort(lengths, kind="stable")
    best[rows_s[order]] = lengths[order]  # the longest run of a row is written last
    begin[rows_s[order]] = starts[order]
    return best, begin, begin + best


def _cluster(values: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= _TOL:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def find_grids(gray: Any) -> list[Grid]:
    """Every ruled table of a greyscale page image (numpy array), top to bottom."""
    import numpy as np

    ink = gray < DARK
    height, width = ink.shape
    best, begin, end = _runs(ink)
    rule_rows = [int(y) for y in np.nonzero(best >= MIN_RULE * width)[0]]
    rules = []
    for group in _cluster(rule_rows):
        y = group[len(group) // 2]
        rules.append((y, int(begin[y]), int(end[y])))
    grids: list[Grid] = []
    for y, x0, x1 in rules:
        same = [g for g in grids if abs(g.x0 - x0) <= 3 * _TOL and abs(g.x1 - x1) <= 3 * _TOL]
        if same and y - same[-1].ys[-1] < height // 3:
            same[-1].ys.append(y)
        else:
            grids.append(Grid([y], x0, x1))
    out = [g for g in grids if len(g.ys) >= 3]
    for grid in out:
        _cells(grid, ink)
    return [g for g in out if g.columns and len(g.columns) >= 3]


def _cells(grid: Grid, ink: Any) -> None:
    """Vertical rules per band, and the table's columns as their union."""
    import numpy as np

    every: list[int] = []
    for top, bottom in zip(grid.ys, grid.ys[1:], strict=False):
        band = ink[top + 4 : bottom - 3, max(grid.x0 - 4, 0) : grid.x1 + 5]
        if band.shape[0] < 4:
            grid.bands.append([])
            continue
        filled = band.mean(axis=0) >= 0.85
        xs = [int(x) + max(grid.x0 - 4, 0) for x in np.nonzero(filled)[0]]
        rules = [g[len(g) // 2] for g in _cluster(xs)]
        if not rules or rules[0] - grid.x0 > _TOL:
            rules.insert(0, grid.x0)
        if grid.x1 - rules[-1] > _TOL:
            rules.append(grid.x1)
        grid.bands.append(list(zip(rules, rules[1:], strict=False)))
        every += rules
    grid.columns = [g[len(g) // 2] for g in _cluster(every)]


def erase_rules(image: Any, grids: list[Grid]) -> Any:
    """A copy of ``image`` with the table rules painted white, for cleaner recognition."""
    from PIL import ImageDraw

    clean = image.copy()
    draw = ImageDraw.Draw(clean)
    for grid in grids:
        for y in grid.ys:
            draw.rectangle([grid.x0 - 2, y - 5, grid.x1 + 2, y + 5], fill=255)
        for (top, bottom), cells in zip(
            zip(grid.ys, grid.ys[1:], strict=False), grid.bands, strict=False
        ):
            for x_from, _ in cells[1:]:
                draw.rectangle([x_from - 5, top, x_from + 5, bottom], fill=255)
        draw.rectangle([grid.x0 - 5, grid.ys[0], grid.x0 + 5, grid.ys[-1]], fill=255)
        draw.rectangle([grid.x1 - 5, grid.ys[0], grid.x1 + 5, grid.ys[-1]], fill=255)
    return clean
