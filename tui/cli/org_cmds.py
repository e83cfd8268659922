"""`org add`, `org list`."""

from __future__ import annotations

import argparse

from models.products import DATA_CENTERS
from tui.cli.common import add_json, emit_json, limit_arg, offset_arg, open_desk, table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    org = sub.add_parser("org", help="client organizations")
    osub = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    add = osub.add_parser("add", help="create an organization")
    add.add_argument("--name", required=True)
    add.add_argument("--client-name", required=True)
    add.add_argument("--client-email", required=True)
    add.add_argument("--data-center", default="us", choices=DATA_CENTERS)
    add_json(add)
    add.set_defaults(func=cmd_add)
    ls = osub.add_parser("list", help="list organizations")
    ls.add_argument("--search", default="", help="filter by name, client name or e-mail")
    ls.add_argument("--limit", type=limit_arg, default=100, help="rows to show (100)")
    ls.add_argument("--offset", type=offset_arg, default=0, help="rows to skip first (0)")
    add_json(ls)
    ls.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    desk.refuse_unless("organization.create")
    org = desk.create_org(name=args.name, client_name=args.client_name,
                          client_email=args.client_email, data_center=args.data_center)
    if args.json:
        emit_json(org)
    else:
        print(f"organization {org.id} created")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    page = open_desk(args).clients(args.search, offset=args.offset, limit=args.limit)
    if args.json:
        emit_json(list(page.rows))
        return 0
    table([[o.id, o.name, o.client_name, o.client_email, o.data_center.upper(), o.licenses,
            o.attention] for o in page.rows],
          ["ID", "ORGANIZATION", "CLIENT", "E-MAIL", "DC", "LICENSES", "ATTENTION"])
    print(f"({len(page.rows)} of {page.total})")
    return 0
