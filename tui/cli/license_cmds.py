"""`license create`, `license show`."""

from __future__ import annotations

import argparse
from typing import Any

from models.products import ADMIN, DATA_CENTERS, PAYERS, PLANS, PRODUCTS
from tui.cli.common import (
    MAX_SEATS,
    CliError,
    add_json,
    add_yes,
    emit_json,
    fmt_time,
    ident,
    open_desk,
    outcome_json,
    split_invite,
    table,
    whole,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lic = sub.add_parser("license", help="licenses")
    lsub = lic.add_subparsers(dest="license_command", metavar="ACTION", required=True)
    c = lsub.add_parser("create", help="create a license, with its first invitations")
    c.add_argument("--org", type=ident, required=True, metavar="ORG_ID")
    c.add_argument("--product", required=True, choices=list(PRODUCTS))
    terms = c.add_mutually_exclusive_group()
    # Any whole number: the desk says which trial lengths it takes (and nothing is rewritten).
    terms.add_argument("--trial-days", type=whole(None, None), default=None, metavar="N",
                       help="length of the trial (14)")
    terms.add_argument("--paid", action="store_true")
    c.add_argument("--plan", choices=PLANS, help="with --paid")
    c.add_argument("--seats", type=whole(1, MAX_SEATS), metavar="N",
                   help=f"1 to {MAX_SEATS}")
    c.add_argument("--payer", default="partner", choices=PAYERS)
    c.add_argument("--data-center", choices=DATA_CENTERS)
    # Given several times, or with several values each time: every address counts.
    c.add_argument("--invite", nargs="+", action="extend", default=[],
                   metavar="EMAIL:ROLE[:LANG]")
    c.add_argument("--add-me", action="store_true", help=f"invite yourself as {ADMIN.name}")
    add_yes(c)
    add_json(c)
    c.set_defaults(func=cmd_create)
    s = lsub.add_parser("show", help="a license's summary, users and history")
    s.add_argument("license_id", type=ident, metavar="LICENSE_ID")
    add_json(s)
    s.set_defaults(func=cmd_show)
    from tui.cli.digest_cmds import add_auto_remind

    add_auto_remind(lsub)  # license auto-remind LICENSE_ID on|off (issue 13)


def cmd_create(args: argparse.Namespace) -> int:
    from models.views import InviteRequest

    if args.plan is not None and not args.paid:
        raise CliError("--plan goes with --paid: a trial has no plan (see license create --help)")
    invites = [InviteRequest(*split_invite(t), confirmed=args.yes) for t in args.invite]
    desk = open_desk(args)
    desk.refuse_unless("license.create")
    # The desk's rules and defaults (a trial's length when none is given), not the CLI's.
    trial: dict[str, Any] = {} if args.trial_days is None else {"trial_days": args.trial_days}
    terms = desk.preview_terms(product_key=args.product, paid=args.paid, plan=args.plan,
                               seats=args.seats, payer=args.payer,
                               data_center=args.data_center, **trial)
    license_id, result = desk.create_license(args.org, terms, invites, add_me=args.add_me)
    if args.json:
        emit_json({"id": license_id, "invitations": outcome_json(result.outcomes)})
    else:
        print(f"license {license_id} created; {len(result.invited)} invitation(s) queued")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    summary = desk.summary(args.license_id)
    users = desk.users(args.license_id)
    if args.json:
        emit_json({"id": summary.license.id, "summary": summary, "users": users,
                   "history": desk.history(args.license_id, limit=50)})
        return 0
    lic = summary.license
    print(f"License {lic.id}: {lic.product_label} for {lic.organization}")
    print(f"  status {lic.status}, plan {lic.plan or '-'}, seats {lic.seats}, "
          f"payer {lic.payer}, data centre {lic.data_center.upper()}, "
          f"trial ends {fmt_time(lic.trial_ends_at)}")
    print("  invitations: " + ", ".join(f"{k} {v}" for k, v in summary.counts.items()))
    print()
    table([[u.kind, u.id, u.email, u.role, u.status, u.invited_by, fmt_time(u.sent_at),
            u.times_sent, fmt_time(u.accepted_at)] for u in users],
          ["KIND", "ID", "E-MAIL", "ROLE", "STATUS", "INVITED BY", "LAST SENT", "SENT",
           "ACCEPTED"])
    return 0
