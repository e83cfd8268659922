"""Headers, CSRF, the bad-token limiter, errors and logs of the signup page."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from models.context import Ctx
from models.queries import license_users
from models.timeutil import FixedClock
from signup.app import create_app
from signup.csrf import COOKIE
from signup.limits import BadTokenLimiter
from tests.signup.conftest import GOOD_PASSWORD, Invited, RecordedSleep, open_form, server_log

EXPECTED = {
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}


def _assert_secure(resp: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert resp.headers.get(name) == value, (resp.request.url.path, name)
    csp = resp.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "script-src" not in directives  # falls back to 'none': no script at all
    assert "unsafe-inline" not in csp


async def test_every_answer_carries_the_security_headers(
        client: httpx.AsyncClient, invited: Invited, ctx: Ctx, clock: FixedClock) -> None:
    form = await open_form(client, invited)
    answers = [
        await client.get(invited.path),
        await client.post(invited.path, data={**form, "name": "I", "password": "x",
                                              "password2": "x"}),
        await client.get("/invite/" + "y" * 43),
        await client.get("/"),
        await client.get("/nope"),
        await client.get("/static/signup.css"),
    ]
    clock.advance(ctx.settings.invite_expiry * 2)
    answers.append(await client.get(invited.path))
    assert [r.status_code for r in answers] == [200, 400, 404, 200, 404, 200, 410]
    for resp in answers:
        _assert_secure(resp)


async def test_pages_have_no_script_and_no_inline_style(client: httpx.AsyncClient,
                                                        invited: Invited) -> None:
    page = (await client.get(invited.path)).text
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert '<link rel="stylesheet" href="/static/signup.css">' in page


async def test_csrf_cookie_is_strict_and_httponly(client: httpx.AsyncClient,
                                                  invited: Invited) -> None:
    resp = await client.get(invited.path)
    cookie = resp.headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/invite/" in cookie


async def test_post_without_the_csrf_pair_is_refused_and_keeps_the_name(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    form = await open_form(client, invited)
    data = {"name": "Ines Invitee", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}

    no_field = await client.post(invited.path, data=data)
    forged = await client.post(invited.path, data={**data, "csrf": "0" * 64})
    client.cookies.clear()
    no_cookie = await client.post(invited.path, data={**data, **form})
    for resp in (no_field, forged, no_cookie):
        assert resp.status_code == 403
        assert "send the form once more" in resp.text
        assert 'value="Ines Invitee"' in resp.text
    assert license_users(ctx, invited.license_id, "active")[1:] == []  # only the owner

    # The refusal page carries a fresh form; sending it works.
    fresh = await client.get(invited.path)
    ok = await client.post(invited.path, data={**data, **_csrf(fresh.text)})
    assert ok.status_code == 200 and "Your account is ready" in ok.text


async def test_a_csrf_field_is_bound_to_its_link(ctx: Ctx, client: httpx.AsyncClient,
                                                 invited: Invited, staff) -> None:
    from tests.signup.conftest import new_invitation

    other = new_invitation(ctx, staff, email="olli@client.example", org="Other Org")
    form_for_other = await open_form(client, other)
    await open_form(client, invited)  # same cookie nonce, reused
    resp = await client.post(invited.path, data={
        **form_for_other, "name": "Ines", "password": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD})
    assert resp.status_code == 403


def _csrf(html: str) -> dict[str, str]:
    from tests.signup.conftest import form_of

    return form_of(html)


async def test_bad_tokens_are_slowed_down_then_refused(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited, clock: FixedClock,
        limiter: BadTokenLimiter, sleeps: RecordedSleep) -> None:
    guesses = [f"/invite/{'g' * 40}{i:03d}" for i in range(limiter.hard)]
    for path in guesses:
        assert (await client.get(path)).status_code == 404
    # The first `soft` guesses are answered at once, then each waits longer.
    assert len(sleeps.delays) == limiter.hard - limiter.soft
    assert sleeps.delays == sorted(sleeps.delays) and sleeps.delays[0] > 0
    assert sleeps.delays[-1] == limiter.max_delay

    blocked = await client.get(guesses[0])
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many" in blocked.text
    _assert_secure(blocked)
    # A good link is never refused, blocked address or not; another address is not affected.
    assert (await client.get(invited.path)).status_code == 200
    other = httpx.AsyncClient(transport=httpx.ASGITransport(
        app=create_app(ctx, limiter=limiter), client=("198.51.100.9", 1)),
        base_url="http://signup.test")
    async with other:
        assert (await other.get(guesses[0])).status_code == 404

    clock.advance(limiter.window + timedelta(seconds=1))
    assert (await client.get(guesses[0])).status_code == 404


async def test_used_links_do_not_count_as_guesses(
        client: httpx.AsyncClient, invited: Invited, limiter: BadTokenLimiter,
        ctx: Ctx, clock: FixedClock, sleeps: RecordedSleep) -> None:
    clock.advance(ctx.settings.invite_expiry * 2)
    for _ in range(limiter.hard + 5):
        assert (await client.get(invited.path)).status_code == 410
    assert sleeps.delays == []


async def test_unexpected_errors_give_a_generic_page_and_a_scrubbed_log(
        client: httpx.AsyncClient, invited: Invited, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(ctx: Ctx, token: str) -> None:
        raise RuntimeError(f"database on fire while reading {token}")

    monkeypatch.setattr("signup.app.lookup", broken)
    caplog.set_level(logging.DEBUG)
    resp = await client.get(invited.path)
    assert resp.status_code == 500
    assert "Something went wrong on our side" in resp.text
    assert "Traceback" not in resp.text and "RuntimeError" not in resp.text
    _assert_secure(resp)
    assert "database on fire" in server_log(caplog)  # the cause is logged ...
    assert invited.token not in server_log(caplog)  # ... without the token


async def test_the_token_never_reaches_the_log(
        client: httpx.AsyncClient, invited: Invited,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    form = await open_form(client, invited)
    await client.post(invited.path, data={**form, "name": "I", "password": GOOD_PASSWORD,
                                          "password2": GOOD_PASSWORD})
    await client.post(invited.path, data={**form, "name": "I", "password": GOOD_PASSWORD,
                                          "password2": GOOD_PASSWORD})
    access = [r.getMessage() for r in caplog.records if r.name == "signup.access"]
    assert len(access) == 3
    assert all('/invite/[redacted]"' in line for line in access)
    assert invited.token not in server_log(caplog)
    assert GOOD_PASSWORD not in server_log(caplog)
