"""`import` (invitations from a CSV file, with a dry run) and `export` (any list, whole, as
CSV or JSON). Both go through the desk: the verdicts are the invitation rules' own."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any

from tui.cli.common import CliError, add_json, emit_json, ident, open_desk, quote

if TYPE_CHECKING:
    from models.views import ImportPreview

EXPORT_KINDS = ("clients", "licenses", "users", "history", "attention", "alerts", "outbox")
IMPORT_HELP = """\
Check every row of a CSV file of invitations (columns e-mail, role, and optionally name and
language; a header row and the delimiter , ; tab or | are detected) and send the ok ones in
one transaction. Each row gets a line: its line number, address and verdict (ok, or why not:
invalid, duplicate, member, open, role, language, typo, outside, rate).

Exit status: 0 when at least one invitation was sent (or, with --dry-run, would be; the
refused rows are reported, not sent); 1 when none could be sent, or the license changed
between the check and the send (then nothing was sent); 2 when the file cannot be used
(missing, not a regular file, larger than 5 MB, not UTF-8)."""
EXPORT_HELP = """\
Write a whole list (not a page of it) as CSV or JSON: clients, licenses (of --org, or all),
users and history (of --license), attention (overdue and failed invitations), alerts (yours),
outbox (the mail queue). CSV cells a spreadsheet would run as a formula (= + - @) start with
an apostrophe. Without --output, a new file under the data directory's exports directory is
written (for owner and group only) and its path printed; --output - prints to stdout."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="invite people listed in a CSV file (with a dry run)",
                       description=IMPORT_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("license_id", type=ident, metavar="LICENSE_ID")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--dry-run", action="store_true",
                   help="check every row and show the verdicts; send nothing")
    add_json(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write a whole list to a CSV or JSON file",
                       description=EXPORT_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=EXPORT_KINDS, metavar="WHAT",
                   help=", ".join(EXPORT_KINDS))
    p.add_argument("--license", type=ident, metavar="ID", help="for users and history")
    p.add_argument("--org", type=ident, metavar="ID", help="for licenses: this organization's")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--bom", action="store_true",
                   help="start the CSV with a byte-order mark (Excel reads UTF-8 then)")
    p.add_argument("--output", metavar="FILE|-",
                   help="where to write (- for stdout); default: a new file under exports")
    p.set_defaults(func=cmd_export)


# import ---------------------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    from models.desk import Desk
    from models.errors import FileProblem

    try:
        data = Desk.read_import_file(args.file)
    except FileProblem as err:
        raise CliError(str(err)) from None
    desk = open_desk(args)
    if not args.dry_run:
        desk.refuse_unless("invitation.invite")
    try:
        preview = desk.preview_import(args.license_id, data)
    except FileProblem as err:
        raise CliError(f"{quote(args.file, 200)}: {err}") from None
    sent = None
    if preview.ok and not args.dry_run:
        # The check the rows were printed from is the one sent: changed meanwhile, nothing.
        sent = desk.import_invites(args.license_id, data, expected=preview)
    _report(args, preview, sent)
    return 0 if preview.ok else 1


def _report(args: argparse.Namespace, preview: ImportPreview, sent: Any) -> None:
    ids = {}
    if sent is not None:
        ids = {o.email.casefold(): o.invitation_id for o in sent.sent.outcomes}
    if args.json:
        emit_json({
            "license_id": preview.license_id, "dry_run": args.dry_run,
            "rows": [{"line": x.line, "email": x.outcome.email, "role": x.outcome.role,
                      "name": x.name, "language": x.language, "verdict": x.verdict,
                      "message": x.outcome.message, "suggestion": x.outcome.suggestion,
                      "invitation_id": ids.get(x.outcome.email.casefold())
                      if x.outcome.ok else None}
                     for x in preview.lines],
            "ok": len(preview.ok), "refused": len(preview.refused),
            "sent": len(sent.sent.invited) if sent is not None else 0,
            "seats_before": preview.seats_before, "seats_after": preview.seats_after,
        })
        return
    from models.text import printable

    width = max((len(x.verdict) for x in preview.lines), default=2)
    for x in preview.lines:
        why = "" if x.outcome.ok else f"  {printable(x.outcome.message, 300)}"
        print(f"line {x.line:>5}  {x.verdict:<{width}}  {printable(x.outcome.email, 200)}{why}")
    print(summary(preview, args.dry_run, sent is not None))


def summary(preview: ImportPreview, dry_run: bool, sent: bool) -> str:
    why = Counter(x.verdict for x in preview.refused)
    refused = (f"{len(preview.refused)} refused ("
               + ", ".join(f"{n} {v}" for v, n in why.most_common()) + ")"
               if why else "none refused")
    seats = (f"; seats {preview.seats_before} -> {preview.seats_after}"
             if preview.seats_after != preview.seats_before else "")
    rows = f"{len(preview.lines)} row(s)"
    if dry_run:
        return (f"dry run, nothing sent: {rows}, {len(preview.ok)} would be invited, "
                f"{refused}{seats}")
    if sent:
        return f"sent {len(preview.ok)} invitation(s) of {rows}; {refused}, not sent{seats}"
    return f"nothing sent: {rows}, {refused}"


# export ---------------------------------------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    output = args.output
    if args.what in ("users", "history") and args.license is None:
        raise CliError(f"export {args.what} needs --license ID")
    if args.license is not None and args.what not in ("users", "history"):
        raise CliError(f"--license is for users and history, not {args.what}")
    if args.org is not None and args.what != "licenses":
        raise CliError(f"--org is for licenses, not {args.what}")
    if args.bom and args.format != "csv":
        raise CliError("--bom is for CSV only")
    if output is not None and output != "-":
        if not output.strip() or not output.isprintable():
            raise CliError(f"--output {quote(output)} is not a file name one can type; "
                           "give another")
        output = os.path.abspath(output)
        parent = os.path.dirname(output)
        if not os.path.isdir(parent):
            raise CliError(f"--output: no directory {quote(parent, 200)}")
        if os.path.isdir(output):
            raise CliError(f"--output {quote(output, 200)} is a directory: give a file name")
    desk = open_desk(args)
    filters: dict[str, Any] = {"license_id": args.license, "organization_id": args.org}
    if output == "-":
        rows = desk.export(args.what, args.license, organization_id=args.org)
        sys.stdout.write(desk.export_text(args.what, rows, args.format, bom=args.bom))
        sys.stdout.flush()
        return 0
    done = desk.export_file(args.what, args.format, output, bom=args.bom, **filters)
    print(done.path)
    print(f"licensedesk: wrote {done.rows} row(s) of {args.what} as {done.format.upper()}",
          file=sys.stderr)
    return 0
