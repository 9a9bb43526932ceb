"""Email over SMTP, one connection kept open and reused.

Headers are written by our own policy (:class:`_NotifierPolicy`) because Python 3.11's
folding of RFC 2047 encoded words loses spaces: a space that falls between two encoded
words becomes folding whitespace, which decoders must drop ("thuế quý" arrives as
"thuếquý"), and Python's own address parser keeps spaces it should drop. So:

* Subject: when it is not plain short ASCII, it is written as base64 encoded words cut
  at character boundaries, each word carrying its own spaces; the words are joined by
  folding whitespace, which every decoder removes. Nothing is lost at any fold.
* From / To: each display name is one encoded word (``email.utils.formataddr``), never
  folded inside. Names are short; a long one makes a long line, still far below the
  998-octet limit.

The message is serialised with that policy and handed to ``SMTP.sendmail`` as bytes;
``aiosmtplib.send_message`` would re-serialise it with ``email.policy.SMTP`` and bring
the bug back.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr
from enum import StrEnum
from typing import Any

import aiosmtplib

from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
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


def _format_addresses(value: Any) -> str:
    addresses = getattr(value, "addresses", ())
    return ", ".join(formataddr((a.display_name, a.addr_spec), "utf-8") for a in addresses)


class _NotifierPolicy(EmailPolicy):
    """EmailPolicy that writes Subject, From and To itself (see the module docstring)."""

    def _custom(self, name: str, value: Any) -> str | None:
        lowered = name.lower()
        if lowered == "subject":
            return f"{name}: {encode_subject(str(value), self.linesep)}{self.linesep}"
        if lowered in ("from", "to") and getattr(value, "addresses", None):
            return f"{name}: {_format_addresses(value)}{self.linesep}"
        return None

    def fold(self, name: str, value: Any) -> str:
        return self._custom(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        custom = self._custom(name, value)
        if custom is not None:
            return custom.encode("ascii")
        return super().fold_binary(name, value)


NOTIFIER_POLICY = _NotifierPolicy(linesep="\r\n")


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
    probe = EmailMessage(policy=NOTIFIER_POLICY)
    try:
        probe["From"] = _one_line(sender)
        addresses = probe["From"].addresses
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
) -> EmailMessage:
    """A multipart/alternative (text + HTML) message, inside multipart/mixed when files are
    attached (filenames RFC 2231-encoded); serialise it with ``as_bytes()``."""
    msg = EmailMessage(policy=NOTIFIER_POLICY)
    msg["Subject"] = _one_line(message.subject)
    msg["From"] = sender
    msg["To"] = _recipient(message)
    msg["Date"] = format_datetime(date.astimezone(VN_TZ))
    msg["Message-ID"] = f"<{message.key}@{message_id_domain}>"
    msg.set_content(message.text, cte="base64")
    if message.html is not None:
        msg.add_alternative(message.html, subtype="html", cte="base64")
    for attachment in message.attachments:
        msg.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return msg


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

    def build_email(self, message: OutgoingMessage) -> EmailMessage:
        return build_email(
            message,
            sender=self.settings.sender,
            message_id_domain=self.settings.message_id_domain,
            date=self._clock.now(),
        )

    async def send(self, message: OutgoingMessage) -> SendResult:
        email_message = self.build_email(message)
        raw = email_message.as_bytes()
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
        return SendResult(provider_id=str(email_message["Message-ID"]))

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
