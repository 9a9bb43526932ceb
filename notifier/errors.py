"""The error tree.

    NotifierError                 base; carries a message meant for a person
    ├── ConfigError               a configuration file is wrong (file, line, what is valid)
    ├── PlanParseError            a plan document cannot be read at all
    ├── ResolveError              agency names in a plan match nothing in the directory
    ├── NotFound                  a person, task, plan or message named on the CLI is unknown
    ├── Refused                   an action is not allowed for this person or token
    └── ChannelError              a channel failed to send (see notifier.channels.base)

The CLI turns ConfigError / PlanParseError / ResolveError into exit status 2 and
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


class NotFound(NotifierError):
    """Something named by the user does not exist."""


class Refused(NotifierError):
    """An action refused: unknown chat, another agency, bad or expired token."""
