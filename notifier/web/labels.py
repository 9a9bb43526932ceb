"""Vietnamese words for the stored nouns the pages show (kinds, channels, statuses, roles).

Kept here until the vocabulary issue gives every noun its label in one module.
"""

from __future__ import annotations

KIND = {
    "reminder": "Nhắc hạn",
    "due_today": "Đến hạn hôm nay",
    "overdue": "Thông báo quá hạn",
    "escalation": "Báo cáo cấp trên (đôn đốc)",
    "report_request": "Đề nghị báo cáo",
    "compiled_report": "Tổng hợp tình hình",
    "digest": "Bản tin tổng hợp",
    "obstacle": "Báo khó khăn, vướng mắc",
    "test": "Tin thử",
    "confirmation": "Xác nhận",
    "followup": "Nhắc lại (chưa phản hồi)",
    "admin_alert": "Cảnh báo quản trị",
}
CHANNEL = {
    "email": "Thư điện tử",
    "telegram": "Telegram",
    "console": "Nhật ký hệ thống",
    "web": "Trang web",
    "cli": "Quản trị viên",
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
    "retry": "Sẽ gửi lại",
    "fallback": "Chuyển sang kênh khác",
    "deferred": "Tạm hoãn (giới hạn tốc độ)",
}
ROLE = {
    "directing": "Cơ quan chỉ đạo",
    "lead": "Cơ quan chủ trì",
    "coordinating": "Cơ quan phối hợp",
}
DEADLINE_KIND = {"deadline": "Thời hạn hoàn thành", "report": "Kỳ báo cáo"}
EVENT = {"delivery": "Gửi tin", "answer": "Phản hồi"}
ANSWER = {
    "received": "Đã nhận",
    "done": "Đã hoàn thành",
    "blocked": "Báo vướng mắc",
    "escalated": "Chuyển cấp",
}


def label(table: dict[str, str], value: str) -> str:
    return table.get(value, value)
