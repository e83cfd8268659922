"""`make run` serves the signup page beside the console, on the links' loopback address."""

from __future__ import annotations

import socket

import httpx

from models.context import Ctx
from models.views import StaffRef
from tests.support.ports import free_port
from tui.app import LicenseDeskApp


async def test_console_serves_the_signup_page_and_stops_it(ctx: Ctx, staff: StaffRef) -> None:
    port = free_port()
    ctx.settings.signup_url = f"http://127.0.0.1:{port}/invite/"
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False, serve_signup=True)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.signup is not None:
                break
        assert app.signup is not None and app.signup.port == port
        async with httpx.AsyncClient(timeout=5) as client:
            page = await client.get(f"http://127.0.0.1:{port}/invite/not-a-real-token")
        assert page.status_code == 404 and "not valid" in page.text
    with socket.socket() as s:  # stopped with the console: the port is free again
        s.bind(("127.0.0.1", port))


async def test_tests_and_tools_do_not_serve_by_default(ctx: Ctx, staff: StaffRef) -> None:
    app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert app.signup is None
