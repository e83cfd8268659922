"""The cursor blink is a setting (LICENSEDESK_BLINK, or `blink` in the config file), read once
when the console starts: off over SSH unless set, on elsewhere; every text field follows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from models.context import Ctx
from models.settings import load_settings
from models.views import StaffRef
from tests.tui.conftest import settle
from tui.app import LicenseDeskApp
from tui.prefs import cursor_blink


@pytest.mark.parametrize(("value", "ssh", "blinks"), [
    (None, None, True), (None, "10.0.0.1 50000 10.0.0.2 22", False),
    ("1", "10.0.0.1 50000 10.0.0.2 22", True), ("yes", None, True), ("0", None, False),
    ("off", None, False), ("false", None, False),
])
def test_the_setting_and_its_default(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                     ssh: str | None, blinks: bool) -> None:
    for name, set_to in (("LICENSEDESK_BLINK", value), ("SSH_CONNECTION", ssh)):
        if set_to is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, set_to)
    assert cursor_blink() is blinks
    if value is not None:  # the settings read it the same way
        assert load_settings().blink is blinks


def test_the_config_file_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LICENSEDESK_BLINK", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    Path(tmp_path / "config.toml").write_text("blink = false\n", encoding="utf-8")
    assert cursor_blink() is False


@pytest.mark.parametrize("blink", [True, False])
async def test_text_fields_follow_it(monkeypatch: pytest.MonkeyPatch, ctx: Ctx,
                                     staff: StaffRef, blink: bool) -> None:
    monkeypatch.setenv("LICENSEDESK_BLINK", "1" if blink else "0")
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert [field.cursor_blink for field in app.screen.query(Input)] == [blink]
        await pilot.press("P")  # my profile: a dialog's fields too
        await settle(pilot)
        assert {field.cursor_blink for field in app.screen.query(Input)} == {blink}
