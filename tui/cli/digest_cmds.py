"""`digest [--since 24h] [--json]`: what happened to my invitations lately (the console's
"since you were last here", for a span); `license auto-remind LICENSE_ID on|off` (declared
in license_cmds, done here); `staff me --notify` (declared in staff_cmds, done here)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING

from tui.cli.common import CliError, add_json, emit_json, fmt_time, ident, open_desk

if TYPE_CHECKING:
    from models.views import NotifyPrefs

NOTIFY = ("each", "digest", "none")


def _span(text: str) -> timedelta:
    from models.desk import Desk

    try:
        return Desk.parse_span(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("digest", help="what happened to my invitations lately")
    d.add_argument("--since", type=_span, default=timedelta(hours=24), metavar="SPAN",
                   help="how far back (24h; e.g. 90m, 7d)")
    add_json(d)
    d.set_defaults(func=cmd_digest)


def add_auto_remind(lsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = lsub.add_parser("auto-remind", help="automatic reminders for a license: on or off")
    a.add_argument("license_id", type=ident, metavar="LICENSE_ID")
    a.add_argument("state", choices=("on", "off"))
    add_json(a)
    a.set_defaults(func=cmd_auto_remind)


def add_notify(me: argparse.ArgumentParser) -> None:
    me.add_argument("--notify", choices=NOTIFY,
                    help="how you hear of accepted, overdue and failed invitations: a mail "
                         "each (each), one daily digest (digest), or the console only (none)")
    me.add_argument("--digest-hour", type=int, metavar="H", help="0-23: when the digest goes")
    me.add_argument("--zone", metavar="ZONE", help="the digest hour's time zone (UTC; e.g. "
                                                  "Europe/Warsaw)")


def wants_notify(args: argparse.Namespace) -> bool:
    return any(getattr(args, k, None) is not None for k in ("notify", "digest_hour", "zone"))


def apply_notify(args: argparse.Namespace) -> NotifyPrefs:
    if args.digest_hour is not None and not 0 <= args.digest_hour <= 23:
        raise CliError(f"--digest-hour: 0 to 23, got {args.digest_hour}")
    return open_desk(args).set_notify(args.notify, args.digest_hour, args.zone)


def cmd_notify(args: argparse.Namespace) -> int:
    prefs = apply_notify(args)
    if args.json:
        emit_json(prefs)
    elif prefs.notify == "digest":
        print(f"notifications: a daily digest at {prefs.digest_hour:02d}:00 {prefs.digest_zone}")
    else:
        print({"each": "notifications: a mail for each",
               "none": "notifications: console only"}[prefs.notify])
    return 0


def cmd_auto_remind(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    on = desk.set_auto_remind(args.license_id, args.state == "on")
    schedule = desk.auto_remind_schedule()
    if args.json:
        emit_json({"license_id": args.license_id, "auto_remind": on,
                   "schedule": [int(a.total_seconds()) for a in schedule]})
        return 0
    note = "" if schedule or not on else " (LICENSEDESK_AUTO_REMIND is off: none go yet)"
    print(f"license {args.license_id}: automatic reminders {'on' if on else 'off'}{note}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from models.text import display

    r = open_desk(args).digest(args.since)
    if args.json:
        emit_json({"since": r.since, "until": r.until, **r.counts(), "items": r.items})
        return 0
    print(f"since {fmt_time(r.since)} UTC: {r.accepted} accepted, {r.overdue} overdue, "
          f"{r.failed} failed, {r.expired} expired")
    for it in r.items:
        where = f"  license #{it.license_id}" if it.license_id else ""
        print(f"{fmt_time(it.at)}  {it.kind:<8}  {display(it.text)}{where}")
    return 0

