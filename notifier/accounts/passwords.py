"""Password hashing (Argon2id through argon2-cffi) and the refusal of weak passwords.

The rule is length and a short blocklist (NIST SP 800-63B), not character classes:
at least 10 characters, not the login, not one repeated character or a run such as
"1234567890", not one of the passwords every list of leaked passwords starts with.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from notifier.errors import Refused

MIN_LENGTH = 10
MAX_LENGTH = 256
_HASHER = PasswordHasher()  # RFC 9106 low-memory profile: 64 MiB, 3 passes, 4 lanes
_COMMON = frozenset(
    "password passw0rd password1 password123 qwertyuiop qwerty1234 1q2w3e4r5t 123456789a "
    "abcd123456 iloveyou123 matkhau123 matkhaumoi 123456aA@ admin12345 administrator "
    "changeme123 welcome123 letmein123 ubndhuyen ubnd123456 vanphong123".split()
)
_RUNS = ("01234567890", "1234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


class WeakPassword(Refused):
    """A password refused by :func:`check_strength`; the message says why."""


def check_strength(password: str, login: str) -> None:
    """Raise WeakPassword with a sentence a person can act on."""
    if not password.strip():
        raise WeakPassword("Mật khẩu không được để trống.")
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Mật khẩu quá ngắn: cần ít nhất {MIN_LENGTH} ký tự.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Mật khẩu quá dài: tối đa {MAX_LENGTH} ký tự.")
    folded = password.lower()
    if login and login.lower() in folded:
        raise WeakPassword("Mật khẩu không được chứa tên đăng nhập.")
    if len(set(folded)) <= 2 or folded in _COMMON:
        raise WeakPassword("Mật khẩu quá dễ đoán; hãy dùng một cụm từ dài, khó đoán hơn.")
    if any(folded in run or folded in run[::-1] for run in _RUNS):
        raise WeakPassword("Mật khẩu là một dãy ký tự liên tiếp, quá dễ đoán.")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


@cache
def dummy_hash() -> str:
    """Verified against when the login is unknown, so that both answers take as long."""
    return _HASHER.hash("notifier: no such account")
