"""Email over SMTP, one connection kept open and reused.

The message is written by :func:`build_email` itself, not by Python's email package: its
folding of RFC 2047 encoded words (3.11) loses spaces (a space that falls between two
encoded words becomes folding whitespace, which decoders must drop: "thuế quý" arrives
as "thuếquý"), its address parser keeps spaces it should drop, and its header objects
and generator cost about 3 ms a message. So:

* Subject: when it is not plain short ASCII, it is written as base64 encoded words cut
  at character boundaries, each word carrying its own spaces; the words are joined by
  folding whitespace, which every decoder removes. Nothing is lost at any fold.
* From / To: each display name is one encoded word (``email.utils.formataddr``), never
  folded inside. Names are short; a long one makes a long line, still far below the
  998-octet limit.
* Bodies and files: base64, under multipart/alternative and multipart/mixed.

The bytes go to ``SMTP.sendmail``; ``aiosmtplib.send_message`` would re-serialise the
message with ``email.policy.SMTP`` and bring the folding bug back.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import secrets
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import encode_rfc2231, format_datetime, formataddr
from enum import StrEnum

import aiosmtplib

from notifier.channels.base import Attachment, ChannelError, OutgoingMessage, SendResult
from notifier.clock import VN_TZ, Clock, SystemClock
from notifier.errors import ConfigError
from notifier.vocab import ChannelName

_WORD_BYTES = 39  # 39 bytes -> 52 base64 chars -> a 64-char encoded word; "Subject: " + 64 < 78
_PLAIN_SUBJECT_MAX = 78 - len("Subject: ")


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # "Văn phòng UBND <noreply@example.vn>" or a bare address
    security: SmtpSecurity = SmtpSecurity.NONE
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    validate_certs: bool = True
    message_id_domain: str = "notifier.local"


def encode_words(text: str, max_bytes: int = _WORD_BYTES) -> list[str]:
    """Cut ``text`` into base64 encoded words of at most ``max_bytes`` UTF-8 bytes each.

    Cuts fall between characters, never inside one, so every word decodes on its own.
    """
    words: list[str] = []
    chunk = b""
    for char in text:
        encoded = char.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > max_bytes:
            words.append(_encoded_word(chunk))
            chunk = b""
        chunk += encoded
    if chunk:
        words.append(_encoded_word(chunk))
    return words


def _encoded_word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def encode_subject(subject: str, linesep: str = "\r\n") -> str:
    """The Subject header value as it goes on the wire (without the ``Subject: `` prefix)."""
    if subject.isascii() and len(subject) <= _PLAIN_SUBJECT_MAX and "=?" not in subject:
        return subject
    return f"{linesep} ".join(encode_words(subject))


def _one_line(value: str) -> str:
    """Headers are one line: a newline in a subject or name would forge headers."""
    return " ".join(value.splitlines()) if ("\n" in value or "\r" in value) else value


def _recipient(message: OutgoingMessage) -> Address:
    """The To address; an unusable one is a permanent error (retrying cannot fix it)."""
    try:
        address = Address(display_name=_one_line(message.recipient_name), addr_spec=message.address)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise ChannelError(
            f"invalid email address {message.address!r}: {exc}", permanent=True
        ) from exc
    if not address.username or not address.domain or not message.address.isascii():
        raise ChannelError(f"invalid email address {message.address!r}", permanent=True)
    return address


def envelope_sender(sender: str) -> str:
    """The MAIL FROM address of ``sender``; a ConfigError at start when there is none.

    A sender without an address ("Văn phòng UBND") would otherwise fail every email at
    send time (the envelope must be ASCII), message after message.
    """
    problem = (
        f"email sender (NOTIFIER_SMTP_FROM / email.sender) {sender!r} has no usable address; "
        'write "Văn phòng UBND <vanphong@example.gov.vn>" or "vanphong@example.gov.vn"'
    )
    try:
        addresses = _sender_addresses(sender)
    except (ValueError, IndexError, HeaderParseError):
        raise ConfigError([problem]) from None
    if len(addresses) != 1:
        raise ConfigError([problem])
    address = addresses[0]
    spec = address.addr_spec
    if not address.username or not address.domain or not spec.isascii() or " " in spec:
        raise ConfigError([problem])
    return spec


def build_email(
    message: OutgoingMessage, *, sender: str, message_id_domain: str, date: datetime
) -> bytes:
    """The message as it goes on the wire: multipart/alternative (text + HTML), inside
    multipart/mixed when files are attached (filenames RFC 2231-encoded).

    Written directly rather than through :class:`EmailMessage`, whose header objects and
    generator took about 3 ms a message (most of an email's dispatch): the same
    structure, every body and file base64, lines ending CRLF.
    """
    headers = [
        f"Subject: {encode_subject(_one_line(message.subject))}",
        f"From: {from_header(sender)}",
        f"To: {_format_address(_recipient(message))}",
        f"Date: {format_datetime(date.astimezone(VN_TZ))}",
        f"Message-ID: {message_id(message, message_id_domain)}",
        "MIME-Version: 1.0",
    ]
    body = _text_part(message.text, "plain")
    if message.html is not None:
        body = _multipart("alternative", [body, _text_part(message.html, "html")])
    if message.attachments:
        body = _multipart("mixed", [body, *map(_attachment_part, message.attachments)])
    return ("\r\n".join(headers) + "\r\n").encode("ascii") + body


def message_id(message: OutgoingMessage, domain: str) -> str:
    return f"<{message.key}@{domain}>"


@functools.lru_cache(maxsize=16)
def from_header(sender: str) -> str:
    """The From header's value for ``sender`` (parsed once; checked by
    :func:`envelope_sender` when the channel is made)."""
    return ", ".join(map(_format_address, _sender_addresses(sender)))


def _sender_addresses(sender: str) -> tuple[Address, ...]:
    """The addresses of a sender as Python's header parser reads them (may raise)."""
    probe = EmailMessage(policy=default)
    probe["From"] = _one_line(sender)
    return tuple(probe["From"].addresses)


