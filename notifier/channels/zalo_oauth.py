"""Exchange a Zalo Official Account refresh token for a new access/refresh pair.

``POST {oauth}/v4/oa/access_token`` with the form ``app_id``, ``grant_type=refresh_token``,
``refresh_token`` and the header ``secret_key`` (the app's secret). The answer carries a
new ``access_token`` (valid ``expires_in`` seconds, a string such as ``"90000"`` = 25 h)
and a new ``refresh_token``; the old refresh token is then dead (single use, 3 months).
An answer without both tokens is a refusal (``error``/``error_name``/``error_description``).

Synchronous on purpose: it runs inside the database transaction that holds the token
row locked (``notifier.store.oauth.refresh``), in a worker thread. It is called about
once a day, so its own small client costs nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from notifier.clock import Clock
from notifier.store.oauth import RefreshRefused, TokenPair

DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
TOKEN_PATH = "/v4/oa/access_token"
DEFAULT_LIFETIME = timedelta(hours=25)


class OAuthUnavailable(Exception):
    """The OAuth server could not be asked (network, timeout, 5xx): try again later."""


def _mask(text: str, *secrets: str) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<secret>")
    return text


class ZaloOAuthClient:
    """One app's token endpoint; :meth:`exchange` fits ``notifier.store.oauth.refresh``."""

    def __init__(
        self,
        app_id: str,
        secret_key: str,
        *,
        clock: Clock,
        base_url: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._app_id, self._secret = app_id, secret_key
        self._clock = clock
        self._url = f"{(base_url or DEFAULT_OAUTH_URL).rstrip('/')}{TOKEN_PATH}"
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def exchange(self, refresh_token: str) -> TokenPair:
        form = {"app_id": self._app_id, "grant_type": "refresh_token"}
        form["refresh_token"] = refresh_token
        try:
            response = self._client.post(self._url, data=form, headers={"secret_key": self._secret})
        except httpx.HTTPError as exc:
            raise OAuthUnavailable(f"Zalo OAuth unreachable: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise OAuthUnavailable(f"Zalo OAuth server error {response.status_code}")
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise OAuthUnavailable(f"Zalo OAuth answered HTTP {response.status_code}, not JSON")
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            detail = body.get("error_description") or body.get("error_name") or body.get("error")
            reason = _mask(str(detail), refresh_token, self._secret)
            raise RefreshRefused(f"Zalo OAuth refused the refresh token: {reason}")
        return TokenPair(access, refresh, self._clock.now() + _lifetime(body.get("expires_in")))


def _lifetime(value: Any) -> timedelta:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return timedelta(seconds=seconds) if seconds > 0 else DEFAULT_LIFETIME
