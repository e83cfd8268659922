"""The signup page as an attacker and a clumsy network would use it: floods of bad tokens,
a shared TLS proxy, control characters in URLs, bytes that are not UTF-8 in the form."""

from __future__ import annotations

import logging
import re
import socket
from urllib.parse import quote

import httpx
import pytest

from models.context import Ctx
from models.queries import license_users
from signup.app import create_app
from signup.limits import BadTokenLimiter
from signup.server import start_in_thread
from tests.signup.conftest import (
    GOOD_PASSWORD,
    Invited,
    RecordedSleep,
    open_form,
    server_log,
)

TRUSTED_ENV = "LICENSEDESK_SIGNUP_TRUSTED_PROXIES"
# What must never reach a log line raw: C0 and C1 controls, DEL, line and paragraph separators.
RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _guess(i: int) -> str:
    return f"/invite/{'g' * 40}{i:03d}"


def _via(ctx: Ctx, limiter: BadTokenLimiter, peer: str) -> httpx.AsyncClient:
    """A client whose TCP peer is `peer` (a proxy, or an invitee's own address)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(ctx, limiter=limiter), client=(peer, 40000)),
        base_url="http://signup.test")


def _names(ctx: Ctx, inv: Invited) -> list[str]:
    return [u.name for u in license_users(ctx, inv.license_id, "active") if u.email == inv.email]


# -- the limiter -------------------------------------------------------------------------


async def test_a_flood_of_bad_tokens_never_locks_out_a_valid_link(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited, limiter: BadTokenLimiter,
        sleeps: RecordedSleep) -> None:
    flood = 200
    statuses = []
    for i in range(flood):
        statuses.append((await client.get(_guess(i))).status_code)
        if i % 20 == 19:  # the invitee, on the same address, opens the real link meanwhile
            resp = await client.get(invited.path)
            assert resp.status_code == 200, f"valid link refused after {i + 1} bad tokens"
    # The flood itself is limited: answered ever more slowly past `soft`, refused past `hard`.
    assert statuses == [404] * limiter.hard + [429] * (flood - limiter.hard)
    assert len(sleeps.delays) == limiter.hard - limiter.soft
    assert max(sleeps.delays) == limiter.max_delay
    # Sending the form works too, at once: no delay for a valid link.
    before = len(sleeps.delays)
    form = await open_form(client, invited)
    done = await client.post(invited.path, data={
        **form, "name": "Ines", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert done.status_code == 200 and "Your account is ready" in done.text
    assert len(sleeps.delays) == before
    assert _names(ctx, invited) == ["Ines"]
    # A used link is still a real link: its page, not the 429.
    assert (await client.get(invited.path)).status_code == 410
    # And the guesser is still refused.
    assert (await client.get(_guess(999))).status_code == 429


async def test_the_refusal_tells_a_mistyped_link_from_a_blocked_person(
        client: httpx.AsyncClient, limiter: BadTokenLimiter) -> None:
    for i in range(limiter.hard):
        await client.get(_guess(i))
    resp = await client.get(_guess(500))
    assert resp.status_code == 429
    assert int(resp.headers["retry-after"]) > 0
    assert "whole link" in resp.text  # what to check: the link, not the waiting


async def test_ipv6_clients_are_limited_by_their_64_network(
        ctx: Ctx, invited: Invited, limiter: BadTokenLimiter) -> None:
    """One host owns a whole /64: hopping between its addresses must not reset the count."""
    for i in range(limiter.hard):
        async with _via(ctx, limiter, f"2001:db8:1:2::{i + 1:x}") as web:
            assert (await web.get(_guess(i))).status_code == 404
    async with _via(ctx, limiter, "2001:db8:1:2::ffff") as web:
        assert (await web.get(_guess(99))).status_code == 429
        assert (await web.get(invited.path)).status_code == 200
    async with _via(ctx, limiter, "2001:db8:1:3::1") as web:
        assert (await web.get(_guess(99))).status_code == 404


# -- behind a proxy ----------------------------------------------------------------------


async def test_behind_a_trusted_proxy_each_invitee_is_limited_alone(
        ctx: Ctx, invited: Invited, limiter: BadTokenLimiter, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(TRUSTED_ENV, "10.0.0.0/8, 192.168.7.1")
    caplog.set_level(logging.INFO)
    guesser = {"X-Forwarded-For": "198.51.100.1"}
    async with _via(ctx, limiter, "10.0.0.2") as web:
        for i in range(limiter.hard):
            assert (await web.get(_guess(i), headers=guesser)).status_code == 404
        assert (await web.get(_guess(99), headers=guesser)).status_code == 429
        # Writing the header itself does not make the guesser someone else: the proxy
        # appends the address it saw, and that right-most one counts.
        spoofed = {"X-Forwarded-For": "192.0.2.50, 198.51.100.1"}
        assert (await web.get(_guess(98), headers=spoofed)).status_code == 429
        # Two trusted proxies in a row: the right-most address that is not a proxy counts.
        chained = {"X-Forwarded-For": "198.51.100.1, 192.168.7.1"}
        assert (await web.get(_guess(97), headers=chained)).status_code == 429
        # Another invitee behind the same proxy: a mistyped link is a plain 404.
        other = {"X-Forwarded-For": "198.51.100.2"}
        assert (await web.get(_guess(0), headers=other)).status_code == 404
        assert (await web.get(invited.path, headers=other)).status_code == 200
    access = [r.getMessage() for r in caplog.records if r.name == "signup.access"]
    assert access[0].startswith("198.51.100.1 ")  # the log names the invitee, not the proxy
    assert access[-1].startswith("198.51.100.2 ")


async def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(
        ctx: Ctx, limiter: BadTokenLimiter, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(TRUSTED_ENV, "10.0.0.1")
    caplog.set_level(logging.INFO)
    async with _via(ctx, limiter, "203.0.113.7") as web:
        for i in range(limiter.hard):  # a new made-up address each time
            headers = {"X-Forwarded-For": f"198.51.100.{i}"}
            assert (await web.get(_guess(i), headers=headers)).status_code == 404
        headers = {"X-Forwarded-For": "198.51.100.200"}
        assert (await web.get(_guess(99), headers=headers)).status_code == 429
    access = [r.getMessage() for r in caplog.records if r.name == "signup.access"]
    assert access and all(line.startswith("203.0.113.7 ") for line in access)


async def test_without_the_setting_no_peer_is_trusted(
        ctx: Ctx, limiter: BadTokenLimiter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRUSTED_ENV, raising=False)
    async with _via(ctx, limiter, "127.0.0.1") as web:
        for i in range(limiter.hard):
            headers = {"X-Forwarded-For": f"198.51.100.{i}"}
            assert (await web.get(_guess(i), headers=headers)).status_code == 404
        assert (await web.get(_guess(99))).status_code == 429


# -- the logs ----------------------------------------------------------------------------

EVIL_PATHS = [
    "/invite/%0aFAKE%1b[31m",
    "/%0aFAKE%1b[31m",
    "/static/%0d%0a127.0.0.1%20%22GET%20/%22%20200%1b]0;owned%07",
    "/invite/abc/%0aFAKE%c2%9b31m%e2%80%a8x",
]


def _assert_no_forgery(text: str) -> None:
    for line in text.splitlines():
        assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line, repr(line)
        assert not line.startswith(("FAKE", "127.0.0.1")), repr(line)
    assert "\u2028" not in text and "\r" not in text


async def test_control_characters_in_a_path_are_escaped_in_the_access_log(
        client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for path in EVIL_PATHS:
        assert (await client.get(path)).status_code == 404
    access = [r.getMessage() for r in caplog.records if r.name == "signup.access"]
    assert len(access) == len(EVIL_PATHS)
    for line in access:
        assert not RAW_CONTROL.search(line), repr(line)
    assert access[0] == '203.0.113.7 "GET /invite/[redacted]" 404 ' + access[0].split()[-1]
    assert r'"GET /\nFAKE\x1b[31m" 404' in access[1]
    assert r"\r\n127.0.0.1" in access[2] and r"\x1b]0;owned\x07" in access[2]
    assert r"/invite/[redacted]/\nFAKE\x9b31m\u2028x" in access[3]
    _assert_no_forgery(caplog.text)


async def test_control_characters_in_an_error_are_escaped_in_the_error_log(
        client: httpx.AsyncClient, invited: Invited, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(ctx: Ctx, token: str) -> None:
        raise RuntimeError("on fire\nFAKE log line\x1b[31m")

    monkeypatch.setattr("signup.app.lookup", broken)
    caplog.set_level(logging.DEBUG)
    assert (await client.get(invited.path)).status_code == 500
    errors = [r.getMessage() for r in caplog.records if r.name == "signup.error"]
    assert len(errors) == 1
    assert r"on fire\nFAKE log line\x1b[31m" in errors[0]
    _assert_no_forgery(server_log(caplog))


def test_a_real_server_logs_hostile_paths_escaped(
        ctx: Ctx, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_in_thread(ctx, "127.0.0.1", 0)
    try:
        for path in EVIL_PATHS:
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 404 "), answer[:100]
    finally:
        server.stop()
    access = [r.getMessage() for r in caplog.records if r.name == "signup.access"]
    assert len(access) == len(EVIL_PATHS)
    assert r'"GET /\nFAKE\x1b[31m" 404' in access[1]
    _assert_no_forgery(server_log(caplog))


def test_uvicorns_own_loggers_escape_what_they_are_given(
        ctx: Ctx, caplog: pytest.LogCaptureFixture) -> None:
    """Were uvicorn's access log ever turned on, a path it quotes is escaped as well."""
    create_app(ctx)
    caplog.set_level(logging.DEBUG)
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caplog.handler)  # uvicorn stops it propagating when it is off
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", "/\nFAKE\x1b[31m",
                    "1.1", 404)
    finally:
        access.removeHandler(caplog.handler)
    logging.getLogger("uvicorn.error").warning("bad request %s", "\x1b[2J")
    _assert_no_forgery(caplog.text)
    assert r'"GET /\nFAKE\x1b[31m HTTP/1.1" 404' in caplog.text
    assert r"bad request \x1b[2J" in caplog.text


