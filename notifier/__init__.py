"""notifier: deadline and reporting notifier for Vietnamese public agencies."""

__version__ = "0.1.0"
