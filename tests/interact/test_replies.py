"""Answer and command words, as people type them on phones."""

from __future__ import annotations

import pytest

from notifier.interact.linking import looks_like_code
from notifier.interact.replies import answer_word, command_word
from notifier.vocab import AckAction


@pytest.mark.parametrize(
    ("text", "action", "ref", "rest"),
    [
        ("xong", AckAction.DONE, None, ""),
        ("Xong #42", AckAction.DONE, 42, ""),
        ("XONG 42", AckAction.DONE, 42, ""),
        ("đã nhận", AckAction.RECEIVED, None, ""),
        ("da nhan #7", AckAction.RECEIVED, 7, ""),
        ("Đã hoàn thành", AckAction.DONE, None, ""),
        ("vướng: chưa có kinh phí", AckAction.BLOCKED, None, "chưa có kinh phí"),
        ("VUONG #9 Chưa bố trí được xe", AckAction.BLOCKED, 9, "Chưa bố trí được xe"),
        ("vướng mắc - thiếu người", AckAction.BLOCKED, None, "thiếu người"),
        ("Vướng   3 xã chưa gửi số liệu", AckAction.BLOCKED, 3, "xã chưa gửi số liệu"),
    ],
)
def test_answer_words_accent_and_case_insensitive(
    text: str, action: AckAction, ref: int | None, rest: str
) -> None:
    word = answer_word(text)
    assert word is not None
    assert (word.action, word.reference, word.rest) == (action, ref, rest)


def test_a_bare_number_stays_available_as_text_of_the_reason() -> None:
    word = answer_word("vướng 3 xã chưa gửi số liệu")
    assert word is not None and not word.hashed
    assert word.rest_with_number == "3 xã chưa gửi số liệu"


@pytest.mark.parametrize("text", ["xin chào", "xongxong", "nhanh lên", "vuongquoc", ""])
def test_other_texts_are_no_answer(text: str) -> None:
    assert answer_word(text) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("việc", "viec"),
        ("Viec?", "viec"),
        ("giúp", "help"),
        ("hướng dẫn", "help"),
        ("help", "help"),
    ],
)
def test_command_words(text: str, command: str) -> None:
    assert command_word(text) == command


def test_command_words_only_as_the_whole_text() -> None:
    assert command_word("việc này xong rồi") is None


def test_a_code_sent_alone_is_recognised_but_no_word_is() -> None:
    assert looks_like_code("ABCDE23456") and looks_like_code("abcde-23456")
    assert not looks_like_code("HUONGDANXX") and not looks_like_code("xong #42")
