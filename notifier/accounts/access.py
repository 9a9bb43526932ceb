"""What an account may see and do: the one place that decides it.

- office: sees and acts on every plan;
- agency: sees only the tasks its agency leads or coordinates (groups expanded to
  their members), and will answer for its agency;
- viewer (leadership): reads everything, acts on nothing;
- admin: what office may, and manages accounts;
- the compiled report of a plan (plan pages, their Word/Excel/CSV files) lists every
  agency's tasks, so it is for office, viewer and admin; an agency account, which sees only
  its own tasks, is refused it.

Every web route names the :class:`Permission` it needs; task-level pages also ask
:func:`sees`. A refusal is a 403, never a page with less on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from notifier.accounts.roles import AccountRole
from notifier.domain.steps import TaskRoles


class Permission(StrEnum):
    READ = "read"  # the board, task pages, the log (within what the account sees)
    ACT = "act"  # done, escalate, received, extend (the actions of the next step)
    MANAGE_USERS = "manage_users"
    REPORT = "report"  # plan pages and the compiled report's files (the whole plan)


_GRANTS: dict[AccountRole, frozenset[Permission]] = {
    AccountRole.ADMIN: frozenset(Permission),
    AccountRole.OFFICE: frozenset({Permission.READ, Permission.ACT, Permission.REPORT}),
    AccountRole.AGENCY: frozenset({Permission.READ, Permission.ACT}),
    AccountRole.VIEWER: frozenset({Permission.READ, Permission.REPORT}),
}


@dataclass(frozen=True)
class Principal:
    """The signed-in account as the pages see it."""

    account_id: int
    login: str
    role: AccountRole
    agency_code: str | None = None
    agency_name: str = ""


def can(who: Principal, permission: Permission) -> bool:
    return permission in _GRANTS[who.role]


def agency_scope(who: Principal) -> str | None:
    """The only agency whose tasks this account sees, or None for all."""
    return who.agency_code if who.role == AccountRole.AGENCY else None


def sees(who: Principal, roles: TaskRoles) -> bool:
    """Whether the account may see a task (or one of its deadlines)."""
    scope = agency_scope(who)
    if who.role == AccountRole.AGENCY and scope is None:
        return False  # an agency account whose agency is gone sees nothing
    return scope is None or scope in roles.lead or scope in roles.coordinating
