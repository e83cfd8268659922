"""The desk at volume (issue 13): import and export, automatic reminders, the digest,
charts. Built on the changes (an import is invitations). Mixed into `models.desk.Desk`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from models.desk_changes import Changes
from models.views import (
    ExportFile,
    ImportPreview,
    ImportResult,
    InvitationRow,
    NotifyPrefs,
    SinceReport,
)

if TYPE_CHECKING:
    from models.views import OpenAges, StatusHistory


class Volume(Changes):
    # import and export (issue 13) ---------------------------------------------------------------

    @staticmethod
    def read_import_file(path: str) -> bytes:
        """A file to import, read safely (no FIFO hangs, no device, no endless file): a
        FileProblem says why it cannot be used."""
        from models.csv_import import read_file

        return read_file(path)

    def preview_import(self, license_id: int, data: bytes) -> ImportPreview:
        """Every row of a CSV file of invitations with its line and verdict (the invitation
        rules' own, as `preview_invites` gives them), and the seat change of the whole file.
        A file that cannot be read as a whole is an ImportProblem saying why and where."""
        from models.csv_import import read_invite_file
        from models.transfer import preview_of, requests_of

        rows = read_invite_file(data)
        return preview_of(license_id, rows,
                          self.preview_invites(license_id, requests_of(rows)))

    def import_invites(self, license_id: int, data: bytes,
                       expected: ImportPreview | None = None) -> ImportResult:
        """Send the file's ok rows in one transaction (through `invite`) and report the rest.
        Nothing is written when nothing is ok, when `expected` (the check the person saw) no
        longer holds, or when anything changed before the transaction (InviteRefused)."""
        from models.errors import InviteRefused, Refused
        from models.transfer import sent_as_checked

        preview = self.preview_import(license_id, data)
        if expected is not None and not sent_as_checked(expected, preview):
            raise Refused("nothing sent: the license changed since the file was checked; "
                          "check it again")
        if not preview.ok:
            raise InviteRefused(f"nothing sent: none of the {len(preview.lines)} row(s) can "
                                "be invited", tuple(x.outcome for x in preview.lines))
        try:
            sent = self.invite(license_id, preview.requests())
        except InviteRefused as err:
            raise InviteRefused("nothing sent: the license changed since the file was "
                                f"checked ({err}); check it again", err.outcomes) from None
        return ImportResult(preview, sent)

    def exports_dir(self) -> str:
        """Where exports go unless a path is given: `<data directory>/exports`."""
        from models.transfer import exports_dir

        return str(exports_dir(self.ctx))

    def export(self, what: str, license_id: int | None = None, *,
               organization_id: int | None = None, search: str = "",
               status: str | None = None, unread_only: bool = False) -> list[Any]:
        """Every row of a list (clients, licenses, users, history, attention, alerts,
        outbox) as its views, with the screen's filter, not one page of it."""
        from models.transfer import export_rows

        return export_rows(self.ctx, self.staff, what, license_id=license_id,
                           organization_id=organization_id, search=search, status=status,
                           unread_only=unread_only)

    def export_text(self, what: str, rows: Sequence[Any], fmt: str = "csv", *,
                    bom: bool = False) -> str:
        """`rows` of list `what` as CSV (formulas neutralized) or JSON text."""
        from models.transfer import render_rows

        return render_rows(what, rows, fmt, bom=bom)

    def export_file(self, what: str, fmt: str = "csv", path: str | None = None, *,
                    bom: bool = False, license_id: int | None = None,
                    organization_id: int | None = None, search: str = "",
                    status: str | None = None, unread_only: bool = False) -> ExportFile:
        """A whole list written to `path` (relative: under the exports directory; none: a new
        file there named after the list and the time), for owner and group only."""
        from models.transfer import write_rows

        rows = self.export(what, license_id, organization_id=organization_id, search=search,
                           status=status, unread_only=unread_only)
        label = (f"{what}-license{license_id}" if license_id is not None else
                 f"{what}-org{organization_id}" if organization_id is not None else what)
        return write_rows(self.ctx, what, rows, fmt, path, bom=bom, label=label)

    # reminders and the digest (issue 13) -------------------------------------------------------

    def auto_remind(self, license_id: int) -> bool:
        """Whether the license's invitees get automatic reminders (LICENSEDESK_AUTO_REMIND)."""
        from models.reminders import auto_remind_of

        return auto_remind_of(self.ctx, license_id)

    def set_auto_remind(self, license_id: int, on: bool) -> bool:
        """Opt the license in or out of automatic reminders (audited)."""
        from models.reminders import set_auto_remind

        return set_auto_remind(self.ctx, self.staff, license_id, on)

    def auto_remind_schedule(self) -> tuple[timedelta, ...]:
        """The ages of each send at which reminders go (empty: automatic reminders off)."""
        return self.ctx.settings.auto_remind

    def auto_remind_words(self) -> str:
        """The schedule as a person says it: "24 hours, 3 days" ("" when off)."""
        from models.notifications import in_words

        return ", ".join(in_words(a) for a in self.ctx.settings.auto_remind)

    @staticmethod
    def parse_span(text: str) -> timedelta:
        """A span as typed ("24h", "90m", "7d"): ValueError saying what would be accepted."""
        from models.timeutil import parse_duration

        span = parse_duration(text)
        if span <= timedelta(0) or span > timedelta(days=3650):
            raise ValueError(f"{text!r}: give a span from 1s to 3650d (e.g. 24h)")
        return span

    def notify_prefs(self) -> NotifyPrefs:
        from models.digest import get_prefs

        return get_prefs(self.ctx, self.staff.id)

    def set_notify(self, notify: str | None = None, digest_hour: int | str | None = None,
                   digest_zone: str | None = None) -> NotifyPrefs:
        """How I hear of accepted, overdue and failed invitations: each, digest or none."""
        from models.digest import set_prefs

        return set_prefs(self.ctx, self.staff, notify, digest_hour, digest_zone)

    @staticmethod
    def check_notify(notify: str | None = None, digest_hour: int | str | None = None,
                     digest_zone: str | None = None) -> None:
        """Refuse bad preferences as `set_notify` would, writing nothing."""
        from models.digest import check_prefs

        check_prefs(notify, digest_hour, digest_zone)

    def welcome(self) -> SinceReport:
        """What changed since I last had the console open; the console is open from now."""
        from models.digest import welcome

        return welcome(self.ctx, self.staff.id)

    def seen(self) -> None:
        """The console is still open (now and then, and on the way out)."""
        from models.digest import seen

        seen(self.ctx, self.staff.id)

    def digest(self, since: timedelta) -> SinceReport:
        """What happened to my invitations in the last `since`."""
        from models.digest import report

        return report(self.ctx, self.staff.id, since)

    # charts (issue 13) ---------------------------------------------------------------------------

    def status_history(self, license_id: int, days: int = 30) -> StatusHistory:
        """The license's invitation events (sent, accepted, overdue, failed) a UTC day, for
        the last `days` days up to today."""
        from models.charts import status_history

        return status_history(self.ctx, license_id, days)

    def open_ages(self) -> OpenAges:
        """The open invitations by the age of their last send, in three buckets."""
        from models.charts import open_ages

        return open_ages(self.ctx)

    def open_aged(self, bucket: int, limit: int = 500) -> list[InvitationRow]:
        """One age bucket's open invitations (1, 2 or 3 of `open_ages`), oldest send first."""
        from models.charts import open_aged

        return open_aged(self.ctx, bucket, limit)
