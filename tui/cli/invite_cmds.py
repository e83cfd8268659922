"""`invite`, `invitations`, `remind`, `resend`, `revoke`, `alerts`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from models.products import INVITATION_STATUSES
from tui.cli.common import (
    add_json,
    add_paging,
    add_yes,
    emit_json,
    fetch_page,
    fmt_time,
    ident,
    open_desk,
    outcome_json,
    split_invite,
    table,
)

if TYPE_CHECKING:
    from models.views import ActionResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("invite", help="invite people to a license")
    p.add_argument("license_id", type=ident, metavar="LICENSE_ID")
    p.add_argument("invites", nargs="+", metavar="EMAIL:ROLE[:LANG]",
                   help="LANG: the invitee's language (the organization's when left out)")
    p.add_argument("--add-me", action="store_true")
    add_yes(p)
    add_json(p)
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("link", help="a fresh signup link for an open invitation, to hand over "
                                    "another way (the earlier link stops working)")
    p.add_argument("invitation_id", type=ident, metavar="INVITATION_ID")
    add_json(p)
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("invitations", help="list invitations")
    p.add_argument("--license", type=ident, metavar="ID")
    p.add_argument("--status", choices=INVITATION_STATUSES)
    add_paging(p, 1000)
    add_json(p)
    p.set_defaults(func=cmd_invitations)

    p = sub.add_parser("remind", help="remind everyone who has not picked up an invitation")
    p.add_argument("license_id", type=ident, metavar="LICENSE_ID")
    add_json(p)
    p.set_defaults(func=cmd_remind)

    for name, helptext, fn in (("resend", "send chosen invitations again", cmd_resend),
                               ("revoke", "withdraw chosen invitations", cmd_revoke)):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("ids", type=ident, nargs="+", metavar="INVITATION_ID")
        add_json(p)
        p.set_defaults(func=fn)

    p = sub.add_parser("alerts", help="your notifications: accepted, overdue, failed")
    p.add_argument("--unread", action="store_true")
    p.add_argument("--mark-read", action="store_true", help="mark them all read afterwards")
    add_json(p)
    p.set_defaults(func=cmd_alerts)


def cmd_invite(args: argparse.Namespace) -> int:
    from models.views import InviteRequest

    rows = [InviteRequest(*split_invite(t), confirmed=args.yes) for t in args.invites]
    desk = open_desk(args)
    desk.refuse_unless("invitation.invite")
    # A refusal (InviteRefused) names every refused row, in one line: see main._failure.
    result = desk.invite(args.license_id, rows, add_me=args.add_me)
    if args.json:
        emit_json({"invitations": outcome_json(result.outcomes),
                   "seats_before": result.seats_before, "seats_after": result.seats_after})
    else:
        for o in result.outcomes:
            print(f"{o.invitation_id}  {o.message}")
        if result.seats_after != result.seats_before:
            print(f"seats: {result.seats_before} -> {result.seats_after}")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    """The link goes to stdout alone: the person asked for it. It is never logged."""
    desk = open_desk(args)
    desk.refuse_unless("invitation.resend")
    link, row = desk.hand_over_link(args.invitation_id)
    if args.json:
        emit_json({"id": row.id, "email": row.email, "status": row.status, "link": link,
                   "expires_at": row.expires_at})
    else:
        print(link)
    return 0


def cmd_invitations(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    rows = fetch_page(args, lambda limit, offset: desk.invitations(
        license_id=args.license, status=args.status, limit=limit, offset=offset))
    if args.json:
        emit_json(rows)
        return 0
    table([[r.id, r.license_id, r.organization, r.email, r.role, r.status,
            fmt_time(r.sent_at), r.times_sent, fmt_time(r.accepted_at)] for r in rows],
          ["ID", "LICENSE", "ORGANIZATION", "E-MAIL", "ROLE", "STATUS", "LAST SENT", "SENT",
           "ACCEPTED"])
    return 0


def _report(args: argparse.Namespace, verb: str, result: ActionResult) -> int:
    if args.json:
        emit_json({"done": list(result.done),
                   "skipped": [{"id": i, "reason": r} for i, r in result.skipped]})
        return 0
    print(f"{verb} {len(result.done)} invitation(s)")
    for i, reason in result.skipped:
        print(f"skipped {i}: {reason}")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    desk.refuse_unless("invitation.remind")
    return _report(args, "reminded", desk.remind(args.license_id))


def cmd_resend(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    desk.refuse_unless("invitation.resend")
    return _report(args, "resent", desk.resend(args.ids))


def cmd_revoke(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    desk.refuse_unless("invitation.revoke")
    return _report(args, "revoked", desk.revoke(args.ids))


def cmd_alerts(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    rows = desk.alerts(unread_only=args.unread)
    if args.mark_read:
        desk.mark_read()
    if args.json:
        emit_json(rows)
        return 0
    table([[n.id, fmt_time(n.created_at), n.kind, "" if n.read else "new", n.license_id or "-",
            n.text] for n in rows], ["ID", "AT", "KIND", "", "LICENSE", "WHAT"])
    return 0
