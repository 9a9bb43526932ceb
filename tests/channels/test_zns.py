"""ZnsChannel against the fake ZNS + OAuth server and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Engine, text
from sqlmodel import Session

from notifier.channels.base import ChannelError, OutgoingMessage
from notifier.channels.zns import PhoneError, ZnsChannel, build_zns_channel, normalize_vn_mobile
from notifier.clock import VirtualClock
from notifier.settings import load_settings
from notifier.store import oauth
from notifier.store.db import make_engine, upgrade
from notifier.store.models import OAuthToken
from tests.fakes.zns_api import FakeZns

T0 = datetime(2024, 4, 22, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
TEMPLATES = {"reminder": "250001", "overdue": "250002"}
DATA = {
    "ten": "Nguyễn Văn A",
    "viec": "Báo cáo thuế quý II",
    "han": "02/5/2024",
    "lien_ket": "https://tb.example.vn/a/n7",
}
Factory = Callable[..., ZnsChannel]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest_asyncio.fixture
async def make_channel(zns_api: FakeZns, clock: VirtualClock) -> AsyncIterator[Factory]:
    made: list[ZnsChannel] = []

    def make(engine: Engine, **extra: object) -> ZnsChannel:
        options: dict[str, object] = {
            "app_id": zns_api.app_id,
            "secret_key": zns_api.secret_key,
            "refresh_token": "RT-0",
            "templates": TEMPLATES,
            "clock": clock,
            "api_url": zns_api.url,
            "oauth_url": zns_api.url,
        }
        options.update(extra)
        channel = ZnsChannel(engine, **options)  # type: ignore[arg-type]
        made.append(channel)
        return channel

    yield make
    for channel in made:
        await channel.aclose()


def message(key: str = "n7", **extra: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "key": key,
        "channel": "zns",
        "address": "0912 345 678",
        "subject": "[Nhắc hạn] Báo cáo thuế quý II",
        "text": "Kính gửi",
        "kind": "reminder",
        "template_data": DATA,
    }
    fields.update(extra)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


def token_row(engine: Engine, app_id: str) -> OAuthToken:
    with Session(engine) as session:
        row = session.get(OAuthToken, f"zns:{app_id}")
        assert row is not None
        return row


# -- phone numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84 912 345 678",
        "(+84) 912-345-678",
        "84912345678",
        "0084912345678",
    ],
)
def test_vietnamese_mobile_numbers_become_84(raw: str) -> None:
    assert normalize_vn_mobile(raw) == "84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "02553822123",
        "0241234567",
        "01689123456",
        "091234567",
        "+1 415 555 0100",
        "09123456789",
        "0912-ABC-678",
        "",
    ],
)
def test_what_is_not_a_vietnamese_mobile_number_is_refused(raw: str) -> None:
    with pytest.raises(PhoneError, match="0912345678"):
        normalize_vn_mobile(raw)


# -- sending ---------------------------------------------------------------------


async def test_first_send_seeds_refreshes_once_and_delivers(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    result = await make_channel(engine).send(message())
    [refresh] = zns_api.refresh_calls
    assert (refresh.app_id, refresh.secret_key, refresh.grant_type, refresh.refresh_token) == (
        zns_api.app_id,
        zns_api.secret_key,
        "refresh_token",
        "RT-0",
    )
    [sent] = zns_api.sent
    assert (sent.phone, sent.template_id, sent.template_data, sent.tracking_id) == (
        "84912345678",
        "250001",
        DATA,
        "n7",
    )
    assert sent.access_token == zns_api.access_token
    assert result.provider_id == sent.msg_id
    row = token_row(engine, zns_api.app_id)
    assert (row.refresh_token, row.access_token, row.version) == (
        zns_api.refresh_token,
        zns_api.access_token,
        1,
    )
    assert row.access_expires_at == T0 + timedelta(hours=25)
    assert "RT-0" in zns_api.burnt


async def test_an_expired_token_is_refreshed_exactly_once_and_the_message_goes_out(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    channel = make_channel(engine)
    await channel.send(message("n1"))
    zns_api.expire_access_token()
    await channel.send(
        message("n2", kind="overdue", template_data={k: DATA[k] for k in ("ten", "viec", "han")})
    )
    assert len(zns_api.refresh_calls) == 2
    assert [a["tracking_id"] for a in zns_api.send_attempts] == ["n1", "n2", "n2"]
    assert [s.tracking_id for s in zns_api.sent] == ["n1", "n2"]
    assert zns_api.sent[1].access_token == zns_api.access_token
    assert token_row(engine, zns_api.app_id).version == 2


async def test_a_token_about_to_expire_is_refreshed_before_sending(
    engine: Engine, zns_api: FakeZns, make_channel: Factory, clock: VirtualClock
) -> None:
    channel = make_channel(engine)
    await channel.send(message("n1"))
    clock.advance(timedelta(hours=24, minutes=56))
    await channel.send(message("n2"))
    assert len(zns_api.refresh_calls) == 2
    assert [a["access_token"] for a in zns_api.send_attempts][1] == zns_api.access_token
    assert len(zns_api.send_attempts) == 2  # no -124 round trip


async def test_a_refused_refresh_token_asks_an_admin_and_a_new_seed_recovers(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    zns_api.refresh_token = "RT-minted-elsewhere"
    channel = make_channel(engine)
    with pytest.raises(ChannelError, match="NOTIFIER_ZNS_REFRESH_TOKEN") as caught:
        await channel.send(message())
    assert not caught.value.permanent
    assert "RT-0" not in caught.value.reason and zns_api.secret_key not in caught.value.reason
    assert token_row(engine, zns_api.app_id).refused_at is not None
    with pytest.raises(ChannelError):
        await channel.send(message())
    assert len(zns_api.refresh_calls) == 1  # a refused token is not presented again
    restarted = make_channel(engine, refresh_token="RT-minted-elsewhere")
    await restarted.send(message())
    assert len(zns_api.sent) == 1
    assert token_row(engine, zns_api.app_id).refused_at is None


@pytest.mark.parametrize(
    ("error", "text", "permanent"),
    [
        (-108, "Phone number invalid", True),
        (-118, "Zalo account not existed", True),
        (-115, "Out of quota", False),
        (-144, "OA has exceeded its daily quota", False),
        (-131, "ZNS template not approved", False),
        (-100, "Unknown error", False),
    ],
)
async def test_zns_errors_are_classified(
    engine: Engine,
    zns_api: FakeZns,
    make_channel: Factory,
    error: int,
    text: str,
    permanent: bool,
) -> None:
    zns_api.issue_access_token()  # skip the first refresh: the failure is the send's
    channel = make_channel(engine)
    await channel.send(message("n0"))
    zns_api.fail_next(error, text)
    with pytest.raises(ChannelError, match=text) as caught:
        await channel.send(message("n1"))
    assert caught.value.permanent is permanent
    assert [s.tracking_id for s in zns_api.sent] == ["n0"]


async def test_real_refusals_from_the_fake_map_the_same_way(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    channel = make_channel(engine)
    zns_api.no_zalo_phones.add("84987654321")
    with pytest.raises(ChannelError, match="-118") as no_zalo:
        await channel.send(message(address="0987654321"))
    assert no_zalo.value.permanent
    with pytest.raises(ChannelError, match="-112") as bad_data:
        await channel.send(message(template_data={"ten": "A"}))
    assert not bad_data.value.permanent
    zns_api.quota = 0
    with pytest.raises(ChannelError, match="-115") as quota:
        await channel.send(message())
    assert not quota.value.permanent
    assert zns_api.sent == []


async def test_an_address_that_is_no_mobile_number_is_permanent_without_a_call(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    with pytest.raises(ChannelError, match="not a Vietnamese mobile number") as caught:
        await make_channel(engine).send(message(address="024 3825 1234"))
    assert caught.value.permanent
    assert zns_api.send_attempts == [] and zns_api.refresh_calls == []


async def test_a_kind_without_a_template_is_a_configuration_problem(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    with pytest.raises(ChannelError, match="no ZNS template .* 'digest'") as caught:
        await make_channel(engine).send(message(kind="digest"))
    assert not caught.value.permanent
    assert zns_api.send_attempts == []


async def test_server_and_network_failures_are_transient(
    engine: Engine, zns_api: FakeZns, make_channel: Factory
) -> None:
    channel = make_channel(engine)
    await channel.send(message("n0"))
    zns_api.gateway_error_next("send", 502)
    with pytest.raises(ChannelError, match="HTTP 502") as gateway:
        await channel.send(message("n1"))
    assert not gateway.value.permanent
    zns_api.expire_access_token()
    zns_api.gateway_error_next("oauth", 503)
    with pytest.raises(ChannelError, match="OAuth server error 503") as oauth_down:
        await channel.send(message("n2"))
    assert not oauth_down.value.permanent
    await zns_api.stop()
    with pytest.raises(ChannelError, match="unreachable") as down:
        await channel.send(message("n3"))
    assert not down.value.permanent


# -- two workers on PostgreSQL -----------------------------------------------------


async def _wait_for_lock_waiter(engine: Engine, application: str) -> None:
    """Until a backend of ``application`` waits for a row lock (the second worker)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = :app AND wait_event_type = 'Lock'"
    )
    for _ in range(2000):
        with engine.connect() as conn:
            if conn.execute(query, {"app": application}).scalar_one():
                return
        await asyncio.sleep(0.005)
    raise AssertionError("the second worker never waited for the token row")


