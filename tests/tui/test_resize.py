"""The layout follows the window: every list's columns fit the width it has now, the column
that matters most is the last cut, a window growing back gets the layout a fresh start has,
and the footer shows whole keys only (issue 15)."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from models.context import Ctx
from models.views import StaffRef
from tests.tui.conftest import screen_text, settle, until
from tests.tui.test_snapshots import lived_in
from tui.app import LicenseDeskApp
from tui.fit import ALWAYS, fit_widths
from tui.widgets.footer import KeyFooter

WALK = [(120, 40), (80, 24), (60, 20), (200, 60)]

__all__ = ["lived_in"]  # the fixture, shared with test_snapshots


def test_fit_shrinks_text_before_cutting_and_never_cuts_the_key_column() -> None:
    natural, least = [14, 12, 24, 2, 3, 4], [10, 8, 10, None, None, None]
    keep = [5, 2, 4, 1, 3, 6]  # Clients: Attn (the last) matters most
    assert fit_widths(natural, least, keep, 200, 2) == natural  # room enough: as they are
    # A little short: the least kept text columns give way first, nothing is cut.
    assert fit_widths(natural, least, keep, 58, 2) == [14, 8, 15, 2, 3, 4]
    # Shorter: DC, then the client's name go; the others get their room back.
    assert fit_widths(natural, least, keep, 30, 2) == [10, None, 10, None, None, 4]
    # Far too short: everything but Attn is cut, and Attn still is not.
    assert fit_widths(natural, least, keep, 5, 2) == [None, None, None, None, None, 4]
    # Columns kept ALWAYS (a table's ✓ marks) are never cut either.
    assert fit_widths([1, 30, 9], [None, 10, None], [ALWAYS, 2, 1], 16, 2) == [1, 11, None]


def _table(app: LicenseDeskApp, selector: str) -> DataTable[Any]:
    return app.screen.query_one(selector, DataTable)


def layout(app: LicenseDeskApp, selector: str) -> list[tuple[str, int]]:
    """Each column shown, with the cells it takes."""
    table = _table(app, selector)
    return [(c.label.plain, c.get_render_width(table)) for c in table.ordered_columns
            if c.get_render_width(table) > 0]


def footer_keys(app: LicenseDeskApp) -> list[str]:
    return [f"{k.key_display} {k.description}" for k in app.screen.query_one(KeyFooter)
            .query(FooterKey) if k.display and "-command-palette" not in k.classes]


def assert_fits(app: LicenseDeskApp, selector: str, *key_columns: str) -> None:
    table = _table(app, selector)
    size = app.size
    shown = layout(app, selector)
    assert sum(w for _, w in shown) <= table.scrollable_content_region.width, (size, shown)
    assert table.max_scroll_x == 0 and not table.show_horizontal_scrollbar, (size, shown)
    text = screen_text(app)
    header = text.splitlines()[table.region.y]
    for label in key_columns:
        assert label in [name for name, _ in shown], (size, label, shown)
        assert f" {label} " in f"{header} ", (size, label, header)
    assert_footer_whole(app)


def assert_footer_whole(app: LicenseDeskApp) -> None:
    """Each key shown whole, inside the footer, none under the palette key."""
    footer = app.screen.query_one(KeyFooter)
    line = screen_text(app).splitlines()[footer.region.y]
    palette = [k for k in footer.query(FooterKey) if "-command-palette" in k.classes]
    right = palette[0].region.x if palette else footer.region.right
    for k in footer.query(FooterKey):
        if not k.display or k in palette:
            continue
        assert k.region.right <= right, (app.size, k.description, line)
        assert f"{k.key_display} {k.description}" in line[k.region.x:k.region.right], line
    if palette:
        assert line.rstrip().endswith("^p palette"), line


async def _walk(app: LicenseDeskApp, pilot: Any, selector: str, *key_columns: str,
                sizes: list[tuple[int, int]] = WALK) -> list[tuple[str, int]]:
    for size in sizes:
        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert_fits(app, selector, *key_columns)
    return layout(app, selector)


async def _fresh(ctx: Ctx, staff: StaffRef, size: tuple[int, int], selector: str,
                 opened: Any) -> tuple[list[tuple[str, int]], list[str]]:
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, poll=0.2)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await opened(app, pilot)
        assert_fits(app, selector)
        return layout(app, selector), footer_keys(app)


async def _on_clients(app: LicenseDeskApp, pilot: Any) -> None:
    await until(pilot, lambda: _table(app, "#orgs").row_count > 0)
    await settle(pilot)


async def _on_users(app: LicenseDeskApp, pilot: Any) -> None:
    app.open_license(1, "users")
    await settle(pilot)
    await until(pilot, lambda: bool(app.screen.query("#users-table"))
                and _table(app, "#users-table").row_count > 0)
    await settle(pilot)


async def test_clients_columns_follow_the_window(ctx: Ctx, staff: StaffRef,
                                                 lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=WALK[0]) as pilot:
        await _on_clients(lived_in, pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        # What a fresh start at 80 columns shows: every column, the addresses whole.
        assert [n for n, _ in layout(lived_in, "#orgs")] == [
            "Organization", "Client", "Client e-mail", "DC", "Lic", "Attn"]
        assert "owner00@client00.example" in screen_text(lived_in)
        end = await _walk(lived_in, pilot, "#orgs", "Attn", "Organization")
        keys = footer_keys(lived_in)
    assert (end, keys) == await _fresh(ctx, staff, WALK[-1], "#orgs", _on_clients)


async def test_clients_keep_attn_when_very_narrow(lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=(120, 40)) as pilot:
        await _on_clients(lived_in, pilot)
        await _walk(lived_in, pilot, "#orgs", "Attn", sizes=[(44, 20), (30, 12)])


async def test_users_tab_follows_the_window(ctx: Ctx, staff: StaffRef,
                                            lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=WALK[0]) as pilot:
        await _on_users(lived_in, pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert_fits(lived_in, "#users-table", "Status", "E-mail", "Role", "Last sent")
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        # Cut from the least useful up: the send count, the acceptance date, the inviter.
        names = [n for n, _ in layout(lived_in, "#users-table")]
        assert "Sent" not in names and "Status" in names and "E-mail" in names
        end = await _walk(lived_in, pilot, "#users-table", "Status")
        keys = footer_keys(lived_in)
    assert (end, keys) == await _fresh(ctx, staff, WALK[-1], "#users-table", _on_users)


async def test_users_narrow_start_grows_back_to_the_wide_layout(
        ctx: Ctx, staff: StaffRef, lived_in: LicenseDeskApp) -> None:
    """Short roles and dates in a narrow window; the long ones again once it grows."""
    async with lived_in.run_test(size=(60, 20)) as pilot:
        await _on_users(lived_in, pilot)
        assert_fits(lived_in, "#users-table", "Status")
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert "Administrator" in screen_text(lived_in)
        end = layout(lived_in, "#users-table")
    assert end == (await _fresh(ctx, staff, (120, 40), "#users-table", _on_users))[0]


async def test_needs_attention_keeps_the_address(lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await until(pilot, lambda: _table(lived_in, "#attention").row_count > 0)
        await _walk(lived_in, pilot, "#attention", "E-mail", "Status",
                    sizes=[(80, 24), (60, 20), (40, 15)])
        assert "carol@acme.example" in screen_text(lived_in)


async def test_alerts_keep_what_happened(lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await until(pilot, lambda: _table(lived_in, "#alerts").row_count > 0)
        await _walk(lived_in, pilot, "#alerts", "What", sizes=[(80, 24), (60, 20), (40, 15)])


def _catch(ctx: Ctx, to: str, subject: str) -> None:
    box = mailbox.Maildir(Path(ctx.settings.data_dir) / "mailbox", create=True)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "desk@partner.example", to, subject
    msg.set_content("hello")
    box.add(msg)


async def test_mailbox_keeps_the_recipient(ctx: Ctx, lived_in: LicenseDeskApp) -> None:
    _catch(ctx, "carol.longname@acme-analytics.example", "You are invited to LiveChat "
           "for Acme Analytics: accept within seven days")
    async with lived_in.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        await until(pilot, lambda: _table(lived_in, "#mails").row_count > 0)
        await _walk(lived_in, pilot, "#mails", "To", sizes=[(80, 24), (60, 20), (40, 15)])


async def test_footer_drops_whole_keys_least_needed_first(lived_in: LicenseDeskApp) -> None:
    async with lived_in.run_test(size=(120, 40)) as pilot:
        await _on_users(lived_in, pilot)
        wide = footer_keys(lived_in)
        assert wide[-2:] == ["? Help", "a Alerts"]
        for size in [(80, 24), (60, 20), (40, 12), (120, 40)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert_footer_whole(lived_in)
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        narrow = footer_keys(lived_in)
        # The license's own keys and Help stay longest; Alerts and Back go first.
        assert narrow and "a Alerts" not in narrow and "? Help" in narrow
        assert narrow == [k for k in wide if k in narrow]  # in the same order
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert footer_keys(lived_in) == wide
