"""Serving the signup page: in a thread beside the console, or in the foreground."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn

from models.context import Ctx
from models.net import is_loopback
from signup.app import create_app
from signup.proxies import ENV as TRUSTED_PROXIES_ENV
from signup.proxies import ProxySettingError, TrustedProxies, trusted_proxies_from_env


def default_address(ctx: Ctx) -> tuple[str, int]:
    """Where the links in mails point: host and port of LICENSEDESK_SIGNUP_URL."""
    url = urlsplit(ctx.settings.signup_url)
    return url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)


def exposure_warning(ctx: Ctx, host: str, proxies: TrustedProxies) -> str | None:
    """One line when the page would be reached over plain HTTP from beyond this machine."""
    if is_loopback(host):
        return None
    if not proxies:
        return (f"serving plain HTTP on {host}, beyond this machine, with no TLS proxy in "
                "front: invitees' passwords would cross the network readable. Listen on "
                f"127.0.0.1 behind a TLS proxy, or name the proxy in {TRUSTED_PROXIES_ENV}.")
    url = ctx.settings.signup_url
    if urlsplit(url).scheme != "https":
        return (f"serving {host} behind {proxies}, but invitation links point to {url}, "
                "which is not https: set LICENSEDESK_SIGNUP_URL to the TLS proxy's https address.")
    return None


def _config(ctx: Ctx, host: str, port: int, *, log_config: bool,
            proxies: TrustedProxies | None = None) -> uvicorn.Config:
    # uvicorn's access log prints the path, and the path holds the token: it stays off;
    # signup.access logs a redacted, escaped line instead. uvicorn's own proxy handling
    # stays off too: signup.proxies applies LICENSEDESK_SIGNUP_TRUSTED_PROXIES in the app.
    return uvicorn.Config(
        create_app(ctx, trusted_proxies=proxies), host=host, port=port, access_log=False,
        lifespan="off",
        server_header=False, proxy_headers=False, log_level="info",
        log_config=uvicorn.config.LOGGING_CONFIG if log_config else None,
    )


@dataclass
class SignupServer:
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/invite/"

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_thread(ctx: Ctx, host: str | None = None, port: int | None = None,
                    timeout: float = 10.0) -> SignupServer:
    """Serve the page from a daemon thread; returns once it listens (port 0: any free one).

    host and port default to those of LICENSEDESK_SIGNUP_URL. The socket is bound here, so
    a taken port raises OSError in the caller; a bad LICENSEDESK_SIGNUP_TRUSTED_PROXIES
    raises ProxySettingError. Logging goes only to Python's logging (no
    handlers of its own), so nothing is written over a full-screen console.
    """
    d_host, d_port = default_address(ctx)
    host = host or d_host
    port = d_port if port is None else port
    proxies = trusted_proxies_from_env()
    for name in ("uvicorn", "signup"):
        # With no handler anywhere, logging's last resort would print onto the terminal.
        if not logging.getLogger(name).handlers:
            logging.getLogger(name).addHandler(logging.NullHandler())
    try:
        sock = socket.create_server((host, port), family=_family(host))
    except OSError as err:
        raise OSError(err.errno, f"the signup page could not listen on {host}:{port}: "
                      f"{err.strerror}") from None
    server = uvicorn.Server(_config(ctx, host, port, log_config=False, proxies=proxies))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="signup-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:  # a real server coming up, bounded
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise OSError(f"the signup page did not start on {host}:{port}")
        time.sleep(0.01)
    return SignupServer(server=server, thread=thread, host=host,
                        port=int(sock.getsockname()[1]))


def start_beside_console(ctx: Ctx) -> tuple[SignupServer | None, str]:
    """For `make run`: serve the page where the mail links point, when that is this machine.

    Returns the server (None when not started) and a line to show the person; it never
    raises for a taken port (another console on this host may already serve the page).
    """
    host, port = default_address(ctx)
    if not is_loopback(host):
        return None, f"signup page not started here: invitation links point to {host}"
    try:
        server = start_in_thread(ctx, host, port)
    except (OSError, ProxySettingError) as err:
        return None, f"signup page not started: {err}"
    return server, f"signup page on http://{host}:{server.port}/invite/…"


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def serve(ctx: Ctx, host: str, port: int, *, proxies: TrustedProxies | None = None) -> None:
    """Foreground, for `licensedesk signup-server`; stops on Ctrl+C. proxies defaults to
    LICENSEDESK_SIGNUP_TRUSTED_PROXIES."""
    can_listen(host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.Server(_config(ctx, host, port, log_config=True, proxies=proxies)).run()


def can_listen(host: str, port: int) -> None:
    """Bind once before the web server does, so a taken port or an address this machine
    does not have is an OSError for the caller to put in one line (uvicorn would log it
    and exit 3)."""
    import socket

    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
