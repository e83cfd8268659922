"""How long the whole invitation loop takes: ctrl+s in the console's invite wizard →
mail caught by aiosmtpd → signed up in headless Chromium → *accepted* toast.

Prints `name value unit target ok|short`. Run: .venv/bin/python tests/perf/bench_invite_to_toast.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

# Run as a script from anywhere: the repository root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

ROUNDS = 3
TARGETS = {"invite_to_toast": 5.0, "accept_to_toast": 3.0, "invite_to_mail": 2.0}


async def one_round(root: Path, n: int) -> dict[str, float]:
    from models.context import Ctx
    from models.licenses import create_license
    from models.organizations import create_organization
    from models.settings import Settings
    from models.staff import ensure_staff
    from signup.server import start_in_thread
    from tests.e2e.loop import invite_to_toast
    from tests.signup.catcher import SmtpCatcher
    from tests.signup.cdp import Chromium
    from tui.app import LicenseDeskApp

    home = root / f"round{n}"
    os.environ["LICENSEDESK_CONFIG"] = str(home / "config.toml")
    os.environ["LICENSEDESK_BLINK"] = "0"  # no cursor blink while measuring
    catcher = SmtpCatcher().start()
    web = browser = None
    try:
        ctx = Ctx.open(Settings(
            data_dir=home / "data", staff_email="sam@partner.example", staff_name="Sam Support",
            signup_url="http://127.0.0.1:0/invite/", smtp_host="127.0.0.1",
            smtp_port=catcher.port, smtp_security="none"))
        web = start_in_thread(ctx, "127.0.0.1", 0)
        ctx.settings.signup_url = web.url
        browser = Chromium(home / "profile", home / "chromium.log").start()
        staff = ensure_staff(ctx)
        org = create_organization(ctx, staff, name="Globex Clinics", client_name="Gil Globex",
                                  client_email="gil@globex.example")
        create_license(ctx, staff, organization_id=org, product_key="livechat")
        app = LicenseDeskApp(ctx=ctx, staff=staff, start_mail=True)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            t = await invite_to_toast(app, pilot, ctx, "Globex", "nina@globex.example",
                                      "Nina Newcomer", catcher, browser)
        return {"invite_to_toast": t.toast, "accept_to_toast": t.accept_to_toast,
                "invite_to_mail": t.mail_caught}
    finally:
        if browser is not None:
            browser.close()
        if web is not None:
            web.stop()
        catcher.stop()


def main() -> int:
    from tests.signup.cdp import CHROMIUM

    if not CHROMIUM.exists():
        print(f"# bench_invite_to_toast skipped: no {CHROMIUM}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [asyncio.run(one_round(Path(tmp), n)) for n in range(ROUNDS)]
    for name, target in TARGETS.items():
        worst = max(r[name] for r in rounds)
        median = statistics.median(r[name] for r in rounds)
        print(f"{name}_median {median:.2f} s {target:g} {'ok' if median <= target else 'short'}")
        print(f"{name}_max {worst:.2f} s {target:g} {'ok' if worst <= target else 'short'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
