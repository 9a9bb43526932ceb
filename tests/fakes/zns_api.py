"""A fake ZNS + Zalo OAuth server (aiohttp on 127.0.0.1, random port, both on one port).

``POST /message/template`` (header ``access_token``; JSON ``phone``, ``template_id``,
``template_data``, ``tracking_id``) answers like ZNS: HTTP 200 with ``{"error": 0,
"message": "Success", "data": {"msg_id", "sent_time", "quota"}}`` or ``{"error": -N,
"message": "..."}``. It checks what Zalo checks: the access token (-124 when unknown or
expired), the phone (84 + 9 digits, else -108; numbers without Zalo -118), the template
(-109 unknown id, -111 empty data, -112 missing or extra parameters), the tracking id
(at most 48 characters) and the quota (-115 when used up).

``POST /v4/oa/access_token`` (form ``app_id``, ``grant_type=refresh_token``,
``refresh_token``; header ``secret_key``) hands out a new access token *and* a new
refresh token, and burns the old refresh token, as Zalo documents: presenting a burnt
one is refused. :attr:`hold_refresh` keeps refresh answers back until the test sets it,
so tests can make two workers overlap without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio
from aiohttp import web

FAKE_SENT_MS = "1711935000000"
_PHONE = re.compile(r"^84\d{9}$")
TRACKING_ID_MAX = 48


@dataclass
class ZnsSent:
    phone: str
    template_id: str
    template_data: dict[str, str]
    tracking_id: str
    access_token: str
    msg_id: str


@dataclass
class RefreshCall:
    app_id: str
    secret_key: str
    grant_type: str
    refresh_token: str
    accepted: bool


class FakeZns:
    """Use as ``async with FakeZns() as fake:`` or through the ``zns_api`` fixture."""

    def __init__(self, *, app_id: str = "4200000000000000001", secret_key: str = "app-sec") -> None:
        self.app_id, self.secret_key = app_id, secret_key
        self.templates: dict[str, tuple[str, ...]] = {
            "250001": ("ten", "viec", "han", "lien_ket"),
            "250002": ("ten", "viec", "han"),
            # the parameters docs/zalo.md tells an office to register its templates with
            "250010": ("ten", "viec", "ma_viec", "han", "don_vi", "lien_ket"),
        }
        self.sent: list[ZnsSent] = []
        self.refresh_calls: list[RefreshCall] = []
        self.send_attempts: list[dict[str, Any]] = []
        self.no_zalo_phones: set[str] = set()
        self.quota: int | None = None  # messages left; None = unlimited
        self.refresh_token = "RT-0"
        self.access_token: str | None = None  # the one valid access token
        self.burnt: set[str] = set()
        self.hold_refresh: asyncio.Event | None = None  # set() it to let refreshes answer
        self._failures: dict[str, deque[tuple[int, dict[str, Any] | str]]] = {
            "send": deque(),
            "oauth": deque(),
        }
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/message/template", self._send)
        app.router.add_post("/v4/oa/access_token", self._oauth)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.hold_refresh is not None:
            self.hold_refresh.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeZns:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- scripting ----------------------------------------------------------------

    def issue_access_token(self) -> str:
        """A fresh valid access token (as if an administrator had just authorised)."""
        self.access_token = f"AT-{next(self._ids)}"
        return self.access_token

    def expire_access_token(self) -> None:
        """Zalo's access tokens live 25 hours; this one's time is up."""
        self.access_token = None

    def fail_next(self, error: int, message: str, *, times: int = 1) -> None:
        """The next template sends answer ``{"error": error, "message": message}``."""
        for _ in range(times):
            self._failures["send"].append((200, {"error": error, "message": message}))

    def gateway_error_next(self, where: str = "send", status: int = 502) -> None:
        """A 5xx HTML page from a gateway in front of ZNS (``where``: send or oauth)."""
        self._failures[where].append((status, f"<html><h1>{status} Bad Gateway</h1></html>"))

    # -- HTTP ---------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        self.send_attempts.append({"access_token": token, **body})
        if self._failures["send"]:
            return _reply(*self._failures["send"].popleft())
        error = self._check_send(token, body)
        if error is not None:
            return web.json_response({"error": error[0], "message": error[1]})
        msg_id = f"{next(self._ids):020x}"
        self.sent.append(
            ZnsSent(
                body["phone"],
                body["template_id"],
                dict(body["template_data"]),
                body["tracking_id"],
                token,
                msg_id,
            )
        )
        if self.quota is not None:
            self.quota -= 1
        remaining = "-1" if self.quota is None else str(self.quota)
        data = {
            "msg_id": msg_id,
            "sent_time": FAKE_SENT_MS,
            "quota": {"dailyQuota": "500", "remainingQuota": remaining},
        }
        return web.json_response({"error": 0, "message": "Success", "data": data})

    def _check_send(self, token: str, body: Any) -> tuple[int, str] | None:
        if not token or token != self.access_token:
            return -124, "Access token invalid"
        if not isinstance(body, dict):
            return -122, "Body format invalid"
        phone, template_id = body.get("phone"), str(body.get("template_id") or "")
        data, tracking = body.get("template_data"), body.get("tracking_id")
        if not isinstance(phone, str) or not _PHONE.match(phone):
            return -108, "Phone number invalid"
        if template_id not in self.templates:
            return -109, "Template ID invalid"
        if not isinstance(data, dict) or not data:
            return -111, "Template data empty"
        if set(data) != set(self.templates[template_id]) or not all(
            isinstance(v, str) for v in data.values()
        ):
            return -112, "Template data invalid"
        if not isinstance(tracking, str) or not 0 < len(tracking) <= TRACKING_ID_MAX:
            return -132, "Parameter invalid: tracking_id"
        if phone in self.no_zalo_phones:
            return -118, "Zalo account not existed"
        if self.quota is not None and self.quota <= 0:
            return -115, "Out of quota"
        return None

    async def _oauth(self, request: web.Request) -> web.Response:
        form = await request.post()
        call = RefreshCall(
            app_id=str(form.get("app_id", "")),
            secret_key=request.headers.get("secret_key", ""),
            grant_type=str(form.get("grant_type", "")),
            refresh_token=str(form.get("refresh_token", "")),
            accepted=False,
        )
        self.refresh_calls.append(call)
        if self.hold_refresh is not None:
            await self.hold_refresh.wait()
        if self._failures["oauth"]:
            return _reply(*self._failures["oauth"].popleft())
        refusal = self._check_refresh(call)
        if refusal is not None:
            return web.json_response(refusal)
        call.accepted = True
        self.burnt.add(self.refresh_token)
        self.refresh_token = f"RT-{next(self._ids)}"
        access = self.issue_access_token()
        return web.json_response(
            {"access_token": access, "refresh_token": self.refresh_token, "expires_in": "90000"}
        )

    def _check_refresh(self, call: RefreshCall) -> dict[str, Any] | None:
        if call.app_id != self.app_id or call.secret_key != self.secret_key:
            return _oauth_error(-14001, "Invalid app_id or secret_key")
        if call.grant_type != "refresh_token":
            return _oauth_error(-14002, "Invalid grant_type")
        if call.refresh_token != self.refresh_token:
            return _oauth_error(-14014, "Invalid refresh token")
        return None


def _oauth_error(code: int, reason: str) -> dict[str, Any]:
    return {"error": code, "error_name": "Invalid parameter", "error_description": reason}


def _reply(status: int, body: dict[str, Any] | str) -> web.Response:
    if isinstance(body, str):
        return web.Response(status=status, text=body, content_type="text/html")
    return web.json_response(body, status=status)


@pytest_asyncio.fixture
async def zns_api() -> AsyncIterator[FakeZns]:
    """A running fake ZNS + OAuth server for one test."""
    async with FakeZns() as fake:
        yield fake
