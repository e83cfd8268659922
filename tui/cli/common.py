"""What every subcommand shares: opening the context, the acting staff member, output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import StaffRef


class CliError(Exception):
    """A one-line message for stderr; exit status 2."""


def open_ctx(args: argparse.Namespace) -> Ctx:
    from models.context import Ctx
    from models.settings import load_settings

    settings = load_settings(staff_email=getattr(args, "as_email", None))
    return Ctx.open(settings)


def actor(ctx: Ctx) -> StaffRef:
    from models.staff import ensure_staff

    return ensure_staff(ctx)


def emit_json(value: Any) -> None:
    from models.views import to_json

    json.dump(to_json(value), sys.stdout, indent=2, ensure_ascii=False)
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


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def split_invite(text: str) -> tuple[str, str]:
    """EMAIL:ROLE; the role after the last colon."""
    email, sep, role = text.rpartition(":")
    if not sep or not email or not role:
        raise CliError(f"expected EMAIL:ROLE, got {text!r}")
    return email, role


def outcome_json(outcomes: Any) -> list[dict[str, Any]]:
    """Invite outcomes as JSON objects that carry `id` like every other listing."""
    from models.views import to_json

    return [{"id": o.invitation_id, **to_json(o)} for o in outcomes]
