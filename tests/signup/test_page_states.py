"""The page through httpx: what an invitee sees for every state of a link."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import httpx

from models.context import Ctx
from models.invitations import resend, revoke
from models.queries import license_users
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.signup.conftest import GOOD_PASSWORD, Invited, claimed_token, new_invitation, open_form


def _dump(ctx: Ctx) -> list[str]:
    path = ctx.settings.resolved_database_url.removeprefix("sqlite:///")
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def _accounts(ctx: Ctx, inv: Invited) -> list[str]:
    return [u.name for u in license_users(ctx, inv.license_id, "active") if u.email == inv.email]


async def test_open_link_shows_what_it_is_for(client: httpx.AsyncClient, invited: Invited,
                                             staff: StaffRef) -> None:
    resp = await client.get(invited.path)
    assert resp.status_code == 200
    page = resp.text
    for fact in ("Acme Dental", "LiveChat", f"license #{invited.license_id}", "Agent",
                 "Mostly chatting with the customer", staff.name, staff.email, invited.email):
        assert fact in page, fact
    for field in ('<label for="name">', '<label for="password">', '<label for="password2">',
                  'type="password"', 'name="csrf"'):
        assert field in page, field


async def test_get_changes_nothing(ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    before = _dump(ctx)
    for _ in range(3):  # a mail scanner, a link preview, the person
        assert (await client.get(invited.path)).status_code == 200
        assert (await client.head(invited.path)).status_code == 200
    assert _dump(ctx) == before


async def test_accepting_creates_the_account_and_says_what_next(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    form = await open_form(client, invited)
    resp = await client.post(invited.path, data={
        **form, "name": "Ines Invitee", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert resp.status_code == 200, resp.text
    assert "Your account is ready" in resp.text
    assert "What to do next" in resp.text
    assert f"Sign in to LiveChat with your e-mail address <strong>{invited.email}" in resp.text
    assert _accounts(ctx, invited) == ["Ines Invitee"]


async def test_second_post_of_a_used_link_is_refused(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    form = await open_form(client, invited)
    data = {**form, "name": "Ines", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    assert (await client.post(invited.path, data=data)).status_code == 200
    again = await client.post(invited.path, data={**data, "name": "Mallory"})
    assert again.status_code == 410
    assert "already used" in again.text
    assert "Your account is ready" not in again.text
    assert _accounts(ctx, invited) == ["Ines"]
    # And the link opened again says so too, naming whom to ask.
    page = await client.get(invited.path)
    assert page.status_code == 410
    assert "already used" in page.text and "sam@partner.example" in page.text


async def test_expired_link(client: httpx.AsyncClient, invited: Invited, ctx: Ctx,
                            clock: FixedClock) -> None:
    clock.advance(ctx.settings.invite_expiry + timedelta(seconds=1))
    resp = await client.get(invited.path)
    assert resp.status_code == 410
    assert "has expired" in resp.text
    assert "Sam Support" in resp.text and 'href="mailto:sam@partner.example"' in resp.text
    assert "send you a new invitation" in resp.text
    assert 'name="password"' not in resp.text


async def test_expired_link_refuses_a_form_opened_before(
        client: httpx.AsyncClient, invited: Invited, ctx: Ctx, clock: FixedClock) -> None:
    form = await open_form(client, invited)
    clock.advance(ctx.settings.invite_expiry + timedelta(seconds=1))
    resp = await client.post(invited.path, data={
        **form, "name": "Ines", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert resp.status_code == 410 and "has expired" in resp.text
    assert _accounts(ctx, invited) == []


async def test_revoked_link(client: httpx.AsyncClient, invited: Invited, ctx: Ctx,
                            staff: StaffRef) -> None:
    revoke(ctx, staff, [invited.invitation_id])
    resp = await client.get(invited.path)
    assert resp.status_code == 410
    assert "was withdrawn" in resp.text and "Sam Support" in resp.text


async def test_unknown_link(client: httpx.AsyncClient, invited: Invited) -> None:
    for path in ("/invite/" + "x" * 43, "/invite/short", "/invite/%00%1b[31m"):
        resp = await client.get(path)
        assert resp.status_code == 404, path
        assert "This invitation link does not work" in resp.text
        assert "ask the person" in resp.text


async def test_a_resend_replaces_the_old_link(client: httpx.AsyncClient, invited: Invited,
                                              ctx: Ctx, staff: StaffRef) -> None:
    resend(ctx, staff, [invited.invitation_id])
    new_token = claimed_token(ctx)
    assert (await client.get(invited.path)).status_code == 404
    assert (await client.get(f"/invite/{new_token}")).status_code == 200


async def test_form_errors_come_back_on_the_form_with_the_name_kept(
        ctx: Ctx, client: httpx.AsyncClient, invited: Invited) -> None:
    form = await open_form(client, invited)
    cases = [
        ({"name": "Ines Ï", "password": "short", "password2": "short"},
         "password", "at least 12 characters"),
        ({"name": "Ines Ï", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "!"},
         "password2", "The two passwords differ"),
        ({"name": "Ines\x1b[2J", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
         "name", "control characters"),
        ({"name": "   ", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
         "name", "Enter your name"),
    ]
    for data, field, message in cases:
        resp = await client.post(invited.path, data={**form, **data})
        assert resp.status_code == 400, data
        assert message in resp.text
        assert f'id="{field}-error"' in resp.text and 'aria-invalid="true"' in resp.text
        assert 'role="alert"' in resp.text
        assert resp.text.count("autofocus") == 1
        assert re.search(rf'<input id="{field}"[^>]*autofocus', resp.text)
        if data["name"].strip() and "\x1b" not in data["name"]:
            assert f'value="{data["name"]}"' in resp.text
        assert "\x1b" not in resp.text
        # Passwords are never sent back.
        assert GOOD_PASSWORD not in resp.text
    assert _accounts(ctx, invited) == []
    assert (await client.get(invited.path)).status_code == 200


async def test_untrusted_text_is_escaped(ctx: Ctx, staff: StaffRef,
                                         client: httpx.AsyncClient) -> None:
    inv = new_invitation(ctx, staff, org="<script>alert(1)</script> Ltd")
    resp = await client.get(inv.path)
    assert resp.status_code == 200
    assert "<script>" not in resp.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in resp.text


async def test_other_paths_get_a_page_not_a_trace(client: httpx.AsyncClient) -> None:
    home = await client.get("/")
    assert home.status_code == 200 and "invitation mail" in home.text
    missing = await client.get("/nothing/here")
    assert missing.status_code == 404 and "There is no page here" in missing.text
    wrong = await client.put("/invite/" + "x" * 43)
    assert wrong.status_code == 405 and "could not be handled" in wrong.text
    css = await client.get("/static/signup.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
