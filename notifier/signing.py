"""Signed answers: chat button data and answer links, and the installation's signing key.

Below the engine and the answer surfaces: the dispatcher signs what it sends, the bot
and the web app check what comes back, with the same functions.


Both carry (message, action) and an HMAC-SHA256 signature made with the
installation's secret key, so a forged or altered answer is refused. Email
tokens also carry the person and an expiry (30 days by default), checked
against the injected clock.

Download links of the compiled report (:func:`report_link`) are signed the same way,
under their own prefix (an answer token is never a download token): plan, period,
report instant, format, expiry (30 days).

The key comes from ``NOTIFIER_SECRET_KEY``, or is generated once into a file
readable only by its owner (``secret_key_file`` in notifier.yaml).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifier.channels.base import Button
from notifier.errors import ConfigError, Refused
from notifier.vocab import RECIPIENT_ANSWERS, AckAction

TOKEN_LIFETIME = timedelta(days=30)

_CODES = {
    AckAction.RECEIVED: "r",
    AckAction.DONE: "d",
    AckAction.BLOCKED: "b",
    AckAction.EXTENSION_REQUESTED: "x",
}
_ACTIONS = {code: action for action, code in _CODES.items()}


def load_secret_key(env_value: str | None, key_file: Path) -> bytes:
    """The signing key: the environment's, else the file's (created 0600 on first use).

    The file appears whole or not at all (written aside, then linked into place), so a
    full disk never leaves an empty key that would sign every link with nothing.
    """
    if env_value:
        return env_value.encode("utf-8")
    try:
        if not key_file.exists():
            _create_key(key_file)
        key = key_file.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(
            [
                f"{key_file}: không đọc hoặc tạo được tệp khóa ký ({exc.strerror or exc}); "
                "kiểm tra thư mục (secret_key_file) và chỗ trống trên đĩa, hoặc đặt "
                "NOTIFIER_SECRET_KEY"
            ]
        ) from None
    if not key:
        raise ConfigError(
            [
                f"{key_file}: tệp khóa ký rỗng; xóa tệp để tạo khóa mới (các liên kết đã gửi "
                "sẽ hết hiệu lực) hoặc đặt NOTIFIER_SECRET_KEY"
            ]
        )
    return key


def _create_key(key_file: Path) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    aside = key_file.with_name(f".{key_file.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_urlsafe(48).encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(aside, key_file)  # like O_EXCL: a key another process made first wins
        except FileExistsError:
            pass
    finally:
        aside.unlink(missing_ok=True)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, message: str, length: int) -> str:
    return _b64(hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest())[:length]


def callback_data(key: bytes, notification_id: int, action: AckAction) -> str:
    """``a:<code>:<id>:<sig>``, well under Telegram's 64-byte limit."""
    body = f"{_CODES[action]}:{notification_id}"
    return f"a:{body}:{_sign(key, 'cb:' + body, 16)}"


def answer_buttons(
    key: bytes, notification_id: int, answers: tuple[AckAction, ...]
) -> tuple[Button, ...]:
    """The chat buttons of a message: one signed button per answer it offers."""
    return tuple(
        Button(a.label, callback_data=callback_data(key, notification_id, a)) for a in answers
    )


def parse_callback_data(key: bytes, data: str) -> tuple[int, AckAction]:
    """(notification id, action); Refused for anything forged, altered or malformed."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "a" or parts[1] not in _ACTIONS or not parts[2].isdigit():
        raise Refused("dữ liệu nút bấm không hợp lệ")
    body = f"{parts[1]}:{parts[2]}"
    if not hmac.compare_digest(_sign(key, "cb:" + body, 16), parts[3]):
        raise Refused("chữ ký nút bấm không đúng")
    return int(parts[2]), _ACTIONS[parts[1]]


@dataclass(frozen=True)
class AnswerToken:
    notification_id: int
    person_id: int
    action: AckAction
    expires_at: datetime


def make_token(
    key: bytes, notification_id: int, person_id: int, action: AckAction, now: datetime
) -> str:
    """A URL-safe signed token for an email answer link, valid for 30 days from ``now``."""
    expires = int((now + TOKEN_LIFETIME).timestamp())
    body = {"n": notification_id, "p": person_id, "a": _CODES[action], "e": expires}
    return _seal(key, "link", body)


def _seal(key: bytes, purpose: str, body: dict[str, object]) -> str:
    """``payload.signature``: compact JSON, base64url, signed for this purpose only."""
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(key, f'{purpose}:' + payload, 43)}"


def _unseal(key: bytes, purpose: str, token: str, forged: str) -> Any:
    """The JSON body of a token :func:`_seal` made for ``purpose``; Refused(``forged``)
    when the signature does not match."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(_sign(key, f"{purpose}:" + payload, 43), signature):
        raise Refused(forged)
    try:
        return json.loads(_unb64(payload))
    except ValueError:
        raise Refused(forged) from None