# -- the form ----------------------------------------------------------------------------


async def _post_raw(client: httpx.AsyncClient, inv: Invited, body: bytes) -> httpx.Response:
    return await client.post(inv.path, content=body, headers={
        "content-type": "application/x-www-form-urlencoded"})


def _body(csrf: str, name: bytes, password: bytes = quote(GOOD_PASSWORD).encode()) -> bytes:
    return b"csrf=" + csrf.encode() + b"&name=" + name + b"&password=" + password + \
        b"&password2=" + password


@pytest.mark.parametrize("name", [b"%FF%FEJo", b"\xff\xfeJo", b"J%C3o", b"Jo%ED%A0%80"],
                         ids=["escaped", "raw", "truncated", "surrogate"])
async def test_a_name_that_is_not_utf8_is_refused_on_the_form(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited, name: bytes) -> None:
    form = await open_form(client, invited)
    resp = await _post_raw(client, invited, _body(form["csrf"], name))
    assert resp.status_code == 400, resp.text
    assert "Your name could not be read" in resp.text
    assert "\ufffd" not in resp.text and "Ã¿" not in resp.text
    assert 'aria-invalid="true"' in resp.text
    assert _names(ctx, invited) == []
    # Typed again, it works: the form is still there.
    resp = await _post_raw(client, invited, _body(form["csrf"], b"Jo"))
    assert resp.status_code == 200, resp.text
    assert _names(ctx, invited) == ["Jo"]


