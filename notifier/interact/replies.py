"""What a short text reply means: an answer word ("xong"), a command word ("việc"), or nothing.

Chats without buttons (Zalo) answer by text. People type on phones, often without
accents, so words are matched accent-folded and case-insensitive ("da nhan", "Xong",
"VUONG"): the folding keeps one character for one character, so the reason after
"vướng" is cut from the original text with its accents. A reference to the message
may follow the word: "xong #42" or "xong 42"; a bare number is only a reference when
the conversation knows such an open message (else it is part of the reason). "gia hạn"
takes the proposed date, then the reason: "gia hạn #42 15/5/2024 chờ kinh phí".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifier.domain.timeframe import fold_accents
from notifier.vocab import REPLY_WORDS, AckAction

# Folded phrases, longest first so "da hoan thanh" wins over "hoan thanh".
ANSWER_PHRASES: tuple[tuple[str, AckAction], ...] = tuple(
    sorted(
        (
            *((fold_accents(w), a) for a, w in REPLY_WORDS.items()),
            ("nhan", AckAction.RECEIVED),
            ("da xong", AckAction.DONE),
            ("hoan thanh", AckAction.DONE),
            ("da hoan thanh", AckAction.DONE),
            ("vuong mac", AckAction.BLOCKED),
            ("bao vuong", AckAction.BLOCKED),
            ("bao vuong mac", AckAction.BLOCKED),
            ("xin gia han", AckAction.EXTENSION_REQUESTED),
        ),
        key=lambda pair: -len(pair[0]),
    )
)
# Command words people type instead of /viec and /help.
COMMAND_WORDS: dict[str, str] = {
    "viec": "viec",
    "cong viec": "viec",
    "giup": "help",
    "tro giup": "help",
    "huong dan": "help",
    "help": "help",
}
_REFERENCE = re.compile(r"#?\s*(\d{1,10})(?=\W|$)")
# The proposed date after "gia hạn" ("15/5/2024", "15-05-2024"): a number before "/" is no
# reference.
DATE_AT_START = re.compile(r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})(?=\W|$)")
_LEADING = " \t:;,.-–—"


@dataclass(frozen=True)
class AnswerWord:
    action: AckAction
    reference: int | None  # the number after the word ("#42" or "42"), if any
    hashed: bool  # written "#42": surely a reference, even if unknown
    rest: str  # the text after the word (and after the reference), accents kept
    rest_with_number: str  # the text after the word, the number included


def _phrase_at_start(folded: str, phrase: str) -> bool:
    if not folded.startswith(phrase):
        return False
    after = folded[len(phrase) : len(phrase) + 1]
    return not after or not after.isalnum()


def command_word(text: str) -> str | None:
    """``"viec"`` or ``"help"`` when the whole text is one of the command words."""
    folded = " ".join(fold_accents(text).lower().split()).strip(_LEADING + "?!")
    return COMMAND_WORDS.get(folded)


def answer_word(text: str) -> AnswerWord | None:
    """The answer a text starts with, or None ("xong #42", "Vướng: chưa có kinh phí")."""
    text = " ".join(text.split())  # one space between words: positions stay aligned
    folded = fold_accents(text).lower()
    for phrase, action in ANSWER_PHRASES:
        if _phrase_at_start(folded, phrase):
            after = text[len(phrase) :].lstrip(_LEADING)
            match = _REFERENCE.match(after)
            if match is None:
                return AnswerWord(action, None, False, after, after)
            rest = after[match.end() :].lstrip(_LEADING)
            hashed = after.startswith("#")
            return AnswerWord(action, int(match.group(1)), hashed, rest, after)
    return None