def _format_address(address: Address) -> str:
    """One address, its display name one encoded word (see the module docstring)."""
    return formataddr((address.display_name, address.addr_spec), "utf-8")


def _base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters, each ending CRLF."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _text_part(text: str, subtype: str) -> bytes:
    # lines end CRLF in the content itself, as EmailMessage.set_content writes them
    content = b"\r\n".join(text.encode("utf-8").splitlines()) + b"\r\n"
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64'
    return head.encode("ascii") + b"\r\n\r\n" + _base64_lines(content)


def _attachment_part(attachment: Attachment) -> bytes:
    name = attachment.filename
    if name.isascii() and '"' not in name and "\\" not in name:
        disposition = f'attachment; filename="{name}"'
    else:
        disposition = f"attachment;\r\n filename*={encode_rfc2231(name, 'utf-8')}"
    head = (
        f"Content-Type: {attachment.mime_type}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: {disposition}"
    )
    return head.encode("ascii") + b"\r\n\r\n" + _base64_lines(attachment.data)


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    """The parts under one boundary (random; base64 lines never contain its "=" run)."""
    boundary = f"==============={secrets.randbelow(10**19):019d}==".encode("ascii")
    head = b"Content-Type: multipart/" + subtype.encode("ascii") + b';\r\n boundary="'
    out = [head + boundary + b'"\r\n']
    for part in parts:
        out.append(b"\r\n--" + boundary + b"\r\n" + part)
    out.append(b"\r\n--" + boundary + b"--\r\n")
    return b"".join(out)


