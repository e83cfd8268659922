"""`whoami`, `staff list|add|set-role|disable|me`: who this login is, and the registry leads
keep. The identity is always the login running the command; nothing here chooses it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui.cli.common import CliError, add_json, emit_json, open_desk, table

if TYPE_CHECKING:
    from models.desk import Desk

# The staff roles, most rights first: models.roles.ROLES (a test keeps them the same), written
# out so that building the parser (and `--help`) does not import the database layer.
ROLES = ("lead", "agent", "viewer")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    who = sub.add_parser("whoami", help="this login's staff record and role")
    add_json(who)
    who.set_defaults(func=cmd_whoami)

    staff = sub.add_parser("staff", help="the staff registry (leads manage it)")
    ssub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    ls = ssub.add_parser("list", help="every login with its role")
    add_json(ls)
    ls.set_defaults(func=cmd_list)
    add = ssub.add_parser("add", help="register a login (lead only)")
    add.add_argument("login", help="the operating-system login")
    add.add_argument("--email", required=True, help="where this person's alerts go")
    add.add_argument("--name", help="the name shown to others (default: the login)")
    add.add_argument("--role", choices=ROLES, default="agent")
    add_json(add)
    add.set_defaults(func=cmd_add)
    role = ssub.add_parser("set-role", help="change a login's role, or re-enable it (lead only)")
    role.add_argument("login")
    role.add_argument("role", choices=ROLES)
    add_json(role)
    role.set_defaults(func=cmd_set_role)
    off = ssub.add_parser("disable", help="stop a login from using licensedesk (lead only)")
    off.add_argument("login")
    add_json(off)
    off.set_defaults(func=cmd_disable)
    me = ssub.add_parser("me", help="change your own name or e-mail (audited)")
    me.add_argument("--name")
    me.add_argument("--email")
    from tui.cli.digest_cmds import add_notify

    add_notify(me)  # how I hear of my invitations (issue 13)
    add_json(me)
    me.set_defaults(func=cmd_me)


def _show(args: argparse.Namespace, staff: object, line: str) -> int:
    if args.json:
        emit_json(staff)
    else:
        print(line)
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    me = open_desk(args).staff
    return _show(args, me, f"{me.login}: {me.name} <{me.email}>, {me.role}")


def cmd_list(args: argparse.Namespace) -> int:
    rows = open_desk(args).staff_list()  # only staff may read the registry
    if args.json:
        emit_json(rows)
        return 0
    table([[r.login, r.name, r.email, r.role, "active" if r.active else "disabled"]
           for r in rows], ["LOGIN", "NAME", "E-MAIL", "ROLE", "STATE"])
    return 0


def _lead_desk(args: argparse.Namespace) -> Desk:
    desk = open_desk(args)
    desk.refuse_unless("staff.manage")
    return desk


def cmd_add(args: argparse.Namespace) -> int:
    added = _lead_desk(args).add_staff(args.login, args.email, args.name, args.role)
    return _show(args, added, f"{added.login} added as {added.role}")


def cmd_set_role(args: argparse.Namespace) -> int:
    changed = _lead_desk(args).set_role(args.login, args.role)
    return _show(args, changed, f"{changed.login} is now {changed.role}")


def cmd_disable(args: argparse.Namespace) -> int:
    off = _lead_desk(args).disable_staff(args.login)
    return _show(args, off, f"{off.login} disabled")


def cmd_me(args: argparse.Namespace) -> int:
    from tui.cli.digest_cmds import apply_notify, cmd_notify, wants_notify

    if wants_notify(args) and args.name is None and args.email is None:
        return cmd_notify(args)
    if args.name is None and args.email is None:
        raise CliError("give --name, --email or both (or --notify, --digest-hour, --zone)")
    desk = open_desk(args)
    if wants_notify(args):
        # Both or neither: the preferences are checked before the name and e-mail are
        # written, and stored after, so a refusal of either leaves everything as it was.
        desk.check_notify(args.notify, args.digest_hour, args.zone)
    me = desk.update_me(args.name, args.email)
    if wants_notify(args):
        apply_notify(args)
    return _show(args, me, f"{me.login}: {me.name} <{me.email}>")
