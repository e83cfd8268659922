"""One ASGI layer around everything: security headers, a redacting access log, and a
generic error page, so that even a crash answers with a page and never a trace.

What a request sent (path, method, client, an error's message) is logged escaped
(signup.logsafe): a `%0a` or `%1b` in a URL cannot forge a line or reach a terminal."""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signup.logsafe import escape

access_log = logging.getLogger("signup.access")
error_log = logging.getLogger("signup.error")

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy",
     "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
     "frame-ancestors 'none'; base-uri 'none'"),
    # The token is in the URL: no other site may see it in a Referer.
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("cache-control", "no-store"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)

_TOKEN_PATH = re.compile(r"^/invite/[^/]*")


def redact_path(path: str) -> str:
    """The path as it may be logged: whatever follows /invite/ is a secret."""
    return _TOKEN_PATH.sub("/invite/[redacted]", path)


def _logged_path(scope: Scope) -> str:
    return escape(redact_path(str(scope.get("path", ""))))


def _scrub(text: str, path: str) -> str:
    """An error message may quote the token it failed on; never let it reach the log."""
    secret = path.removeprefix("/invite/").split("/")[0] if path.startswith("/invite/") else ""
    return text.replace(secret, "[redacted]") if secret else text


class SecureLayer:
    def __init__(self, app: ASGIApp, error_page: Callable[[], bytes]) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS
                         if k.encode() not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapped)
        except Exception as err:
            # The traceback (our code's lines) keeps its line breaks; the rest is escaped.
            error_log.error("unexpected error serving %s %s: %s\n%s",
                            escape(str(scope.get("method"))), _logged_path(scope),
                            escape(_scrub(f"{type(err).__name__}: {err}",
                                          scope.get("path", ""))),
                            "".join(traceback.format_tb(err.__traceback__)).rstrip())
            if status == 0:
                body = self.error_page()
                status = 500
                await send_wrapped({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ]})
                await send_wrapped({"type": "http.response.body", "body": body})
        finally:
            client = scope.get("client") or ("-", 0)
            access_log.info('%s "%s %s" %d %.0fms', escape(str(client[0])),
                            escape(str(scope.get("method"))), _logged_path(scope), status,
                            (time.perf_counter() - started) * 1000)
