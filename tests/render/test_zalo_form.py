"""The Zalo form: plain text within 2,000 characters, shortened by listing fewer items
rather than cut, with the reference and the answer links last."""

from __future__ import annotations

from dataclasses import replace

import pytest

from notifier.render import Renderer, _samples, plain_text
from notifier.vocab import AckAction, MessageKind

LINKS = {a.value: f"http://127.0.0.1:8080/a/{a.value}-{'x' * 80}" for a in AckAction}


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_has_a_zalo_form_within_the_limit_without_tags(kind: MessageKind) -> None:
    renderer = Renderer()
    for ctx in _samples(kind):
        # long lists and long titles: the form must still fit without cutting
        def longer(items):  # type: ignore[no-untyped-def]
            return tuple(replace(t, task_title=t.task_title * 3) for t in items for _ in range(6))

        ctx = replace(ctx, overdue=longer(ctx.overdue), due_soon=longer(ctx.due_soon),
                      links=LINKS, reference=42)  # fmt: skip
        text = renderer.render(ctx, zalo=True).zalo_text
        assert text is not None and 0 < len(text) <= 2000, (kind, len(text or ""))
        assert "<b>" not in text and "<i>" not in text and "&amp;" not in text
        assert "…\n" not in text[-300:], "never the channel's cut"
        if renderer.render(ctx).text.count("http://127.0.0.1:8080/a/"):
            last = text.rstrip().split("\n\n")[-1]
            assert "Mã tin: #42" in text and last.startswith("- ") and "/a/" in last


def test_without_zalo_nothing_extra_is_rendered() -> None:
    ctx = _samples(MessageKind.REMINDER)[0]
    assert Renderer().render(ctx).zalo_text is None


def test_plain_text_keeps_link_addresses_and_decodes_entities() -> None:
    html = '<b>Hạn</b>: 02/5 &amp; <a href="https://x.vn/a?b=1">xem</a> <i>ghi chú</i>'
    assert plain_text(html) == "Hạn: 02/5 & xem (https://x.vn/a?b=1) ghi chú"