async def test_a_password_that_is_not_utf8_is_refused_and_the_name_kept(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    form = await open_form(client, invited)
    resp = await _post_raw(client, invited, _body(form["csrf"], b"Ines+Invitee",
                                                  b"correct%FFhorse+battery"))
    assert resp.status_code == 400
    assert "Your password could not be read" in resp.text
    assert 'value="Ines Invitee"' in resp.text
    assert _names(ctx, invited) == []


async def test_a_replacement_character_is_never_stored_as_a_name(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    """U+FFFD is what a broken decoder upstream leaves behind: refused like the bytes."""
    form = await open_form(client, invited)
    resp = await _post_raw(client, invited, _body(form["csrf"], b"%EF%BF%BD%EF%BF%BDJo"))
    assert resp.status_code == 400
    assert "garbled" in resp.text
    assert _names(ctx, invited) == []


async def test_utf8_names_still_work(ctx: Ctx, client: httpx.AsyncClient,
                                     invited: Invited) -> None:
    form = await open_form(client, invited)
    resp = await _post_raw(client, invited, _body(form["csrf"], quote("Zoë Ōkubo 王").encode()))
    assert resp.status_code == 200, resp.text
    assert _names(ctx, invited) == ["Zoë Ōkubo 王"]


async def test_a_multipart_form_is_refused_not_misread(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    """Starlette reads multipart text that is not UTF-8 as Latin-1 (`ÿþJo`); our form never
    sends multipart, so such a post is refused instead of misread."""
    form = await open_form(client, invited)
    resp = await client.post(invited.path, files={"x": ("x", b"")}, data={
        **form, "name": b"\xff\xfeJo", "password": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD})
    assert resp.status_code == 415
    assert "could not be read" in resp.text
    assert _names(ctx, invited) == []


async def test_too_many_fields_are_refused(client: httpx.AsyncClient,
                                           invited: Invited) -> None:
    form = await open_form(client, invited)
    body = _body(form["csrf"], b"Jo") + b"".join(b"&f%d=1" % i for i in range(20))
    assert (await _post_raw(client, invited, body)).status_code == 400
