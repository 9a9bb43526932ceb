"""Vietnamese words for the stored nouns the pages show (kinds, channels, statuses, roles).

Message kinds and answers take their words from :mod:`notifier.vocab`; the rest are the
capitalised forms a page heading or badge needs.
"""

from __future__ import annotations

from notifier.vocab import AckAction, MessageKind

KIND = {k.value: k.label for k in MessageKind}
CHANNEL = {
    "email": "Thư điện tử",
    "telegram": "Telegram",
    "zalo": "Zalo",
    "console": "Nhật ký hệ thống",
    "web": "Trang web",
    "cli": "Quản trị viên",
    "board": "Trang theo dõi",
}
STATUS = {
    "planned": "Dự kiến",
    "pending": "Chờ gửi",
    "claimed": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Gửi không thành công",
    "skipped": "Bỏ qua",
    "cancelled": "Đã hủy",
    "answer": "Phản hồi",
    "started": "Đang gửi",
    "transient": "Lỗi tạm thời, sẽ gửi lại",
    "permanent": "Địa chỉ không dùng được",
}
ROLE = {
    "directing": "Cơ quan chỉ đạo",
    "lead": "Cơ quan chủ trì",
    "coordinating": "Cơ quan phối hợp",
}
DEADLINE_KIND = {"deadline": "Thời hạn hoàn thành", "report": "Kỳ báo cáo"}
EVENT = {"delivery": "Gửi tin", "answer": "Phản hồi"}
ANSWER = {a.value: a.label for a in AckAction}


def label(table: dict[str, str], value: str) -> str:
    return table.get(value, value)


# What a "Tổ chức thực hiện" item asks of its agencies, as the plan reader names it.
DUTY_ROLES = {
    "monitor": "theo dõi, đôn đốc",
    "compile": "tổng hợp",
    "report": "báo cáo",
    "obstacle": "tiếp nhận khó khăn, vướng mắc",
    "implement": "tổ chức thực hiện",
}
