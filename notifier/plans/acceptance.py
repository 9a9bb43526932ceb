"""Whether a parsed document may become a plan: the one check the CLI and the web upload share.

A document in which no task was found is refused (unless the caller allows it): an
empty plan would be imported, reported as a success and remind nobody of anything.
The message says where tasks were looked for and how to mark them.
"""

from __future__ import annotations

from notifier.errors import PlanParseError
from notifier.plans.model import ParsedPlan

LAYOUTS = (
    'nhiệm vụ đánh số có dòng nhãn: "1. <nội dung>" rồi "- Cơ quan chủ trì: ...", '
    '"- Thời gian thực hiện: ..."',
    'bảng phân công có cột "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"',
    'theo cơ quan: "1. Phòng X: chủ trì, phối hợp với ... ; hoàn thành trước ngày 30/6/2025."',
    'câu giao việc: "Giao Sở X chủ trì, phối hợp với ... ; hoàn thành trước ngày ..."',
    'trong mục "Tổ chức thực hiện", phần "... yêu cầu:" / "đề nghị:" của công văn và các '
    "Điều của quyết định: theo mẫu 3 hoặc 4",
)


class EmptyPlanError(PlanParseError):
    """No task was found in a document that was asked to become a plan."""


def empty_plan_message(parsed: ParsedPlan, how_to_allow: str) -> str:
    where = "; ".join(parsed.regions) or (
        'không có mục đánh số La Mã (I., II., ...), Điều, hay phần "yêu cầu:" nào; '
        "đã tìm trong toàn bộ thân văn bản"
    )
    layouts = "\n".join(f"  {i}. {text}" for i, text in enumerate(LAYOUTS, start=1))
    return (
        f"{parsed.source}: không tìm thấy nhiệm vụ nào nên không nhập văn bản này.\n"
        f"Đã tìm ở: {where}.\n"
        f"Các cách ghi nhiệm vụ được nhận ra:\n{layouts}\n"
        'Hãy ghi nhiệm vụ theo một trong các mẫu trên (thường dưới mục "II. NỘI DUNG" hoặc '
        f'"NHIỆM VỤ"), hoặc {how_to_allow}.'
    )


def check_importable(
    parsed: ParsedPlan,
    *,
    allow_empty: bool = False,
    how_to_allow: str = "chạy lại với --allow-empty để vẫn nhập một kế hoạch không có nhiệm vụ",
) -> None:
    """Raise :class:`EmptyPlanError` (exit status 2 on the CLI) when no task was found."""
    if not parsed.tasks and not allow_empty:
        raise EmptyPlanError(empty_plan_message(parsed, how_to_allow))
