"""Serving for real on loopback: in a thread beside the console, and `signup-server`."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from models.context import Ctx
from models.timeutil import FixedClock
from signup.server import default_address, start_beside_console, start_in_thread
from tests.signup.conftest import GOOD_PASSWORD, Invited, form_of, server_log
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clock() -> FixedClock:
    """Today: the command-line server reads the system clock."""
    return FixedClock(datetime.now(UTC))


def _sign_up(base: str, inv: Invited) -> list[int]:
    with httpx.Client(base_url=base, timeout=10) as web:
        page = web.get(inv.path)
        assert page.status_code == 200, page.text
        done = web.post(inv.path, data={**form_of(page.text), "name": "Ines",
                                        "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
        again = web.get(inv.path)
        return [page.status_code, done.status_code, again.status_code]


def test_in_a_thread_on_a_free_port(ctx: Ctx, invited: Invited,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_in_thread(ctx, "127.0.0.1", 0)
    try:
        assert server.port > 0
        assert _sign_up(f"http://127.0.0.1:{server.port}", invited) == [200, 200, 410]
    finally:
        server.stop()
    assert not server.thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{server.port}/", timeout=2)
    assert invited.token not in server_log(caplog)
    assert "/invite/[redacted]" in server_log(caplog)


def test_a_taken_port_is_an_error_not_a_hang(ctx: Ctx) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"could not listen on 127.0.0.1:{port}: "):
            start_in_thread(ctx, "127.0.0.1", port)


def test_the_default_address_comes_from_the_signup_url(ctx: Ctx) -> None:
    assert default_address(ctx) == ("127.0.0.1", 8080)
    ctx.settings.signup_url = "https://join.partner.example/invite/"
    assert default_address(ctx) == ("join.partner.example", 443)


def test_beside_the_console_only_on_this_machine(ctx: Ctx) -> None:
    port = free_port()
    ctx.settings.signup_url = f"http://127.0.0.1:{port}/invite/"
    server, line = start_beside_console(ctx)
    try:
        assert server is not None and server.port == port
        assert line == f"signup page on http://127.0.0.1:{port}/invite/…"
        # A second console on this host finds the port taken: a message, not a crash.
        again, why = start_beside_console(ctx)
        assert again is None and f"could not listen on 127.0.0.1:{port}" in why
    finally:
        if server is not None:
            server.stop()
    ctx.settings.signup_url = "https://join.partner.example/invite/"
    assert start_beside_console(ctx) == (
        None, "signup page not started here: invitation links point to join.partner.example")


@pytest.mark.slow
def test_signup_server_command_serves_and_logs_no_token(
        ctx: Ctx, invited: Invited, tmp_path: Path) -> None:
    port = free_port()
    err = (tmp_path / "server.err").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli.main", "signup-server", "--port", str(port)],
        cwd=ROOT, stdout=err, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 20
        while True:  # waiting for a real process to listen, not moving time
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "server.err").read_text()
                assert time.monotonic() < deadline, "signup-server did not start in 20s"
                time.sleep(0.1)
        assert _sign_up(f"http://127.0.0.1:{port}", invited) == [200, 200, 410]
        assert httpx.get(f"http://127.0.0.1:{port}/%0aFAKE%1b[31m").status_code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    out = (tmp_path / "server.err").read_text()
    assert f"http://127.0.0.1:{port}" in out  # uvicorn says where it listens
    assert out.count("/invite/[redacted]") == 3
    assert invited.token not in out
    # A path cannot forge a log line or reach the terminal of whoever tails the log.
    assert r'"GET /\nFAKE\x1b[31m" 404' in out
    assert "\x1b" not in out and not any(line.startswith("FAKE") for line in out.splitlines())
    assert "warning" not in out  # loopback needs no TLS proxy


EVERYWHERE = "0.0.0.0"  # noqa: S104  (what the warning is about)


class _Served:
    """Stands in for signup.server.serve: the command's checks, without a server."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, ctx: Ctx, host: str, port: int, **kwargs: object) -> None:
        self.calls.append((host, port))


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> _Served:
    fake = _Served()
    monkeypatch.setattr("signup.server.serve", fake)
    return fake


@pytest.mark.parametrize("host", [EVERYWHERE, "::", "192.0.2.10", "signup.partner.example"])
def test_signup_server_warns_when_exposed_without_a_tls_proxy(
        ctx: Ctx, served: _Served, capsys: pytest.CaptureFixture[str], host: str) -> None:
    from tui.cli.main import main

    assert main(["signup-server", "--host", host, "--port", "8080"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("licensedesk: warning: "), err
    assert host in err and "TLS proxy" in err and "LICENSEDESK_SIGNUP_TRUSTED_PROXIES" in err
    assert served.calls == [(host, 8080)]  # it still starts


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_signup_server_on_loopback_says_nothing(
        ctx: Ctx, served: _Served, capsys: pytest.CaptureFixture[str], host: str) -> None:
    from tui.cli.main import main

    assert main(["signup-server", "--host", host]) == 0
    assert capsys.readouterr().err == ""
    assert served.calls == [(host, 8080)]


def test_signup_server_behind_a_trusted_tls_proxy_says_nothing(
        ctx: Ctx, served: _Served, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.cli.main import main

    monkeypatch.setenv("LICENSEDESK_SIGNUP_TRUSTED_PROXIES", "192.0.2.1")
    monkeypatch.setenv("LICENSEDESK_SIGNUP_URL", "https://join.partner.example/invite/")
    assert main(["signup-server", "--host", EVERYWHERE]) == 0
    assert capsys.readouterr().err == ""
    # Links in the mails still say http://: the proxy is not doing TLS for them.
    monkeypatch.setenv("LICENSEDESK_SIGNUP_URL", "http://join.partner.example/invite/")
    assert main(["signup-server", "--host", EVERYWHERE]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "http://join.partner.example/invite/" in err, err
    assert served.calls == [(EVERYWHERE, 8080)] * 2


def test_signup_server_refuses_a_bad_proxy_setting_in_one_line(
        ctx: Ctx, served: _Served, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.cli.main import main

    monkeypatch.setenv("LICENSEDESK_SIGNUP_TRUSTED_PROXIES", "10.0.0.300")
    assert main(["signup-server"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "LICENSEDESK_SIGNUP_TRUSTED_PROXIES" in err, err
    assert "'10.0.0.300'" in err
    assert served.calls == []


def test_a_bad_proxy_setting_does_not_stop_the_console(
        ctx: Ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICENSEDESK_SIGNUP_TRUSTED_PROXIES", "bogus")
    ctx.settings.signup_url = f"http://127.0.0.1:{free_port()}/invite/"
    server, line = start_beside_console(ctx)
    assert server is None
    assert line.startswith("signup page not started: LICENSEDESK_SIGNUP_TRUSTED_PROXIES")
