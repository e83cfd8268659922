"""What every subcommand shares: argument types, opening the desk (the context bound to the
acting staff member) or, for the services, the bare context, output.

Validation at the edge: every number a person types is checked against the range its
column holds (ids and counts are BIGINT: 1 to 2**63-1) or the range that makes sense
(seats, ports), before anything is opened, so a value out of range is a usage error with
the option's name, never an OverflowError from the driver.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.context import Ctx
    from models.desk import Desk
    from models.settings import Settings
    from models.views import StaffRef

BIGINT_MAX = 2**63 - 1  # SQLite INTEGER and PostgreSQL BIGINT
MAX_SEATS = 100_000
MAX_DEMO_ORGS = 1_000_000
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)


class CliError(Exception):
    """A one-line message for stderr. Exit status 2: the command line cannot be run as
    given (usage, settings, identity); nothing was tried."""

    code = 2


def quote(value: object, limit: int = 60) -> str:
    """User text for a message: `repr`-escaped (no raw line breaks or escape sequences),
    quoted, and cut to `limit` characters."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def one_line(message: str, limit: int = 4000) -> str:
    """Whatever a message holds, one printable line: every character that is not printable
    (C0/C1 controls, U+2028/U+2029, surrogates from bytes that were not UTF-8) is escaped
    as `repr` would, so escapes already in the text stay as they are."""
    if not message.isprintable():
        message = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)
    return message if len(message) <= limit else message[: limit - 3] + "..."


def whole(lo: int | None, hi: int | None) -> Callable[[str], int]:
    """An argparse type: a whole number (ASCII digits) from `lo` to `hi`."""

    def parse(text: str) -> int:
        t = text.strip()
        if len(t) > 40 or not _WHOLE.fullmatch(t):
            raise argparse.ArgumentTypeError(f"invalid int value: {quote(text)}")
        value = int(t)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            if hi is None:
                raise argparse.ArgumentTypeError(f"{t} is too small: use {lo} or more")
            low = "" if lo is None else f"{lo} "
            raise argparse.ArgumentTypeError(f"{t} is out of range: use {low}to {hi}")
        return value

    parse.__name__ = "int"
    return parse


ident = whole(1, BIGINT_MAX)  # a row's id
limit_arg = whole(1, BIGINT_MAX)
offset_arg = whole(0, BIGINT_MAX)


def host_arg(text: str) -> str:
    """An IP address or a host name, as a listening address."""
    import ipaddress

    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    labels = text.removesuffix(".").split(".")
    if len(text) <= 253 and all(re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
                                             label, re.ASCII) for label in labels):
        return text
    raise argparse.ArgumentTypeError(f"{quote(text)} is not an IP address or host name")


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, checked (SettingsError names a bad one)."""
    from models.settings import load_settings

    settings = load_settings()
    args._settings = settings  # where an unexpected error's trace goes
    return settings


def open_ctx(args: argparse.Namespace, *, create: bool = False, staff_only: bool = True) -> Ctx:
    """Settings, database and key file, all checked, and (unless `staff_only` is off, for
    the services: worker, signup page, schema) this login on the staff. Only `db upgrade`
    and `demo-data` create a database that is not there; main() closes what this opened."""
    from models.context import Ctx

    ctx = Ctx.open(settings_for(args), create=create)
    opened: list[Ctx] = args.__dict__.setdefault("_opened", [])
    opened.append(ctx)
    if staff_only:
        actor(ctx)  # a login not on the staff reads nothing either
    return ctx


def open_desk(args: argparse.Namespace) -> Desk:
    """The desk for this login: every command that acts for a staff member goes through it
    (reads, changes, role checks). Settings, database and key file checked as `open_ctx`
    does; a login not on the staff gets NoStaffIdentity (exit 2) and reads nothing."""
    from models.desk import desk_for

    return desk_for(open_ctx(args, staff_only=False))


def actor(ctx: Ctx) -> StaffRef:
    """The acting staff member: this process's login, as the registry knows it. Nothing
    on the command line or in the environment chooses it (NoStaffIdentity: exit 2, with
    whom to ask)."""
    from models.desk import desk_for

    return desk_for(ctx).staff


def emit_json(value: Any) -> None:
    from models.views import to_json

    # \u escapes where the output cannot carry UTF-8: still valid JSON, still the same text.
    utf8 = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") == "utf8"
    json.dump(to_json(value), sys.stdout, indent=2, ensure_ascii=not utf8)
    sys.stdout.write("\n")


def fmt_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def table(rows: list[list[Any]], headers: list[str]) -> None:
    """Plain aligned columns; untrusted text has its control characters stripped."""
    from models.text import display

    cells = [[display(str(c)) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def add_paging(p: argparse.ArgumentParser, default: int) -> None:
    p.add_argument("--limit", type=limit_arg, default=default,
                   help=f"rows to show ({default}); a longer list says so on stderr")
    p.add_argument("--offset", type=offset_arg, default=0, help="rows to skip first (0)")


def fetch_page(args: argparse.Namespace, fetch: Callable[[int, int], list[Any]]) -> list[Any]:
    """`fetch(limit, offset)` for one row more than asked: a list is never cut silently.
    When more rows exist, one line on stderr says so and how to see them."""
    rows = fetch(min(args.limit + 1, BIGINT_MAX), args.offset)
    if len(rows) > args.limit:
        rows = rows[:args.limit]
        print(f"licensedesk: showing rows {args.offset + 1} to {args.offset + len(rows)}; "
              f"more follow: add --offset {args.offset + len(rows)} (or a larger --limit)",
              file=sys.stderr)
    return rows


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def add_yes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--yes", action="store_true",
                   help="confirm the addresses as typed: one a typo check questions, an "
                        "Administrator outside the organization's domains")


def split_invite(text: str) -> tuple[str, str, str | None]:
    """EMAIL:ROLE[:LANG] -> (email, role, language or None). The role is after the last colon,
    or, when a language follows, the one before it (an address holds no colon outside an IP
    literal, which ends with "]")."""
    head, sep, last = text.rpartition(":")
    if not sep or not head or not last:
        raise CliError(f"expected EMAIL:ROLE[:LANG], got {quote(text)}")
    email, sep2, role = head.rpartition(":")
    if sep2 and "@" in email and role and "@" not in role and "]" not in role:
        return email, role, last
    return head, last, None


def outcome_json(outcomes: Any) -> list[dict[str, Any]]:
    """Invite outcomes as JSON objects that carry `id` like every other listing."""
    from models.views import to_json

    return [{"id": o.invitation_id, **to_json(o)} for o in outcomes]
