"""Security headers on every response, and the CSRF check on every state-changing request.

Board pages get a Content-Security-Policy that allows scripts, styles and fetches
from this origin only: no inline script, no inline style, no external resource. The
answer-link pages keep the stricter policy they set themselves (no script at all).

CSRF: every form carries the session's CSRF secret (``csrf`` field, or the
``X-CSRF-Token`` header for htmx); a POST whose token is missing or wrong gets a 403
and its handler never runs. Exempt are only requests that carry their own credential:
the signed answer links (``/a/...``) and the Telegram webhook (secret header).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import BodyPartReader, MultipartReader, web

from notifier.web.sessions import WebSession

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BOARD_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _apply(request, exc)
        raise
    _apply(request, response)
    return response


def _apply(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in BOARD_HEADERS.items():
        response.headers.setdefault(name, value)
    static = request.path.startswith("/static/")
    response.headers.setdefault("Cache-Control", "public, max-age=86400" if static else "no-store")


# A multipart form (the plan upload) is read as a stream, never buffered whole: its first
# field must be ``csrf``; the reader, positioned after it, is left here for the handler.
MULTIPART = web.RequestKey("multipart_reader", MultipartReader)


async def csrf_ok(request: web.Request, session: WebSession) -> bool:
    """Whether the request carries this session's CSRF token (form field or header)."""
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type == "multipart/form-data":
        sent = await _first_field_csrf(request)
    elif sent is None and request.content_type == "application/x-www-form-urlencoded":
        form = await request.post()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return bool(sent) and hmac.compare_digest(str(sent), session.csrf)


async def _first_field_csrf(request: web.Request) -> str | None:
    reader = await request.multipart()
    request[MULTIPART] = reader
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "csrf":
        return None
    raw = await part.read_chunk(256)
    return raw.decode("ascii", "replace").strip()
