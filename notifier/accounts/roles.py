"""The four roles of a web account, with the words the pages show."""

from __future__ import annotations

from enum import StrEnum


class AccountRole(StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    AGENCY = "agency"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AccountRole.ADMIN: "Quản trị hệ thống",
    AccountRole.OFFICE: "Văn phòng (theo dõi, đôn đốc)",
    AccountRole.AGENCY: "Cơ quan, đơn vị",
    AccountRole.VIEWER: "Lãnh đạo (chỉ xem)",
}
