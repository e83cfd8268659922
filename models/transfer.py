"""Import and export (issue 13): a spreadsheet of invitations checked and sent through the
invitation rules, and every list the console shows written out whole.

The verdicts of an import are `invitations.plan_invites`'s (through the desk's
`preview_invites`), never a second copy of its rules; this module only pairs them with the
file's lines. An export reads the same queries the screens read, all rows rather than a page,
and writes through `models.export` (formulas neutralized, the file for owner and group only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.csv_import import ImportRow
from models.errors import Refused
from models.views import (
    AuditRow,
    ExportFile,
    ImportLine,
    ImportPreview,
    InvitationRow,
    InviteRequest,
    InviteResult,
    LicenseRow,
    NotificationRow,
    OrgRow,
    UserRow,
)

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import StaffRef

# What can be exported, each with the view its rows are (the CSV's columns, even when empty).
KINDS: dict[str, str] = {
    "clients": "client organizations (the filter, when one is given)",
    "licenses": "an organization's licenses (every license without one)",
    "users": "a license's accounts and invitations",
    "history": "a license's audit trail, newest first",
    "attention": "overdue and failed invitations, oldest first",
    "alerts": "your notifications",
    "outbox": "the mail queue, newest first",
}
_ALL = 2**62  # "no limit" for the queries that take one
_PAGE = 10_000  # invitations are read in pages: an IN list of 100,000 ids is too long


def requests_of(rows: Sequence[ImportRow]) -> list[InviteRequest]:
    return [InviteRequest(r.email, r.role, language=r.language or None) for r in rows]


def preview_of(license_id: int, rows: Sequence[ImportRow], result: InviteResult) -> ImportPreview:
    """The file's rows beside the invitation rules' outcome for each (in order)."""
    lines = tuple(ImportLine(r.line, r.name, r.language, o)
                  for r, o in zip(rows, result.outcomes, strict=True))
    return ImportPreview(license_id, lines, result.seats_before, result.seats_after,
                         result.billable_before, result.billable_after)


def sent_as_checked(expected: ImportPreview, now: ImportPreview) -> bool:
    """Whether the file would still send exactly the rows the person saw as ok."""
    def key(p: ImportPreview) -> list[tuple[int, str, str]]:
        return [(x.line, x.outcome.email.casefold(), x.outcome.role) for x in p.ok]

    return expected.license_id == now.license_id and key(expected) == key(now)


def _columns(what: str) -> list[str]:
    from models.outbox import OutboxRow

    view: Any = {"clients": OrgRow, "licenses": LicenseRow, "users": UserRow,
                 "history": AuditRow, "attention": InvitationRow,
                 "alerts": NotificationRow, "outbox": OutboxRow}[what]
    return [f.name for f in fields(view)]


def check_kind(what: str) -> None:
    if what not in KINDS:
        raise Refused(f"cannot export {what[:30]!r}; choose {', '.join(KINDS)}")


def export_rows(ctx: Ctx, staff: StaffRef, what: str, *, license_id: int | None = None,
                organization_id: int | None = None, search: str = "",
                status: str | None = None, unread_only: bool = False) -> list[Any]:
    """Every row of a list, as its screen shows it (with its filter), not one page."""
    check_kind(what)
    if what in ("users", "history") and license_id is None:
        raise Refused(f"exporting {what} needs a license: give its id")
    if what == "clients":
        from models.queries import list_orgs

        return list(list_orgs(ctx, search, 0, _ALL, with_total=False).rows)
    if what == "licenses":
        from models.queries import find_licenses, get_org, list_licenses

        if organization_id is None:
            return find_licenses(ctx, "", limit=_ALL)
        get_org(ctx, organization_id)  # NotFound for an id that is not there
        return list_licenses(ctx, organization_id)
    if what in ("users", "history"):
        from models.queries import get_license, license_history, license_users

        assert license_id is not None
        get_license(ctx, license_id)
        if what == "users":
            return license_users(ctx, license_id, status)
        return license_history(ctx, license_id, _ALL)
    if what == "attention":
        return _attention(ctx)
    if what == "alerts":
        from models.notifications import list_notifications

        return list_notifications(ctx, staff.id, unread_only=unread_only, limit=_ALL)
    from models.outbox import list_outbox

    return list_outbox(ctx, status=status, limit=_ALL)


def _attention(ctx: Ctx) -> list[InvitationRow]:
    """Every overdue or failed invitation, oldest send first (as Needs attention orders)."""
    from models.products import NEEDS_ATTENTION_STATUSES
    from models.queries import list_invitations

    rows: list[InvitationRow] = []
    for status in NEEDS_ATTENTION_STATUSES:
        offset = 0
        while True:
            page = list_invitations(ctx, None, status, _PAGE, offset)
            rows += page
            offset += len(page)
            if len(page) < _PAGE:
                break
    return sorted(rows, key=lambda r: (r.sent_at, r.id))


def render_rows(what: str, rows: Sequence[Any], fmt: str, *, bom: bool = False) -> str:
    from models.export import FORMATS, to_csv, to_json_text

    if fmt not in FORMATS:
        raise Refused(f"format must be one of {', '.join(FORMATS)}, not {fmt[:20]!r}")
    return to_csv(rows, _columns(what), bom=bom) if fmt == "csv" else to_json_text(rows)


def exports_dir(ctx: Ctx) -> Path:
    return Path(ctx.settings.data_dir) / "exports"


def write_rows(ctx: Ctx, what: str, rows: Sequence[Any], fmt: str, path: str | Path | None,
               *, bom: bool = False, label: str = "") -> ExportFile:
    """Write `rows` to `path` (a relative one under the exports directory), or to a new file
    there named after the list and the time."""
    from models.export import default_path, write_private

    text = render_rows(what, rows, fmt, bom=bom)
    if path is None or not str(path).strip():
        target = default_path(exports_dir(ctx), label or what, fmt, ctx.now())
        n = 1
        while target.exists():  # two exports in one second each keep their own file
            n += 1
            target = target.with_name(f"{target.stem.split('~')[0]}~{n}{target.suffix}")
    else:
        target = Path(str(path).strip()).expanduser()
        if not target.is_absolute():
            target = exports_dir(ctx) / target
    if target.is_dir():
        raise Refused(f"{str(target)[:200]} is a directory: give a file name")
    team = _check_target(ctx, target)
    # In the team's data directory the group shares it, as it shares the database;
    # anywhere else (a home, /tmp) it is the owner's alone.
    written = write_private(target, text, 0o640 if team else 0o600)
    return ExportFile(str(written), len(rows), fmt)


def _check_target(ctx: Ctx, target: Path) -> bool:
    """Refuse a path that would replace the database, its key or anything else of the data
    directory but its exports (`../licensedesk.db.key` typed as an export's name would lock
    the whole team out); True when the file lands in the team's exports directory."""
    real = target.parent.resolve() / target.name
    data = Path(ctx.settings.data_dir).resolve()
    exports = exports_dir(ctx).resolve()
    url = ctx.settings.resolved_database_url
    db = Path(url.removeprefix("sqlite:///")).resolve() if url.startswith("sqlite:///") else None
    own = {ctx.settings.resolved_secret_file.resolve()}
    if db is not None:
        own |= {db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", "-journal"))}
    if real in own or (real.is_relative_to(data) and not real.is_relative_to(exports)):
        raise Refused(f"{str(target)[:200]} is one of licensedesk's own files or inside its "
                      f"data directory: export under {exports} or elsewhere")
    return real.is_relative_to(exports)
