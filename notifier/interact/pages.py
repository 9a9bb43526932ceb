"""The pages of the answer-link web app, in official Vietnamese, autoescaped.

Pages are small and self-contained (inline style, no script, no external
resources) so they work in any mail client's browser and under a strict
Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import jinja2

from notifier import textfmt
from notifier.render import plan_reference
from notifier.vocab import AckAction

_BASE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{ title }}</title>
<style>
body{font-family:"Times New Roman",serif;max-width:42rem;margin:2rem auto;padding:0 1rem;
color:#111;line-height:1.5}
h1{font-size:1.3rem;text-transform:uppercase;text-align:center}
.box{border:1px solid #999;padding:1rem;margin:1rem 0}
.refused{border-color:#a00;color:#600}
textarea{width:100%;min-height:6rem;font:inherit}
button{font:inherit;padding:.4rem 1.2rem}
.muted{color:#555;font-size:.9rem}
</style></head><body>
<h1>{{ title }}</h1>
{% block body %}{% endblock %}
<p class="muted">Hệ thống nhắc hạn và đôn đốc thực hiện nhiệm vụ.</p>
</body></html>
"""

_TASK = """{% macro task(t) %}<div class="box">
<p>Kính gửi: {{ t.addressee }}</p>
<p>{{ t.plan_ref }}</p>
<p><strong>Nhiệm vụ {{ t.task_ref }}:</strong> {{ t.task_title }}</p>
{% if t.period %}<p>Kỳ báo cáo: {{ t.period }}</p>{% endif %}
<p><strong>Thời hạn:</strong> {{ t.deadline }}</p>
</div>{% endmacro %}"""

_CONFIRM = """{% extends "base" %}{% from "task" import task %}{% block body %}
{{ task(t) }}
{% if closed %}
<div class="box"><p>{{ closed }}</p></div>
{% else %}
<form method="post" action="">
<p>Nội dung phản hồi: <strong>{{ action_label }}</strong></p>
{% if action == "blocked" %}
<p><label for="reason">Nội dung khó khăn, vướng mắc (bắt buộc):</label></p>
<textarea id="reason" name="reason" required maxlength="2000">{{ reason }}</textarea>
{% if error %}<p class="refused">{{ error }}</p>{% endif %}
{% elif action == "extension_requested" %}
<p><label for="proposed">Đề nghị gia hạn đến ngày (ngày/tháng/năm, bắt buộc):</label></p>
<p><input id="proposed" name="proposed" required inputmode="numeric"
 placeholder="ví dụ 15/5/2024" value="{{ proposed }}"></p>
<p><label for="reason">Lý do đề nghị gia hạn (bắt buộc):</label></p>
<textarea id="reason" name="reason" required maxlength="2000">{{ reason }}</textarea>
{% if error %}<p class="refused">{{ error }}</p>{% endif %}
{% elif action == "done" %}
<p><label for="note">Ghi chú kết quả (nếu có):</label></p>
<textarea id="note" name="note" maxlength="2000"></textarea>
{% endif %}
<p><button type="submit">Xác nhận: {{ action_label }}</button></p>
<p class="muted">Phản hồi chỉ được ghi nhận khi đồng chí bấm nút xác nhận.</p>
</form>
{% endif %}
{% endblock %}"""

_RESULT = """{% extends "base" %}{% block body %}
<div class="box"><p>{{ message }}</p></div>
{% endblock %}"""

_REFUSED = """{% extends "base" %}{% block body %}
<div class="box refused"><p>{{ reason }}</p>
<p>Không có thay đổi nào được ghi nhận. Nếu cần hỗ trợ, vui lòng liên hệ Văn phòng.</p></div>
{% endblock %}"""

_ENV = jinja2.Environment(
    loader=jinja2.DictLoader(
        {"base": _BASE, "task": _TASK, "confirm": _CONFIRM, "result": _RESULT, "refused": _REFUSED}
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class TaskView:
    addressee: str
    plan_number: str
    plan_date: str
    plan_title: str
    task_ref: str
    task_title: str
    deadline: date
    period: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "addressee": self.addressee,
            "plan_ref": plan_reference(self.plan_number, self.plan_date, self.plan_title),
            "task_ref": self.task_ref,
            "task_title": self.task_title,
            "period": self.period,
            "deadline": textfmt.vn_deadline(self.deadline),
        }


def confirm_page(
    task: TaskView,
    action: AckAction,
    *,
    closed: str = "",
    reason: str = "",
    error: str = "",
    proposed: str = "",
) -> str:
    """The GET page: what will be recorded, and the button (and reason field) to do it."""
    return _ENV.get_template("confirm").render(
        title="Xác nhận phản hồi nhiệm vụ",
        t=task.as_dict(),
        action=action.value,
        action_label=action.label,
        closed=closed,
        reason=reason,
        error=error,
        proposed=proposed,
    )


def result_page(message: str) -> str:
    return _ENV.get_template("result").render(title="Đã ghi nhận phản hồi", message=message)


def refused_page(reason: str, title: str = "Không thể ghi nhận phản hồi") -> str:
    return _ENV.get_template("refused").render(title=title, reason=reason)
