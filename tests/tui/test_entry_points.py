"""Where the console opens the wizards (built elsewhere) and the palette's license commands."""

from __future__ import annotations

from models.context import Ctx
from tests.tui.conftest import Data, palette_pick, settle
from tui.app import LicenseDeskApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.license import LicenseScreen


async def test_invite_opens_the_invite_wizard_for_this_license(app: LicenseDeskApp,
                                                               data: Data) -> None:
    from tui.screens.invite_wizard import InviteWizard

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.bright_license, "users")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
        assert app.screen.license_id == data.bright_license
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)


async def test_new_license_from_organization_opens_the_wizard(app: LicenseDeskApp,
                                                              data: Data) -> None:
    from tui.screens.license_wizard import LicenseWizard

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_org(data.bright)
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, LicenseWizard)


async def test_license_wizard_result_opens_its_summary(app: LicenseDeskApp, ctx: Ctx,
                                                       data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_new_license(data.bright)
        await settle(pilot)
        app.screen.dismiss(data.acme_license)  # as the wizard does with the new license's id
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        assert app.screen.license_id == data.acme_license
        assert app.screen.query_one("#tabs").active == "summary"


async def test_palette_sends_reminder_on_a_license(app: LicenseDeskApp, data: Data) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license)
        await settle(pilot)
        await palette_pick(pilot, "send invitation rem", "Send invitation reminder")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "3 people" in str(app.screen.query_one("#question").content)
