"""`licensedesk digest`, `license auto-remind`, `staff me --notify` (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from models.context import Ctx
from models.scans import scan_overdue
from models.settings import load_settings
from tests.cli import test_commands as base
from tests.cli.test_commands import REFUSED, Cli, refused

# The CLI fixtures of test_commands, here under their names.
bare_cli, cli, org, lic = base.bare_cli, base.cli, base.org, base.lic


def test_auto_remind_on_and_off(cli: Cli, lic: int) -> None:
    off = cli("license", "auto-remind", str(lic), "off")
    assert off.code == 0 and off.out.strip() == f"license {lic}: automatic reminders off"
    on = cli("license", "auto-remind", str(lic), "on", "--json")
    assert on.code == 0 and on.json() == {"license_id": lic, "auto_remind": True,
                                          "schedule": []}
    shown = cli("license", "show", str(lic), "--json").json()
    assert isinstance(shown, dict)
    said = [h["detail"] for h in shown["history"] if h["kind"] == "license.auto_remind"]
    assert said == ["automatic reminders on", "automatic reminders off"]  # newest first
    refused(cli, "license", "auto-remind", str(lic), "maybe", says="invalid choice")
    refused(cli, "license", "auto-remind", "999", "on", says="no license with id 999",
            code=REFUSED)


def test_auto_remind_says_when_the_setting_is_off(cli: Cli, lic: int) -> None:
    r = cli("license", "auto-remind", str(lic), "on")
    assert "LICENSEDESK_AUTO_REMIND is off" in r.out


def test_staff_me_notify(cli: Cli) -> None:
    r = cli("staff", "me", "--notify", "digest", "--digest-hour", "7", "--zone",
            "Europe/Warsaw")
    assert r.code == 0 and r.out.strip() == ("notifications: a daily digest at 07:00 "
                                             "Europe/Warsaw"), r.err
    j = cli("staff", "me", "--notify", "none", "--json")
    assert j.json() == {"notify": "none", "digest_hour": 7, "digest_zone": "Europe/Warsaw"}
    refused(cli, "staff", "me", "--notify", "weekly", says="invalid choice")
    refused(cli, "staff", "me", "--digest-hour", "24", says="--digest-hour: 0 to 23")
    refused(cli, "staff", "me", "--zone", "Mars/Olympus", says="no time zone 'Mars/Olympus'",
            code=REFUSED)
    refused(cli, "staff", "me", says="give --name, --email or both")


def test_digest_lists_what_happened(cli: Cli, lic: int) -> None:
    empty = cli("digest")
    assert empty.code == 0
    assert "0 accepted, 0 overdue, 0 failed, 0 expired" in empty.out
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=49), tick=False):
        ctx = Ctx.open(load_settings())
        try:
            assert scan_overdue(ctx) == 2
        finally:
            ctx.db.dispose()
        r = cli("digest", "--json")
        text = cli("digest", "--since", "1h")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    assert {k: data[k] for k in ("accepted", "overdue", "failed", "expired")} == {
        "accepted": 0, "overdue": 2, "failed": 0, "expired": 0}
    assert sorted(i["kind"] for i in data["items"]) == ["overdue", "overdue"]
    assert "0 accepted, 2 overdue" in text.out
    assert "ann@client.example has not picked up" in text.out and f"license #{lic}" in text.out
    refused(cli, "digest", "--since", "soon", says="not a duration")
    refused(cli, "digest", "--since", "0s", says="1s to 3650d")



def _mine() -> tuple[str, str]:
    """(notify, name) of this login, read straight from the database."""
    from models.digest import get_prefs
    from models.staff import current_staff

    ctx = Ctx.open(load_settings())
    try:
        me = current_staff(ctx)
        return get_prefs(ctx, me.id).notify, me.name
    finally:
        ctx.db.dispose()


def test_staff_me_changes_both_or_neither(cli: Cli) -> None:
    # Found by the hypothesis sweep: --notify was stored, then a bad --name refused the
    # command, exit 1 with half of it written.
    assert cli("staff", "me", "--notify", "each").code == 0
    before = _mine()
    bad_name = cli("staff", "me", "--name", "A\nB", "--notify", "none")
    assert bad_name.code != 0
    bad_zone = cli("staff", "me", "--name", "Sam Two", "--zone", "Mars/Olympus")
    assert bad_zone.code != 0
    assert _mine() == before
    ok = cli("staff", "me", "--name", "Sam Two", "--notify", "none")
    assert ok.code == 0, ok.err
    assert _mine() == ("none", "Sam Two")
