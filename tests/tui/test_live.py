"""An invitation accepted by another process shows as a toast and in the open Users tab."""

from __future__ import annotations

import subprocess
import sys

from models.context import Ctx
from tests.tui.conftest import Data, settle, table_rows, until
from tests.tui.helpers_accept import tokens
from tui.app import LicenseDeskApp

ACCEPT = """
import sys
from datetime import datetime
from models.accept import accept
from models.context import Ctx
from models.settings import load_settings
from models.timeutil import FixedClock
ctx = Ctx.open(load_settings(), clock=FixedClock(datetime.fromisoformat(sys.argv[1])))
accept(ctx, sys.stdin.readline().strip(), "Bob Builder", "correct horse battery")
"""


async def test_accepted_elsewhere_toasts_and_updates(app: LicenseDeskApp, ctx: Ctx,
                                                     data: Data) -> None:
    token = tokens(ctx)["bob@acme.example"]
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.open_license(data.acme_license, "users")
        await settle(pilot)
        assert table_rows(app, "#users-table")[1][3] == "○ pending"
        # Same SQLite file (LICENSEDESK_DATA_DIR is the fixture's data dir), another process.
        now = ctx.now().isoformat()
        done = subprocess.run([sys.executable, "-c", ACCEPT, now], input=token, text=True,
                              capture_output=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: any("bob@acme.example accepted" in n.message
                                       for n in app._notifications), timeout=5)
        toast = next(n for n in app._notifications if "accepted" in n.message)
        assert toast.title == "Accepted"
        await until(pilot, lambda: any(r[1] == "Bob Builder <bob@acme.example>"
                                       and r[3] == "● active"
                                       for r in table_rows(app, "#users-table")))
        assert app.unread == 1


async def test_old_notifications_are_not_toasted(app: LicenseDeskApp, ctx: Ctx,
                                                 data: Data) -> None:
    from models.accept import accept

    accept(ctx, tokens(ctx)["carol@acme.example"], "Carol C", "correct horse battery")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)  # a few poll rounds
        await settle(pilot)
        assert not list(app._notifications)
        assert app.unread == 1
