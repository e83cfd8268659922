"""The whole loop, shared by the end-to-end test and its benchmark: staff invite in the
console (real keys), the relay mails aiosmtpd, Chromium signs up through the link, the
console toasts *accepted* and lists the new account."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from models.context import Ctx
from tests.signup.catcher import SmtpCatcher, link_in
from tests.signup.cdp import Chromium
from tests.tui.conftest import settle, table_rows
from tui.app import LicenseDeskApp

PASSWORD = "correct horse battery"
TOAST_WITHIN = 3.0


@dataclass(frozen=True)
class Timings:
    """Seconds from the invitation being sent (ctrl+s in the wizard)."""

    mail_caught: float
    signed_up: float
    toast: float

    @property
    def accept_to_toast(self) -> float:
        return self.toast - self.signed_up


async def wait_until(pilot: Any, check: Any, timeout: float, what: str) -> None:
    """Bounded wait for what another thread or process causes; polls every 20 ms."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        await pilot.pause(0.02)


def sign_up_in_browser(browser: Chromium, link: str, name: str) -> tuple[str, str]:
    """As a person: open the link, fill the form, click the button. Runs in a thread."""
    tab = browser.new_tab()
    tab.goto(link)
    form = tab.text()
    tab.type_into("#name", name)
    tab.type_into("#password", PASSWORD)
    tab.type_into("#password2", PASSWORD)
    tab.click_and_wait("button[type=submit]")
    return form, tab.text()


async def invite_to_toast(app: LicenseDeskApp, pilot: Any, ctx: Ctx, org_name: str,
                          email: str, name: str, catcher: SmtpCatcher,
                          browser: Chromium) -> Timings:
    await settle(pilot)
    # Clients → filter → organization → its license → Users tab → invite wizard.
    await pilot.press("slash", *org_name, "enter")
    await settle(pilot)
    await pilot.press("enter")  # the organization
    await settle(pilot)
    await pilot.press("enter")  # its only license
    await settle(pilot)
    await pilot.press("2")  # Users tab
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    await pilot.press(*email)
    await settle(pilot)
    start = time.monotonic()
    await pilot.press("ctrl+s")

    mail = await asyncio.to_thread(catcher.inbox.wait_for, email, 15.0)
    mail_caught = time.monotonic() - start
    link = link_in(mail, ctx.settings.signup_url)

    form, done = await asyncio.to_thread(sign_up_in_browser, browser, link, name)
    signed_up = time.monotonic() - start
    assert "Your account is ready" in done, done

    def toasted() -> bool:
        return any(n.title == "Accepted" and email in n.message for n in app._notifications)

    await wait_until(pilot, toasted, TOAST_WITHIN, "the accepted toast")
    toast = time.monotonic() - start
    assert "Join" in form and name not in form
    return Timings(mail_caught, signed_up, toast)


def users_rows(app: LicenseDeskApp) -> list[list[str]]:
    return table_rows(app, "#users-table")
