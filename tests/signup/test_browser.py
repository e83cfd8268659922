"""A real browser: the link from a mail the relay delivered to aiosmtpd, opened in headless
Chromium, the form filled and sent as a person would."""

from __future__ import annotations

import asyncio

import pytest

from mailer.service import MailService
from models.context import Ctx
from models.notifications import list_notifications
from models.queries import license_users
from models.views import StaffRef
from signup.server import SignupServer
from tests.signup.browsing import browser, catcher, settings, web, web_port
from tests.signup.catcher import SmtpCatcher, link_in
from tests.signup.cdp import Chromium
from tests.signup.conftest import GOOD_PASSWORD, new_invitation

__all__ = ["browser", "catcher", "settings", "web", "web_port"]

pytestmark = pytest.mark.slow


async def test_invitee_signs_up_in_chromium_from_the_mail(
        ctx: Ctx, staff: StaffRef, catcher: SmtpCatcher, web: SignupServer,
        browser: Chromium) -> None:
    inv = new_invitation(ctx, staff, email="ines@client.example", take=False)
    relay = MailService(ctx)
    await relay.start()
    try:
        await relay.kick()
        mail = await asyncio.to_thread(catcher.inbox.wait_for, inv.email)
    finally:
        await relay.stop()
    link = link_in(mail, ctx.settings.signup_url)

    def as_a_person() -> tuple[str, str, list[str]]:
        tab = browser.new_tab()
        tab.call("Emulation.setScriptExecutionDisabled", {"value": True})  # works without JS
        tab.goto(link)
        first = tab.text()
        tab.type_into("#name", "Ines Invitee")
        tab.type_into("#password", GOOD_PASSWORD)
        tab.type_into("#password2", GOOD_PASSWORD)
        tab.click_and_wait("button[type=submit]")
        return first, tab.text(), tab.console_problems()

    form_page, result_page, problems = await asyncio.to_thread(as_a_person)
    assert "Join Acme Dental on LiveChat" in form_page
    assert "Agent" in form_page and "Sam Support" in form_page
    assert "Your account is ready" in result_page
    assert "Sign in to LiveChat" in result_page
    assert problems == []  # no CSP violation: the stylesheet loaded, nothing blocked
    users = [u for u in license_users(ctx, inv.license_id, "active") if u.email == inv.email]
    assert [u.name for u in users] == ["Ines Invitee"]
    assert [n.kind for n in list_notifications(ctx, staff.id)] == ["accepted"]
