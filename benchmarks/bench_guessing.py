"""How many guesses an attacker gets per day at invite codes and at the login form.

Usage: python benchmarks/bench_guessing.py [--hours 24] [--login-hours 24]

The real limits run against a real SQLite database on a virtual clock: an attacker who
tries again the second a lock ends, for ``--hours`` of virtual time (``--login-hours``
for the login form: each checked password costs one Argon2id verification, 0.1-1 s).
Counted are the guesses actually checked (a limited attempt is refused before the code
or the password is looked at). Four attackers: invite codes from one chat; invite codes
from a fresh chat for every guess; passwords for one login (from any number of
addresses); passwords for a fresh login every guess from one address. Prints the counts
and, for the codes, the expected time to hit one of 100 live codes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from notifier.accounts.login import authenticate  # noqa: E402
from notifier.clock import VN_TZ  # noqa: E402
from notifier.interact.linking import (  # noqa: E402
    ALPHABET,
    CODE_LENGTH,
    LinkRefused,
    record_refusal,
    redeem_code,
)
from notifier.store.db import make_engine, session_scope, upgrade  # noqa: E402
from notifier.vocab import LinkOutcome, LoginOutcome  # noqa: E402

START = datetime(2024, 4, 22, 8, 0, tzinfo=VN_TZ)
LIVE_CODES = 100

# One try at ``now``: (was it checked?, when the attacker may try next).
Attempt = Callable[[int, datetime], tuple[bool, datetime]]


def _code_guess(engine: object, fresh_chat: bool) -> Attempt:
    def attempt(n: int, now: datetime) -> tuple[bool, datetime]:
        chat = str(1000 + n) if fresh_chat else "1000"
        try:
            with session_scope(engine) as session:  # type: ignore[arg-type]
                redeem_code(session, f"{n:010d}", "telegram", chat, now)
        except LinkRefused as refused:
            with session_scope(engine) as session:  # type: ignore[arg-type]
                record_refusal(session, refused, "telegram", chat, now)
            if refused.outcome == LinkOutcome.LIMITED:
                return False, now + timedelta(minutes=1)
        return True, now + timedelta(seconds=1)

    return attempt


def _password_guess(engine: object, fresh_login: bool) -> Attempt:
    def attempt(n: int, now: datetime) -> tuple[bool, datetime]:
        login = f"guess{n}" if fresh_login else "admin"
        with session_scope(engine) as session:  # type: ignore[arg-type]
            result = authenticate(session, login, f"guess-{n}", "203.0.113.7", now)
        if result.outcome == LoginOutcome.LIMITED:
            assert result.retry_at is not None
            return False, max(result.retry_at, now + timedelta(seconds=1))
        return True, now + timedelta(seconds=1)

    return attempt


def run(attempt: Attempt, hours: float) -> int:
    now, end, checked, n = START, START + timedelta(hours=hours), 0, 0
    while now < end:
        ok, now = attempt(n, now)
        checked += ok
        n += 1
    return checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--login-hours", type=float, default=24.0)
    args = parser.parse_args()
    space = len(ALPHABET) ** CODE_LENGTH
    with tempfile.TemporaryDirectory() as tmp:
        cases = (
            ("invite codes, one chat", _code_guess, False),
            ("invite codes, a new chat per guess", _code_guess, True),
            ("passwords, one login", _password_guess, False),
            ("passwords, a new login per guess, one address", _password_guess, True),
        )
        for i, (label, make, fresh) in enumerate(cases):
            engine = make_engine(f"sqlite:///{Path(tmp) / f'g{i}.db'}")
            upgrade(engine)
            hours = args.hours if make is _code_guess else args.login_hours
            started = time.perf_counter()
            checked = run(make(engine, fresh), hours)
            per_day = checked * 24 / hours
            took = time.perf_counter() - started
            print(f"{label}: {checked} guesses checked in {hours:g} h ({per_day:.0f}/day)"
                  f" [{took:.1f} s]")  # fmt: skip
            if make is _code_guess:
                years = space / (per_day * LIVE_CODES) / 365.25
                print(f"  code space {space:.3e}; with {LIVE_CODES} live codes one hit every "
                      f"{years:.2e} years on average")  # fmt: skip
            engine.dispose()


if __name__ == "__main__":
    main()
