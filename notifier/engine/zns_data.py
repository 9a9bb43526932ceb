"""The parameters of a ZNS template, from the render context every channel uses.

A ZNS template is approved by Zalo with named parameters, and ZNS refuses a send whose
``template_data`` has a parameter missing or one too many (-112). So every template the
office registers for this program uses exactly the parameters of :data:`ZNS_PARAMS`,
each no longer than its limit: the limit of the parameter type to choose when registering
it (Zalo Cloud, "Các định dạng dữ liệu khi truyền vào tham số"). Longer values are cut
with "…" rather than refused (not the link: a cut URL is a broken one). See ``docs/zalo.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

from notifier.render import MessageContext, offered
from notifier.textfmt import vn_date

# name -> at most this many characters (and the Zalo parameter type to register it as)
ZNS_PARAMS: Mapping[str, int] = {
    "ten": 30,  # the recipient's name (Tên khách hàng, 30)
    "viec": 100,  # the task title (Tên sản phẩm, 200; kept short for the 400-character body)
    "ma_viec": 30,  # the task's reference in the plan (Mã số, 30)
    "han": 20,  # the deadline, "02/5/2024" (Thời gian, 20)
    "don_vi": 100,  # the lead agencies (Địa chỉ, 200; kept short as above)
    "lien_ket": 200,  # the first answer's link (its confirmation page), else home (URL, 200)
}
NONE = "không có"  # a parameter the message has no value for (ZNS refuses empty data)


def fit(value: str, limit: int) -> str:
    """``value`` on one line, at most ``limit`` characters (cut with "…")."""
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answer_link(ctx: MessageContext) -> str:
    """The link of the first answer the message offers (a page that asks to confirm)."""
    for action in offered(ctx):
        if ctx.links.get(action.value):
            return ctx.links[action.value]
    return ""


def template_data(ctx: MessageContext, home: str) -> dict[str, str]:
    """Every parameter of :data:`ZNS_PARAMS`, within its limit, never empty.

    ``home`` (the web app's public URL) is the link of a message that offers no answer
    (a copy for information): a URL parameter must hold a URL.
    """
    values = {
        "ten": ctx.recipient_name,
        "viec": ctx.task_title,
        "ma_viec": ctx.task_ref,
        "han": vn_date(ctx.deadline) if ctx.deadline is not None else "",
        "don_vi": ctx.lead_agencies,
        "lien_ket": answer_link(ctx),
    }
    link = values.pop("lien_ket")  # a cut URL is a broken one: left whole, ZNS judges it
    data = {name: fit(value or NONE, ZNS_PARAMS[name]) for name, value in values.items()}
    return {**data, "lien_ket": link or home}
