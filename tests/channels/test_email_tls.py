"""STARTTLS and implicit TLS with a throw-away CA made by trustme for each test."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from notifier.channels.base import ChannelError
from notifier.channels.email import EmailChannel, SmtpSecurity
from notifier.clock import VirtualClock
from tests.channels.test_email import LONG_SUBJECT, make_message, settings_for
from tests.fakes.smtp import smtp_server

trustme = pytest.importorskip("trustme")

NOW = datetime(2024, 4, 1, 1, 30, tzinfo=UTC)


@pytest.fixture
def ca() -> Iterator[object]:
    yield trustme.CA()


def server_context(ca: object) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)  # type: ignore[attr-defined]
    return context


def client_context(ca: object) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)  # type: ignore[attr-defined]
    return context


async def test_starttls_with_trusted_ca_and_login(ca: object) -> None:
    with smtp_server(starttls_context=server_context(ca), users={"u": "p"}) as (handler, port):
        channel = EmailChannel(
            settings_for(port, security=SmtpSecurity.STARTTLS, username="u", password="p"),
            clock=VirtualClock(NOW),
            tls_context=client_context(ca),
        )
        await channel.send(make_message())
        await channel.aclose()
    [got] = handler.received
    assert got.login == "u"
    assert got.parsed()["Subject"] == LONG_SUBJECT


async def test_implicit_ssl_without_certificate_validation(ca: object) -> None:
    with smtp_server(ssl_context=server_context(ca)) as (handler, port):
        channel = EmailChannel(
            settings_for(port, security=SmtpSecurity.SSL, validate_certs=False),
            clock=VirtualClock(NOW),
        )
        await channel.send(make_message())
        await channel.send(make_message(key="n2"))
        await channel.aclose()
    assert [r.parsed()["Message-ID"] for r in handler.received] == [
        "<n42@notifier.local>",
        "<n2@notifier.local>",
    ]
    assert handler.sessions() == 1


async def test_untrusted_certificate_is_transient(ca: object) -> None:
    with smtp_server(ssl_context=server_context(ca)) as (handler, port):
        channel = EmailChannel(
            settings_for(port, security=SmtpSecurity.SSL), clock=VirtualClock(NOW)
        )
        with pytest.raises(ChannelError) as caught:
            await channel.send(make_message())
        await channel.aclose()
    assert caught.value.permanent is False
    assert handler.received == []


async def test_plain_client_refused_by_server_requiring_starttls(ca: object) -> None:
    with smtp_server(starttls_context=server_context(ca)) as (handler, port):
        channel = EmailChannel(settings_for(port), clock=VirtualClock(NOW))
        with pytest.raises(ChannelError) as caught:
            await channel.send(make_message())
        await channel.aclose()
    assert caught.value.permanent is False
    assert handler.received == []
