"""`org add`, `org list`."""

from __future__ import annotations

import argparse

from tui.cli.common import actor, add_json, emit_json, limit_arg, offset_arg, open_ctx, table


def register(sub: argparse._SubParsersAction) -> None:
    org = sub.add_parser("org", help="client organizations")
    osub = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    add = osub.add_parser("add", help="create an organization")
    add.add_argument("--name", required=True)
    add.add_argument("--client-name", required=True)
    add.add_argument("--client-email", required=True)
    add.add_argument("--data-center", default="us", choices=["us", "eu"])
    add_json(add)
    add.set_defaults(func=cmd_add)
    ls = osub.add_parser("list", help="list organizations")
    ls.add_argument("--search", default="", help="filter by name, client name or e-mail")
    ls.add_argument("--limit", type=limit_arg, default=100, help="rows to show (100)")
    ls.add_argument("--offset", type=offset_arg, default=0, help="rows to skip first (0)")
    add_json(ls)
    ls.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    from models.organizations import create_organization
    from models.queries import get_org

    ctx = open_ctx(args)
    org_id = create_organization(ctx, actor(ctx), name=args.name, client_name=args.client_name,
                                 client_email=args.client_email, data_center=args.data_center)
    if args.json:
        emit_json(get_org(ctx, org_id))
    else:
        print(f"organization {org_id} created")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from models.queries import list_orgs

    ctx = open_ctx(args)
    page = list_orgs(ctx, args.search, offset=args.offset, limit=args.limit)
    if args.json:
        emit_json(list(page.rows))
        return 0
    table([[o.id, o.name, o.client_name, o.client_email, o.data_center.upper(), o.licenses,
            o.attention] for o in page.rows],
          ["ID", "ORGANIZATION", "CLIENT", "E-MAIL", "DC", "LICENSES", "ATTENTION"])
    print(f"({len(page.rows)} of {page.total})")
    return 0
