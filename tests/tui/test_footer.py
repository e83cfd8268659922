"""The footer shows the keys that work where you are, and is rebuilt only when they change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.tui.conftest import Data, settle
from tui.app import LicenseDeskApp
from tui.widgets.footer import KeyFooter


def shown(app: LicenseDeskApp) -> list[str]:
    return [k.description for k in app.screen.query_one(KeyFooter).query(FooterKey)]


async def test_footer_follows_the_tab_and_keeps_its_keys_otherwise(
        app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        on_summary = shown(app)
        assert "Invite" in on_summary and "Resend" not in on_summary
        await pilot.press("2")  # Users: resend, revoke and role work here
        await settle(pilot)
        on_users = shown(app)
        assert {"Resend", "Revoke", "Role"} <= set(on_users)
        keys = list(app.screen.query_one(KeyFooter).query(FooterKey))
        # Bindings updates that change no key (the screen asks again, the cursor moves, a
        # row is marked): the same key widgets stay, nothing is rebuilt.
        app.screen.refresh_bindings()
        await pilot.press("down", "space")
        app.screen.refresh_bindings()
        await settle(pilot)
        assert list(app.screen.query_one(KeyFooter).query(FooterKey)) == keys
        await pilot.press("1")
        await settle(pilot)
        assert shown(app) == on_summary
