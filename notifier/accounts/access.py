"""What an account may see and do: the one place that decides it.

- office: sees and acts on every plan;
- agency: sees only the tasks its agency leads or coordinates (groups expanded to
  their members), and answers for its agency: "received" for a message to one of its
  people, "done" for a task it leads; escalating and extending stay with the office;
- viewer (leadership): reads everything, acts on nothing;
- admin: what office may, and manages accounts, edits the directory (office reads it) and the
  working calendar.

Uploading and importing plans is for office and admin.
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
from notifier.vocab import AckAction


class Permission(StrEnum):
    READ = "read"  # the board, task pages, the log (within what the account sees)
    ACT = "act"  # done, escalate, received, extend (each checked again by may_act)
    MANAGE_USERS = "manage_users"
    READ_DIRECTORY = "read_directory"  # the directory pages (agencies, groups, people)
    EDIT_DIRECTORY = "edit_directory"  # their forms, invite codes, test messages
    IMPORT_PLANS = "import_plans"  # upload a plan document and import it (office, admin)
    EDIT_CALENDAR = "edit_calendar"  # add or remove local days of the working calendar
    REPORT = "report"  # plan pages and the compiled report's files (the whole plan)


_GRANTS: dict[AccountRole, frozenset[Permission]] = {
    AccountRole.ADMIN: frozenset(Permission),
    AccountRole.OFFICE: frozenset(
        {
            Permission.READ,
            Permission.ACT,
            Permission.READ_DIRECTORY,
            Permission.IMPORT_PLANS,
            Permission.REPORT,
        }
    ),
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


# What an agency account may do on its own tasks (the office may do everything).
AGENCY_ACTIONS = frozenset({AckAction.RECEIVED, AckAction.DONE})


def may_act(
    who: Principal, roles: TaskRoles, action: AckAction, recipient_agency: str | None = None
) -> bool:
    """Whether the account may take ``action`` on a task with these roles.

    An agency account: "done" only where its agency leads the task, "received" only for
    a message sent to one of its people (``recipient_agency``); nothing else.
    """
    if not can(who, Permission.ACT) or not sees(who, roles):
        return False
    scope = agency_scope(who)
    if who.role != AccountRole.AGENCY:
        return True
    if scope is None or action not in AGENCY_ACTIONS:
        return False
    if action == AckAction.RECEIVED:
        return recipient_agency == scope
    return scope in roles.lead