@pytest.mark.postgres
async def test_two_workers_refreshing_at_once_use_one_new_pair(
    pg_url: str, zns_api: FakeZns, make_channel: Factory
) -> None:
    application = f"zns-{uuid.uuid4().hex[:8]}"
    engines = [
        make_engine(pg_url, connect_args={"application_name": application}) for _ in range(3)
    ]
    upgrade(engines[0])
    worker_a, worker_b = make_channel(engines[0]), make_channel(engines[1])
    await worker_a.send(message("n0"))  # seeds and takes the first pair
    zns_api.expire_access_token()
    zns_api.hold_refresh = asyncio.Event()

    async def release_once_both_wait() -> None:
        while not zns_api.refresh_calls[1:]:
            await asyncio.sleep(0.005)
        await _wait_for_lock_waiter(engines[2], application)
        assert zns_api.hold_refresh is not None
        zns_api.hold_refresh.set()

    await asyncio.gather(
        worker_a.send(message("n1")), worker_b.send(message("n2")), release_once_both_wait()
    )
    assert [call.accepted for call in zns_api.refresh_calls] == [True, True]
    assert sorted(s.tracking_id for s in zns_api.sent) == ["n0", "n1", "n2"]
    new_token = zns_api.access_token
    assert {s.access_token for s in zns_api.sent if s.tracking_id != "n0"} == {new_token}
    row = token_row(engines[0], zns_api.app_id)
    assert (row.refresh_token, row.access_token, row.version) == (
        zns_api.refresh_token,
        new_token,
        2,
    )
    for engine in engines:
        engine.dispose()


