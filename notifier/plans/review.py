"""Lines read through OCR: kept with their confidence, and flagged below the threshold.

A low-confidence line is not dropped: it is parsed like any other and a warning asks a
person to compare it with the paper ("cần đối chiếu bản gốc").
"""

from __future__ import annotations

from notifier.plans.model import OcrLine, OcrReview, ParseWarning
from notifier.plans.reader import Block, Line, Table


def ocr_review(blocks: list[Block], warnings: list[ParseWarning]) -> OcrReview | None:
    """The OCR lines of ``blocks`` (None when nothing was recognised) and their warnings."""
    from notifier.plans.ocr import REVIEW_THRESHOLD, engine_name

    lines: list[OcrLine] = []
    for block in blocks:
        if isinstance(block, Line) and block.confidence is not None:
            lines.append(OcrLine(block.no, block.page or 0, block.confidence, block.text))
        elif isinstance(block, Table) and any(c is not None for c in block.row_confidence):
            for row, no, conf in zip(
                block.rows, block.row_lines, block.row_confidence, strict=False
            ):
                text = " | ".join(" ".join(c.split()) for c in row if c)
                lines.append(OcrLine(no, block.page or 0, conf, text))
    if not lines:
        return None
    review = OcrReview(engine_name(), REVIEW_THRESHOLD, lines)
    for line in review.flagged:
        shown = "không rõ" if line.confidence is None else f"{line.confidence:.0f}%"
        warnings.append(
            ParseWarning(
                line.line,
                f"trang {line.page}: chữ nhận dạng (OCR) độ tin cậy {shown}, dưới ngưỡng "
                f"{review.threshold:.0f}%: cần đối chiếu bản gốc: '{line.text[:120]}'",
            )
        )
    return review
