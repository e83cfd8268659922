"""`org add`, `org list`, `org domains`, `org language`."""

from __future__ import annotations

import argparse

from models.products import DATA_CENTERS
from tui.cli.common import (
    CliError,
    add_json,
    emit_json,
    ident,
    limit_arg,
    offset_arg,
    open_desk,
    table,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    org = sub.add_parser("org", help="client organizations")
    osub = org.add_subparsers(dest="org_command", metavar="ACTION", required=True)
    add = osub.add_parser("add", help="create an organization")
    add.add_argument("--name", required=True)
    add.add_argument("--client-name", required=True)
    add.add_argument("--client-email", required=True)
    add.add_argument("--data-center", default="us", choices=DATA_CENTERS)
    add.add_argument("--language", default=None, metavar="LANG",
                     help="its invitees' language: en, de, fr, es, pl, pt_BR (en)")
    add_json(add)
    add.set_defaults(func=cmd_add)
    ls = osub.add_parser("list", help="list organizations")
    ls.add_argument("--search", default="", help="filter by name, client name or e-mail")
    ls.add_argument("--limit", type=limit_arg, default=100, help="rows to show (100)")
    ls.add_argument("--offset", type=offset_arg, default=0, help="rows to skip first (0)")
    add_json(ls)
    ls.set_defaults(func=cmd_list)
    dom = osub.add_parser("domains", help="an organization's own mail domains")
    dom.add_argument("org_id", type=ident, metavar="ORG_ID")
    dom.add_argument("action", nargs="?", default="list", choices=("list", "add", "remove"))
    dom.add_argument("domain", nargs="?", metavar="DOMAIN")
    add_json(dom)
    dom.set_defaults(func=cmd_domains)
    lang = osub.add_parser("language", help="show or set an organization's default language")
    lang.add_argument("org_id", type=ident, metavar="ORG_ID")
    lang.add_argument("language", nargs="?", metavar="LANG")
    add_json(lang)
    lang.set_defaults(func=cmd_language)


def cmd_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    desk.refuse_unless("organization.create")
    language = desk.check_language(args.language) if args.language is not None else None
    desk.preview_org(name=args.name, client_name=args.client_name,
                     client_email=args.client_email, data_center=args.data_center)
    org = desk.create_org(name=args.name, client_name=args.client_name,
                          client_email=args.client_email, data_center=args.data_center)
    if language is not None:
        desk.set_org_language(org.id, language)
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


def cmd_domains(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    if args.action == "list":
        if args.domain is not None:
            raise CliError("org domains ORG_ID list takes no DOMAIN")
        found = desk.domains(args.org_id)
        if args.json:
            emit_json({"id": args.org_id, "domains": list(found)})
        else:
            for d in found:
                print(d)
        return 0
    if args.domain is None:
        raise CliError(f"org domains ORG_ID {args.action} needs a DOMAIN")
    desk.refuse_unless("organization.domains")
    change = desk.add_domain if args.action == "add" else desk.remove_domain
    key = change(args.org_id, args.domain)
    if args.json:
        emit_json({"id": args.org_id, "domain": key, "action": args.action,
                   "domains": list(desk.domains(args.org_id))})
    else:
        print(f"{'added' if args.action == 'add' else 'removed'} {key}")
    return 0


def cmd_language(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    if args.language is None:
        code = desk.org_language(args.org_id)
    else:
        desk.refuse_unless("organization.language")
        code = desk.set_org_language(args.org_id, args.language)
    if args.json:
        emit_json({"id": args.org_id, "language": code, "name": desk.languages()[code]})
    else:
        print(code)
    return 0
