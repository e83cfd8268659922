"""`whoami`, `staff list|add|set-role|disable|me`: who this login is, and the registry leads
keep. The identity is always the login running the command; nothing here chooses it."""

from __future__ import annotations

import argparse

from tui.cli.common import actor, add_json, emit_json, open_ctx, table

ROLES = ("lead", "agent", "viewer")


def register(sub: argparse._SubParsersAction) -> None:
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
    add_json(me)
    me.set_defaults(func=cmd_me)


def _show(args: argparse.Namespace, staff: object, line: str) -> int:
    if args.json:
        emit_json(staff)
    else:
        print(line)
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    me = actor(open_ctx(args))
    return _show(args, me, f"{me.login}: {me.name} <{me.email}>, {me.role}")


def cmd_list(args: argparse.Namespace) -> int:
    from models.staff import staff_rows

    ctx = open_ctx(args)
    actor(ctx)  # only staff may read the registry
    rows = staff_rows(ctx)
    if args.json:
        emit_json(rows)
        return 0
    table([[r.login, r.name, r.email, r.role, "active" if r.active else "disabled"]
           for r in rows], ["LOGIN", "NAME", "E-MAIL", "ROLE", "STATE"])
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from models.staff import add_staff

    ctx = open_ctx(args)
    added = add_staff(ctx, actor(ctx), args.login, args.email, args.name, args.role)
    return _show(args, added, f"{added.login} added as {added.role}")


def cmd_set_role(args: argparse.Namespace) -> int:
    from models.staff import set_role

    ctx = open_ctx(args)
    changed = set_role(ctx, actor(ctx), args.login, args.role)
    return _show(args, changed, f"{changed.login} is now {changed.role}")


def cmd_disable(args: argparse.Namespace) -> int:
    from models.staff import disable

    ctx = open_ctx(args)
    off = disable(ctx, actor(ctx), args.login)
    return _show(args, off, f"{off.login} disabled")


def cmd_me(args: argparse.Namespace) -> int:
    from models.staff import update_me

    if args.name is None and args.email is None:
        from tui.cli.common import CliError

        raise CliError("give --name, --email or both")
    ctx = open_ctx(args)
    me = update_me(ctx, actor(ctx), args.name, args.email)
    return _show(args, me, f"{me.login}: {me.name} <{me.email}>")