# -- the fake and the seed ----------------------------------------------------------


async def test_the_fake_burns_each_refresh_token_it_accepts(zns_api: FakeZns) -> None:
    form = {"app_id": zns_api.app_id, "grant_type": "refresh_token", "refresh_token": "RT-0"}
    headers = {"secret_key": zns_api.secret_key}
    async with httpx.AsyncClient(base_url=zns_api.url) as client:
        first = (await client.post("/v4/oa/access_token", data=form, headers=headers)).json()
        again = (await client.post("/v4/oa/access_token", data=form, headers=headers)).json()
    assert set(first) == {"access_token", "refresh_token", "expires_in"}
    assert first["refresh_token"] != "RT-0"
    assert "access_token" not in again and again["error"] < 0


def test_a_stale_seed_never_overwrites_a_working_chain(engine: Engine) -> None:
    oauth.seed(engine, "zns:1", "RT-0", T0)
    oauth.refresh(engine, "zns:1", 0, lambda rt: oauth.TokenPair("AT-1", "RT-1", None), T0)
    state = oauth.seed(engine, "zns:1", "RT-other", T0)  # another worker, older env
    assert (state.access_token, state.version) == ("AT-1", 1)
    assert token_row(engine, "1").refresh_token == "RT-1"


async def test_built_from_settings_it_sends_through_the_configured_servers(
    engine: Engine, zns_api: FakeZns, clock: VirtualClock, tmp_path: Path
) -> None:
    (tmp_path / "notifier.yaml").write_text(
        f"zns:\n  templates: {{reminder: 250001}}\n  oauth_url: {zns_api.url}\n",
        encoding="utf-8",
    )
    env = {
        "NOTIFIER_ZNS_APP_ID": zns_api.app_id,
        "NOTIFIER_ZNS_SECRET_KEY": zns_api.secret_key,
        "NOTIFIER_ZNS_REFRESH_TOKEN": "RT-0",
        "NOTIFIER_ZNS_API_URL": zns_api.url,
    }
    assert build_zns_channel(load_settings(tmp_path, env={}), engine, clock) is None
    channel = build_zns_channel(load_settings(tmp_path, env=env), engine, clock)
    assert channel is not None
    await channel.send(message())
    await channel.aclose()
    assert [s.template_id for s in zns_api.sent] == ["250001"]
