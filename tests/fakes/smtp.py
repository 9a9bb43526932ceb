"""A real SMTP server (aiosmtpd) on loopback that records what it received.

It runs in aiosmtpd's own thread, so the client under test talks to it over a real
socket exactly as it would to a mail server. Recipients listed in ``refuse`` get
``550``, messages to those in ``reject_data`` get ``554`` after DATA; ``users`` turns on
AUTH (PLAIN/LOGIN, allowed without TLS for tests).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    peer: Any  # (host, port) of the client connection: one value per SMTP session
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None

    def parsed(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.data, policy=default))


@dataclass
class RecordingHandler:
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    # messages to these recipients are refused after DATA (554), as a spam filter does
    reject_data: set[str] = field(default_factory=set)
    rejected: list[list[str]] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if set(envelope.rcpt_tos) & self.reject_data:
            self.rejected.append(list(envelope.rcpt_tos))
            return "554 5.7.1 Message rejected as spam by content filter"
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append(
            Received(
                peer=session.peer,
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=envelope.original_content or envelope.content,
                login=login,
            )
        )
        return "250 Message accepted"

    def sessions(self) -> int:
        return len({r.peer for r in self.received})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    *,
    port: int | None = None,
    refuse: set[str] | None = None,
    users: dict[str, str] | None = None,
    starttls_context: ssl.SSLContext | None = None,
    ssl_context: ssl.SSLContext | None = None,
    handler: RecordingHandler | None = None,
) -> Iterator[tuple[RecordingHandler, int]]:
    """Run a recording SMTP server on 127.0.0.1; yields ``(handler, port)``."""
    handler = handler or RecordingHandler(refuse=set(refuse or ()))
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    if users is not None:
        kwargs.update(authenticator=_Authenticator(users), auth_require_tls=False)
    if starttls_context is not None:
        kwargs.update(tls_context=starttls_context, require_starttls=True)
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, ssl_context=ssl_context, **kwargs
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