class EmailChannel:
    """Sends each message over one SMTP connection, opened on first use and kept open.

    Sends are serialised (SMTP is one transaction at a time). When the server has closed
    the idle connection, the channel reconnects and tries that message once more; a drop
    after the server accepted DATA can therefore repeat a message (at-least-once).
    """

    name: str = ChannelName.EMAIL

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        clock: Clock | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._tls_context = tls_context
        self._smtp: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()
        self._envelope_sender = envelope_sender(settings.sender)

    def build_email(self, message: OutgoingMessage) -> bytes:
        return build_email(
            message,
            sender=self.settings.sender,
            message_id_domain=self.settings.message_id_domain,
            date=self._clock.now(),
        )

    async def send(self, message: OutgoingMessage) -> SendResult:
        raw = self.build_email(message)
        async with self._lock:
            try:
                await self._deliver(message.address, raw)
            except aiosmtplib.SMTPException as exc:
                if not isinstance(exc, aiosmtplib.SMTPResponseException | _REFUSED):
                    await self._drop()
                raise smtp_error(exc, self.settings) from exc
            except OSError as exc:  # refused connection, TLS failure, reset
                await self._drop()
                raise ChannelError(
                    f"cannot reach SMTP server {self._where()}: {exc}", permanent=False
                ) from exc
            except asyncio.CancelledError:  # cut off by dispatch's timeout mid-transaction:
                await self._drop()  # the connection's state is unknown, never reuse it
                raise
        return SendResult(provider_id=message_id(message, self.settings.message_id_domain))

    async def _deliver(self, address: str, raw: bytes) -> None:
        smtp = await self._connection()
        try:
            await smtp.sendmail(self._envelope_sender, [address], raw)
        except aiosmtplib.SMTPServerDisconnected:
            await self._drop()  # idle connection closed by the server: reconnect once
            smtp = await self._connection()
            await smtp.sendmail(self._envelope_sender, [address], raw)

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            timeout=s.timeout,
            use_tls=s.security == SmtpSecurity.SSL,
            start_tls=s.security == SmtpSecurity.STARTTLS,
            validate_certs=s.validate_certs,
            tls_context=self._tls_context,
        )
        try:
            await smtp.connect()  # also STARTTLS and login, as configured
        except BaseException:
            smtp.close()  # a failed login must not leave a half-open connection behind
            raise
        self._smtp = smtp
        return smtp

    async def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    async def aclose(self) -> None:
        """Say QUIT politely; a dead connection is just closed."""
        async with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is not None and smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()

    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.port} ({self.settings.security})"


_REFUSED = aiosmtplib.SMTPRecipientsRefused


def smtp_error(exc: aiosmtplib.SMTPException, settings: SmtpSettings) -> ChannelError:
    """Map an aiosmtplib error: a mailbox or a message refused with 5xx is permanent."""
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        return ChannelError(f"recipient refused: {detail}", permanent=min(codes) >= 500)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        reason = f"recipient refused: {exc.recipient}: {exc.code} {exc.message}"
        return ChannelError(reason, permanent=exc.code >= 500)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ChannelError(
            f"SMTP login to {where} refused for user {settings.username!r} "
            f"({exc.code} {exc.message}); an administrator must fix smtp username/password",
            permanent=False,
        )
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return ChannelError(
            f"SMTP server {where} refused sender {exc.sender!r} ({exc.code} {exc.message}); "
            "an administrator must check the sender address and security settings",
            permanent=False,
        )
    if isinstance(exc, aiosmtplib.SMTPDataError) and exc.code >= 500:
        # 554 after DATA: the server refuses this message for good (policy, spam, size);
        # retrying for 24 hours cannot help, the person's next channel may.
        return ChannelError(
            f"SMTP server {where} refused the message after DATA: {exc.code} {exc.message}",
            permanent=True,
        )
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return ChannelError(f"SMTP server {where} timed out: {exc}", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return ChannelError(
            f"SMTP server {where} answered {exc.code} {exc.message}", permanent=False
        )
    return ChannelError(f"SMTP failure with {where}: {exc}", permanent=False)
