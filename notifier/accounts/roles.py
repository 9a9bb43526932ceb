"""The roles of a web account: :class:`notifier.vocab.AccountRole` (one vocabulary)."""

from notifier.vocab import AccountRole

__all__ = ["AccountRole"]
