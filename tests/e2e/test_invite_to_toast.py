"""Issue 5, end to end: a console driven by Pilot invites an address; the relay delivers
the mail to aiosmtpd on 127.0.0.1; headless Chromium signs up through the link; the
console shows the *accepted* toast within 3 seconds and the Users tab the new account."""

from __future__ import annotations

import pytest

from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.queries import license_users
from models.views import StaffRef
from signup.server import SignupServer
from tests.e2e.loop import TOAST_WITHIN, invite_to_toast, users_rows, wait_until
from tests.signup.browsing import browser, catcher, settings, web, web_port
from tests.signup.catcher import SmtpCatcher
from tests.signup.cdp import Chromium
from tui.app import LicenseDeskApp

__all__ = ["browser", "catcher", "settings", "web", "web_port"]

pytestmark = pytest.mark.slow


async def test_invite_mail_signup_toast(ctx: Ctx, staff: StaffRef, catcher: SmtpCatcher,
                                        web: SignupServer, browser: Chromium,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    org = create_organization(ctx, staff, name="Globex Clinics", client_name="Gil Globex",
                              client_email="gil@globex.example")
    license_id, _ = create_license(ctx, staff, organization_id=org, product_key="livechat")
    email, name = "nina@globex.example", "Nina Newcomer"

    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        timings = await invite_to_toast(app, pilot, ctx, "Globex", email, name, catcher,
                                        browser)
        assert timings.accept_to_toast <= TOAST_WITHIN
        # The Users tab, still open behind the wizard that closed, lists the new account.
        await wait_until(pilot, lambda: any(
            r[1] == f"{name} <{email}>" and r[3] == "● active" for r in users_rows(app)),
            5.0, "the account in the Users tab")

    accounts = [u for u in license_users(ctx, license_id, "active") if u.email == email]
    assert [a.name for a in accounts] == [name]
    with capsys.disabled():
        print(f"\ninvite→mail {timings.mail_caught:.2f}s, invite→signed up "
              f"{timings.signed_up:.2f}s, invite→toast {timings.toast:.2f}s "
              f"(accepted→toast {timings.accept_to_toast:.2f}s)")
