"""The sample plan as a Word file, as an office would receive it, for the upload tests.

Each line of the Markdown becomes a paragraph, its Markdown marks removed; ``changes``
replaces text first (e.g. one agency name the directory does not know).
"""

from __future__ import annotations

import re
from pathlib import Path

import docx

SAMPLE = (
    Path(__file__).parent.parent.parent / "config" / "plans" / "ke-hoach-ba-to-thai-hoa-2024.md"
)
UNKNOWN = "Văn phòng UBND huyện Ba Tơ"  # the directory knows "Văn phòng HĐND và UBND huyện"


def sample_text(changes: dict[str, str] | None = None) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    for old, new in (changes or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def sample_docx(path: Path, changes: dict[str, str] | None = None) -> Path:
    document = docx.Document()
    for raw in sample_text(changes).splitlines():
        line = re.sub(r"^#+\s*", "", raw.rstrip()).replace("**", "").strip()
        if line:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def with_unknown_agency(path: Path) -> Path:
    """The sample plan with task 1's lead written in a way the directory does not know."""
    return sample_docx(
        path,
        {
            "- Cơ quan tham mưu: Văn phòng HĐND và UBND huyện.\n\n- Cơ quan phối hợp": (
                f"- Cơ quan tham mưu: {UNKNOWN}.\n\n- Cơ quan phối hợp"
            )
        },
    )