def read_token(key: bytes, token: str, now: datetime) -> AnswerToken:
    """Check signature and expiry; Refused (with a reason a person can read) otherwise."""
    data = _unseal(key, "link", token, "Liên kết không hợp lệ hoặc đã bị sửa đổi.")
    try:
        answer = AnswerToken(
            notification_id=int(data["n"]),
            person_id=int(data["p"]),
            action=_ACTIONS[data["a"]],
            expires_at=datetime.fromtimestamp(int(data["e"]), tz=UTC),
        )
    except (ValueError, KeyError, TypeError):
        raise Refused("Liên kết không hợp lệ.") from None
    if now >= answer.expires_at:
        raise Refused("Liên kết đã hết hạn (quá 30 ngày). Vui lòng dùng liên kết trong tin mới.")
    return answer


def answer_links(
    key: bytes, public_url: str, notification_id: int, person_id: int, now: datetime
) -> dict[str, str]:
    """The three answer links, keyed by action value (as the templates expect)."""
    base = public_url.rstrip("/")
    return {
        action.value: f"{base}/a/{make_token(key, notification_id, person_id, action, now)}"
        for action in RECIPIENT_ANSWERS
    }


# -- download links of the compiled report (chat channels) ------------------------------

REPORT_LINK_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class ReportLink:
    """What a signed download link names: the plan, its period code ("" for none), the
    report's instant (so the file shows the figures of the message) and the format."""

    plan_id: int
    period: str
    at: datetime
    fmt: str
    expires_at: datetime


def make_report_token(
    key: bytes, plan_id: int, period: str, at: datetime, fmt: str, now: datetime
) -> str:
    """A URL-safe signed token for one report file, valid for 30 days from ``now``."""
    body = {
        "p": plan_id, "d": period, "t": int(at.timestamp()), "f": fmt,
        "e": int((now + REPORT_LINK_LIFETIME).timestamp()),
    }  # fmt: skip
    return _seal(key, "file", body)


def read_report_token(key: bytes, token: str, now: datetime) -> ReportLink:
    """Check signature and expiry; Refused (with a reason a person can read) otherwise."""
    data = _unseal(key, "file", token, "Liên kết tải báo cáo không hợp lệ hoặc đã bị sửa đổi.")
    try:
        link = ReportLink(
            plan_id=int(data["p"]),
            period=str(data["d"]),
            at=datetime.fromtimestamp(int(data["t"]), tz=UTC),
            fmt=str(data["f"]),
            expires_at=datetime.fromtimestamp(int(data["e"]), tz=UTC),
        )
    except (ValueError, KeyError, TypeError):
        raise Refused("Liên kết tải báo cáo không hợp lệ.") from None
    if now >= link.expires_at:
        raise Refused(
            "Liên kết tải báo cáo đã hết hạn (quá 30 ngày). Vui lòng tải báo cáo trên trang "
            "kế hoạch của hệ thống theo dõi hoặc liên hệ Văn phòng."
        )
    return link


def report_link(
    key: bytes, public_url: str, plan_id: int, period: str, at: datetime, fmt: str, now: datetime
) -> str:
    """The download address of one report file: ``<public_url>/f/<token>``."""
    token = make_report_token(key, plan_id, period, at, fmt, now)
    return f"{public_url.rstrip('/')}/f/{token}"
