"""ZNS (Zalo Notification Service): a pre-approved template sent to a phone number.

``POST {api}/message/template`` with the header ``access_token`` and the JSON body
``phone`` (84…), ``template_id`` (from the settings, by the message's ``kind``),
``template_data`` (the message's ``template_data``: parameter name -> string) and
``tracking_id`` (the message key, so a delivery report names our outbox row). Zalo
answers HTTP 200 for business errors too: ``{"error": 0, "data": {"msg_id": ...}}`` on
success, ``{"error": -N, "message": "..."}`` otherwise.

The OA access token lives in the ``oauth_token`` table (``notifier.store.oauth``), seeded
once from ``NOTIFIER_ZNS_REFRESH_TOKEN``. It is refreshed before it expires and, when
Zalo still answers -124 (access token invalid), refreshed once and the send retried
once. Errors: an invalid phone or a number without (reachable) Zalo is permanent for
that address; quota, 5xx, network and template/configuration problems are transient
(retrying, or an administrator, can fix them). Codes and their sources: ``docs/zalo.md``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import Engine

from notifier.channels.base import ChannelError, OutgoingMessage, SendResult
from notifier.channels.zalo_api import as_dict
from notifier.channels.zalo_oauth import OAuthUnavailable, ZaloOAuthClient
from notifier.clock import Clock
from notifier.store import oauth
from notifier.store.oauth import RefreshRefused, TokenState

if TYPE_CHECKING:
    from notifier.settings import Settings

DEFAULT_API_URL = "https://business.openapi.zalo.me"
SEND_PATH = "/message/template"
TOKEN_EXPIRED = -124
REFRESH_AHEAD = timedelta(minutes=5)
TRACKING_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,48}$")
# The recipient cannot get ZNS on this number: phone invalid, no Zalo account, account
# cannot receive ZNS, user inactive/rejecting, user refused this OA.
PERMANENT_CODES = frozenset({-108, -114, -118, -119, -140, -141})
_MOBILE = re.compile(r"^(?:84|0)([35789]\d{8})$")


class PhoneError(ValueError):
    """Not a Vietnamese mobile number."""


def normalize_vn_mobile(raw: str) -> str:
    """``84`` + 9 digits for a Vietnamese mobile number written any usual way.

    Accepts ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``, ``(+84) 912-345-678``,
    ``0084912345678`` and ``84912345678``. Refuses landlines (``02x``), the 11-digit
    mobile numbers retired in 2018 and anything else, saying what would be valid.
    """
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0084"):
        digits = digits[2:]
    match = _MOBILE.match(digits) if re.fullmatch(r"[+()\d .\-]+", text) else None
    if match is None:
        raise PhoneError(
            f"{raw!r} is not a Vietnamese mobile number: expected 10 digits starting "
            "03, 05, 07, 08 or 09, written with spaces, dots, dashes or +84 as you like "
            "(e.g. 0912345678 or +84 912 345 678)"
        )
    return f"84{match.group(1)}"


@dataclass(frozen=True)
class ZnsReply:
    error: int
    message: str
    msg_id: str | None


def zns_error(reply: ZnsReply) -> ChannelError:
    """Map a ZNS error code (see the module docstring)."""
    reason = f"ZNS error {reply.error}: {reply.message}"
    return ChannelError(reason, permanent=reply.error in PERMANENT_CODES)


class ZnsChannel:
    """Sends ZNS templates; shares the OA token pair with every worker through the DB."""

    name = "zns"

    def __init__(
        self,
        engine: Engine,
        *,
        app_id: str,
        secret_key: str,
        refresh_token: str,
        templates: Mapping[str, str],
        clock: Clock,
        api_url: str | None = None,
        oauth_url: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._engine, self._clock = engine, clock
        self._seed, self._templates = refresh_token, dict(templates)
        self._token_name = f"zns:{app_id}"
        self._url = f"{(api_url or DEFAULT_API_URL).rstrip('/')}{SEND_PATH}"
        self._client = httpx.AsyncClient(timeout=timeout)
        self._oauth = ZaloOAuthClient(
            app_id, secret_key, clock=clock, base_url=oauth_url, timeout=timeout
        )
        self._seeded = False

    async def send(self, message: OutgoingMessage) -> SendResult:
        body = self._body(message)
        token = await self._usable_token()
        reply = await self._post(body, token)
        if reply.error == TOKEN_EXPIRED:
            token = await self._refresh(token)
            reply = await self._post(body, token)
            if reply.error == TOKEN_EXPIRED:
                raise ChannelError(
                    "ZNS refused a freshly refreshed access token; check the OA's app",
                    permanent=False,
                )
        if reply.error != 0:
            raise zns_error(reply)
        return SendResult(provider_id=reply.msg_id)

    async def aclose(self) -> None:
        await self._client.aclose()
        self._oauth.close()

    def _body(self, message: OutgoingMessage) -> dict[str, Any]:
        try:
            phone = normalize_vn_mobile(message.address)
        except PhoneError as exc:
            raise ChannelError(str(exc), permanent=True) from None
        template_id = self._templates.get(message.kind)
        if template_id is None:
            raise ChannelError(
                f"no ZNS template is configured for message kind {message.kind!r} "
                f"(zns.templates has: {', '.join(sorted(self._templates)) or 'nothing'})",
                permanent=False,
            )
        if not TRACKING_ID.match(message.key):
            raise ChannelError(
                f"message key {message.key!r} cannot be a ZNS tracking_id", permanent=False
            )
        data = {str(k): str(v) for k, v in message.template_data.items()}
        return {
            "phone": phone,
            "template_id": template_id,
            "template_data": data,
            "tracking_id": message.key,
        }

    async def _post(self, body: dict[str, Any], token: TokenState) -> ZnsReply:
        headers = {"access_token": token.access_token or ""}
        try:
            response = await self._client.post(self._url, json=body, headers=headers)
        except httpx.TimeoutException:
            raise ChannelError(
                "ZNS did not answer in time (sent or not)", permanent=False
            ) from None
        except httpx.HTTPError as exc:
            raise ChannelError(f"ZNS unreachable: {type(exc).__name__}", permanent=False) from None
        try:
            reply: Any = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or not isinstance(reply.get("error"), int):
            raise ChannelError(
                f"ZNS answered HTTP {response.status_code} without a ZNS reply", permanent=False
            )
        data = as_dict(reply.get("data"))
        msg_id = data.get("msg_id")
        return ZnsReply(reply["error"], str(reply.get("message") or ""), msg_id and str(msg_id))

    async def _usable_token(self) -> TokenState:
        """The stored access token, refreshed first when missing or about to expire."""
        now = self._clock.now()
        if not self._seeded:
            state = await asyncio.to_thread(
                oauth.seed, self._engine, self._token_name, self._seed, now
            )
            self._seeded = True
        else:
            state = await asyncio.to_thread(oauth.load, self._engine, self._token_name)
        expires = state.access_expires_at
        if not state.access_token or (expires is not None and now >= expires - REFRESH_AHEAD):
            return await self._refresh(state)
        return state

    async def _refresh(self, stale: TokenState) -> TokenState:
        try:
            return await asyncio.to_thread(
                oauth.refresh,
                self._engine,
                self._token_name,
                stale.version,
                self._oauth.exchange,
                self._clock.now(),
            )
        except RefreshRefused as exc:
            raise ChannelError(
                f"{exc}; an administrator must authorise the OA again and set "
                "NOTIFIER_ZNS_REFRESH_TOKEN",
                permanent=False,
            ) from None
        except OAuthUnavailable as exc:
            raise ChannelError(str(exc), permanent=False) from None


def zns_configured(settings: Settings) -> bool:
    """Its three variables and at least one template are set."""
    keys = (settings.zns_app_id, settings.zns_secret_key, settings.zns_refresh_token)
    return all(keys) and bool(settings.file.zns.templates)


def has_template(settings: Settings, kind: str) -> bool:
    """ZNS can send messages of ``kind``: an approved template is configured for it."""
    return kind in settings.file.zns.templates


def build_zns_channel(settings: Settings, engine: Engine, clock: Clock) -> ZnsChannel | None:
    """The ZNS channel when it is configured (:func:`zns_configured`)."""
    if not zns_configured(settings):
        return None
    assert settings.zns_app_id and settings.zns_secret_key and settings.zns_refresh_token
    return ZnsChannel(
        engine,
        app_id=settings.zns_app_id,
        secret_key=settings.zns_secret_key,
        refresh_token=settings.zns_refresh_token,
        templates={kind.value: tid for kind, tid in settings.file.zns.templates.items()},
        clock=clock,
        api_url=settings.file.zns.api_url,
        oauth_url=settings.file.zns.oauth_url,
    )
