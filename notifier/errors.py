"""The error tree.

    NotifierError                 base; carries a message meant for a person
    ├── ConfigError               a configuration file is wrong (file, line, what is valid)
    ├── PlanParseError            a plan document cannot be read at all
    │   └── EmptyPlanError        no task found in a document to import (plans.acceptance)
    ├── ResolveError              agency names in a plan match nothing in the directory
    ├── PlanConflict              a document may be a new version of another plan: ask first
    ├── NotFound                  a person, task, plan or message named on the CLI is unknown
    ├── Refused                   an action is not allowed for this person or token
    └── ChannelError              a channel failed to send (see notifier.channels.base)

The CLI turns ConfigError / PlanParseError / ResolveError / PlanConflict into exit status 2 and
the others into exit status 1, printing ``str(error)``.
"""

from __future__ import annotations


class NotifierError(Exception):
    """Base of every error the program expects and explains."""


class ConfigError(NotifierError):
    """Bad configuration; ``str()`` names the file, line or entry and what is valid."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PlanParseError(NotifierError):
    """A plan document could not be read (missing file, unknown format, corrupt docx)."""


class ResolveError(NotifierError):
    """Agency names from a plan that match nothing in the directory."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class PlanConflict(NotifierError):
    """Importing would create a plan beside one it may replace, or replace the wrong one.

    ``candidates`` are the keys of the plans concerned, for a caller that offers a choice
    (the web upload shows a button per candidate).
    """

    def __init__(self, message: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(message)


class NotFound(NotifierError):
    """Something named by the user does not exist."""


class Refused(NotifierError):
    """An action refused: unknown chat, another agency, bad or expired token."""
