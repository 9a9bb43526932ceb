"""Word building blocks in the layout of Decree 30/2020, Appendix I (python-docx).

The sizes per element, the page (A4, margins 20/20/30/15 mm), Times New Roman for every
script, paragraphs, the short centred rules, tables with or without borders. The report
itself is composed in :mod:`notifier.reports.docx`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
TEXT_WIDTH_CM = 21.0 - 3.0 - 1.5  # A4 minus left and right margins
CELL_PADDING_CM = 0.19 * 2  # Word's and LibreOffice's default left + right cell margins
INDENT = Cm(1.27)


class Size:
    """Font sizes (pt) per element, Decree 30/2020 Appendix I."""

    AGENCY = 12
    NATIONAL_TITLE = 12
    MOTTO = 13
    NUMBER = 13
    PLACE_DATE = 14
    DOC_TYPE = 14
    SUBJECT = 14
    BODY = 14
    TABLE = 13
    SIGNER = 14
    RECIPIENTS_LABEL = 12
    RECIPIENTS = 11
    PAGE_NUMBER = 13


# ---------------------------------------------------------------- low-level helpers


def text_width_cm(text: str, size: float, bold: bool = True) -> float:
    """Rough printed width of ``text`` in Times New Roman (for sizing the short rules)."""
    em = 0.0
    for char in text:
        if char == " ":
            em += 0.25
        elif char.isupper():
            em += 0.72 if bold else 0.68
        elif char.isalnum():
            em += 0.5
        else:
            em += 0.33
    return em * size * 2.54 / 72


def fonts(run_or_style: Any, size: float | None, bold: bool, italic: bool) -> None:
    """Times New Roman for every script (Vietnamese is Latin, but Word looks at all four)."""
    fonts = run_or_style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    font = run_or_style.font
    if bold:
        font.bold = True
    if italic:
        font.italic = True
    if size is not None:
        font.size = Pt(size)


def new_paragraph(container: Any) -> Paragraph:
    """A new last paragraph. In the body it goes straight before the final ``w:sectPr``:
    python-docx would search all the body's children for it, each time (quadratic)."""
    if not isinstance(container, DocxDocument):
        return container.add_paragraph()
    body = container.element.body
    p = OxmlElement("w:p")
    last = body[-1] if len(body) else None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(p)
    else:
        body.append(p)
    return Paragraph(p, container._body)


def para(
    container: Any,
    text: str = "",
    *,
    size: float = Size.BODY,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    """A paragraph with one run; ``container`` is the document or a table cell."""
    p = new_paragraph(container)
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = INDENT if indent else None
    if text:
        fonts(p.add_run(text), size, bold, italic)
    return p


def rule(container: Any, length_cm: float, box_cm: float) -> Paragraph:
    """A centred horizontal line ``length_cm`` long inside a box ``box_cm`` wide."""
    p = para(container, align=WD_ALIGN_PARAGRAPH.CENTER, before=3)
    margin = max((box_cm - length_cm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(margin)
    fmt.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)
    return p


def first_paragraph(cell: _Cell) -> Paragraph:
    """The cell's own empty paragraph, reused (a new cell already holds one)."""
    return cell.paragraphs[0]


def cell_text(
    cell: _Cell,
    text: str,
    *,
    size: float = Size.TABLE,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    p = first_paragraph(cell)
    p.paragraph_format.alignment = align
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
    fonts(p.add_run(text), size, bold, italic)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def set_widths(table: Table, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)


def no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def cant_split(table: Table) -> None:
    """Keep each row on one page (the signature block is never cut in two)."""
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))


def borderless(doc: Any, rows: int, widths_cm: Sequence[float]) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(table)
    set_widths(table, widths_cm)
    return table


def grid_table(doc: Any, rows: int, widths_cm: Sequence[float]) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(table, widths_cm)
    return table


# ---------------------------------------------------------------- page


def page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    fonts(normal, Size.BODY, False, False)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    page_numbers(section)


def page_numbers(section: Any) -> None:
    """The page number, centred at the top, from page 2 (Appendix I: not on page 1)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = p.add_run("2")
    fonts(run, Size.PAGE_NUMBER, False, False)
    p._p.remove(run._r)
    field.append(run._r)
    p._p.append(field)


# ---------------------------------------------------------------- body


def body(doc: Any, text: str, **kwargs: Any) -> Paragraph:
    """A body paragraph: justified, first-line indent, 6 pt after, 1.15 lines."""
    p = para(doc, text, indent=True, after=6, **kwargs)
    p.paragraph_format.line_spacing = 1.15
    return p


def heading(doc: Any, text: str, *, italic: bool = False) -> Paragraph:
    return body(doc, text, bold=True, italic=italic)
