"""The desk: the one door from the console and the CLI into the domain.

A `Desk` is bound to the acting staff member. It offers every operation the front ends need:
reads that return frozen views, and each change as a *preview* (what would happen, with a
verdict per field and per row, writing nothing) and a *commit*. Both run the same rules, so
a form that shows the preview's verdicts never re-implements one. Every refusal is a
`DomainError` whose `fields` and `rows` say where the problem is.

Role checks: `may(action)` answers from the role the desk was bound with (to grey out a key
or refuse early with a clear message); each commit is checked again, from the role stored in
the database, inside the transaction that does it (`models.roles.acting`), so no front end
can skip it and a role changed meanwhile counts.

Every method blocks on the database: call it off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from models.context import Ctx
from models.db import unreachable
from models.products import ADMIN, PRODUCTS, Product, Role
from models.roles import NEEDS, ROLES, WORDS, allowed
from models.views import (
    ActionResult,
    AuditRow,
    ExportFile,
    ImportPreview,
    ImportResult,
    InvitationRow,
    InviteRequest,
    InviteResult,
    LicenseRow,
    LicenseSummary,
    NotificationRow,
    NotifyPrefs,
    OrgDraft,
    OrgPage,
    OrgRow,
    SinceReport,
    StaffRef,
    StaffRow,
    Terms,
    UserRow,
)

if TYPE_CHECKING:
    from models.outbox import OutboxRow
    from models.views import OpenAges, StatusHistory

__all__ = ["ADMIN", "PRODUCTS", "Desk", "Product", "Role", "claim_first_lead", "desk_for",
           "has_lead", "staff_roles", "unreachable"]


# who sits at the desk ----------------------------------------------------------------------

def desk_for(ctx: Ctx) -> Desk:
    """The desk of this process's login, as the staff registry knows it (NoStaffIdentity
    when it is not on the staff: nothing on the command line or in the environment chooses
    who acts)."""
    from models.staff import current_staff

    return Desk(ctx, current_staff(ctx))


def has_lead(ctx: Ctx) -> bool:
    from models.staff import has_lead as any_lead

    return any_lead(ctx)


def claim_first_lead(ctx: Ctx, name: str | None = None, email: str | None = None) -> Desk:
    """A database with no lead yet: this login becomes its first lead."""
    from models.staff import claim_first_lead as claim

    return Desk(ctx, claim(ctx, name, email))


def staff_roles() -> tuple[Role, ...]:
    """The staff roles, each with what it may do, from the one table in models.roles."""
    out: list[Role] = []
    for below, role in zip((None, *ROLES), ROLES, strict=False):
        gains = [WORDS[action] for action, need in NEEDS.items() if need == role]
        meaning = (f"as {_a(below)}, and: {', '.join(gains)}" if below and gains else
                   "read only: every list, license and history")
        out.append(Role(role, meaning, billable=False))
    return tuple(out)


def _a(word: str | None) -> str:
    return f"an {word}" if word and word[0] in "aeiou" else f"a {word}"


@dataclass(frozen=True)
class Desk:
    ctx: Ctx
    staff: StaffRef

    # who ---------------------------------------------------------------------------------

    def as_(self, staff: StaffRef) -> Desk:
        """The same desk for this staff member's record as it is now (after a profile or
        role change)."""
        return replace(self, staff=staff)

    def may(self, action: str) -> bool:
        """Whether the bound role allows `action` (a key of `models.roles.NEEDS`)."""
        return allowed(self.staff.role, action)

    def needs(self, action: str) -> str:
        """What `action` needs, in words: "managing staff needs the lead role"."""
        return f"{WORDS[action]} needs the {NEEDS[action]} role"

    def refuse_unless(self, action: str) -> None:
        """Refuse early, before asking anything of the person, when the bound role does not
        allow `action`: the stored role is asked as the commit would ask it, so the one line
        names the login and the refusal leaves its audit row, as the service's own refusal
        does. Nothing else is written; an allowed action costs no query."""
        if self.may(action):
            return
        from models.roles import acting

        with acting(self.ctx, self.staff, action):
            pass  # the stored role allows it after all; the commit checks it again

    # reads -------------------------------------------------------------------------------

    def clients(self, search: str = "", offset: int = 0, limit: int = 50,
                with_total: bool = True) -> OrgPage:
        from models.queries import list_orgs

        return list_orgs(self.ctx, search, offset, limit, with_total=with_total)

    def organization(self, org_id: int) -> OrgRow:
        from models.queries import get_org

        return get_org(self.ctx, org_id)

    def licenses(self, org_id: int) -> list[LicenseRow]:
        from models.queries import list_licenses

        return list_licenses(self.ctx, org_id)

    def license(self, license_id: int) -> LicenseRow:
        from models.queries import get_license

        return get_license(self.ctx, license_id)

    def find_licenses(self, text: str, limit: int = 20) -> list[LicenseRow]:
        from models.queries import find_licenses

        return find_licenses(self.ctx, text, limit=limit)

    def summary(self, license_id: int) -> LicenseSummary:
        from models.queries import license_summary

        return license_summary(self.ctx, license_id)

    def users(self, license_id: int, status: str | None = None) -> list[UserRow]:
        from models.queries import license_users

        return license_users(self.ctx, license_id, status)

    def history(self, license_id: int, limit: int = 500) -> list[AuditRow]:
        from models.queries import license_history

        return license_history(self.ctx, license_id, limit)

    def license_version(self, license_id: int) -> int:
        """Changes when anything shown about the license changes (for a cheap poll)."""
        from models.queries import license_version

        return license_version(self.ctx, license_id)

    def invitations(self, license_id: int | None = None, status: str | None = None,
                    limit: int = 1000, offset: int = 0) -> list[InvitationRow]:
        from models.queries import list_invitations

        return list_invitations(self.ctx, license_id, status, limit, offset)

    def attention(self, limit: int = 500) -> list[InvitationRow]:
        from models.queries import needs_attention

        return needs_attention(self.ctx, limit)

    def remindable(self, license_id: int) -> int:
        from models.invitations import remindable_count

        return remindable_count(self.ctx, license_id)

    def staff_list(self) -> list[StaffRow]:
        from models.staff import staff_rows

        return staff_rows(self.ctx)

    # my alerts ---------------------------------------------------------------------------

    def alerts(self, *, unread_only: bool = False, limit: int = 200) -> list[NotificationRow]:
        from models.notifications import list_notifications

        return list_notifications(self.ctx, self.staff.id, unread_only=unread_only,
                                  limit=limit)

    def alerts_after(self, after_id: int) -> tuple[list[NotificationRow], int]:
        """New alerts since `after_id` (oldest first) and the unread count."""
        from models.notifications import notifications_after, unread_count

        return (notifications_after(self.ctx, self.staff.id, after_id),
                unread_count(self.ctx, self.staff.id))

    def alerts_mark(self) -> tuple[int, int]:
        """The newest alert's id and the unread count: where a console starts watching."""
        from models.notifications import latest_notification_id, unread_count

        return (latest_notification_id(self.ctx, self.staff.id),
                unread_count(self.ctx, self.staff.id))

    def mark_read(self, ids: list[int] | None = None) -> int:
        from models.notifications import mark_read

        return mark_read(self.ctx, self.staff.id, ids)

    # organizations -----------------------------------------------------------------------

    def preview_org(self, *, name: str, client_name: str, client_email: str,
                    data_center: str = "us") -> OrgDraft:
        """The fields as they would be stored, or a DomainError with `fields` set."""
        from models.organizations import check_org

        return check_org(name=name, client_name=client_name, client_email=client_email,
                         data_center=data_center)

    def create_org(self, *, name: str, client_name: str, client_email: str,
                   data_center: str = "us") -> OrgRow:
        from models.organizations import create_organization
        from models.queries import get_org

        org_id = create_organization(self.ctx, self.staff, name=name, client_name=client_name,
                                     client_email=client_email, data_center=data_center)
        return get_org(self.ctx, org_id)

    # licenses ----------------------------------------------------------------------------

    def preview_terms(self, *, product_key: str, paid: bool, trial_days: int | str | None = 14,
                      plan: str | None = None, seats: int | str | None = None,
                      payer: str = "partner", data_center: str | None = None) -> Terms:
        """Terms as typed (counts may be text) checked, or a DomainError with `fields` set:
        product, trial_days, plan, seats, payer, data_center."""
        from models.licenses import check_terms

        return check_terms(product_key=product_key, paid=paid, trial_days=trial_days,
                           plan=plan, seats=seats, payer=payer, data_center=data_center)

    def preview_license(self, organization_id: int, terms: Terms,
                        invites: Sequence[InviteRequest] = (),
                        add_me: bool = False) -> InviteResult:
        """Per invitation row what creating the license would do, and the seat change."""
        from models.licenses import preview_license

        return preview_license(self.ctx, self.staff, organization_id=organization_id,
                               terms=terms, invites=invites, add_me=add_me)

    def create_license(self, organization_id: int, terms: Terms,
                       invites: Sequence[InviteRequest] = (),
                       add_me: bool = False) -> tuple[int, InviteResult]:
        """The license, its owner, invitations and their mails in one transaction, or
        nothing (a DomainError; per-row problems in `rows`)."""
        from models.licenses import create_license

        return create_license(
            self.ctx, self.staff, organization_id=organization_id,
            product_key=terms.product_key, trial_days=terms.trial_days, paid=terms.paid,
            plan=terms.plan, seats=terms.seats, payer=terms.payer,
            data_center=terms.data_center, invites=invites, add_me=add_me)

    # invitations -------------------------------------------------------------------------

    def preview_invites(self, license_id: int, rows: Sequence[InviteRequest],
                        add_me: bool = False) -> InviteResult:
        from models.invitations import preview_invites

        return preview_invites(self.ctx, self.staff, license_id, rows, add_me)

    def invite(self, license_id: int, rows: Sequence[InviteRequest],
               add_me: bool = False) -> InviteResult:
        from models.invitations import invite

        return invite(self.ctx, self.staff, license_id, rows, add_me)

    def resend(self, ids: Sequence[int]) -> ActionResult:
        from models.invitations import resend

        return resend(self.ctx, self.staff, ids)

    def remind(self, license_id: int) -> ActionResult:
        from models.invitations import remind

        return remind(self.ctx, self.staff, license_id)

    def revoke(self, ids: Sequence[int]) -> ActionResult:
        from models.invitations import revoke

        return revoke(self.ctx, self.staff, ids)

    def change_role(self, invitation_id: int, role: str) -> str:
        from models.invitations import change_role

        return change_role(self.ctx, self.staff, invitation_id, role)

    # staff -------------------------------------------------------------------------------

    def add_staff(self, login: str, email: str, name: str | None = None,
                  role: str = "agent") -> StaffRef:
        from models.staff import add_staff

        return add_staff(self.ctx, self.staff, login, email, name, role)

    def set_role(self, login: str, role: str) -> StaffRef:
        from models.staff import set_role

        return set_role(self.ctx, self.staff, login, role)

    def disable_staff(self, login: str) -> StaffRef:
        from models.staff import disable

        return disable(self.ctx, self.staff, login)

    def update_me(self, name: str | None = None, email: str | None = None) -> StaffRef:
        from models.staff import update_me

        return update_me(self.ctx, self.staff, name, email)

    # for the CLI -------------------------------------------------------------------------

    def outbox(self, status: str | None = None, limit: int = 200,
               offset: int = 0) -> list[OutboxRow]:
        """The mail queue, newest first: recipient, attempts, next attempt, last error."""
        from models.outbox import list_outbox

        return list_outbox(self.ctx, status=status, limit=limit, offset=offset)

    def load_demo(self, *, orgs: int, seed: int) -> dict[str, int]:
        """Demo organizations, licenses and invitations (rows written per table); a lead's
        action, checked from the stored role (and a refusal audited) before anything is
        written."""
        from models.demo import make_demo_data

        self.refuse_unless("demo.load")
        return make_demo_data(self.ctx, orgs=orgs, seed=seed)

    # links by hand, client domains, languages (issue 12) ------------------------------------

    def hand_over_link(self, invitation_id: int) -> tuple[str, InvitationRow]:
        """A fresh link for an open or expired invitation, for staff to hand over another
        way: (the link, the invitation as it now is). The earlier link stops working; it
        counts as a send; audited as "link handed over by …". Show the link to the person
        who asked; never log it."""
        from models.handover import hand_over_link

        return hand_over_link(self.ctx, self.staff, invitation_id)

    def domains(self, org_id: int) -> tuple[str, ...]:
        """The organization's own mail domains, sorted (A-labels)."""
        from models.domains import domains

        return domains(self.ctx, org_id)

    def add_domain(self, org_id: int, domain: str) -> str:
        """Add a domain (audited); returns its stored form."""
        from models.domains import add_domain

        return add_domain(self.ctx, self.staff, org_id, domain)

    def remove_domain(self, org_id: int, domain: str) -> str:
        """Remove a domain (audited); returns its stored form."""
        from models.domains import remove_domain

        return remove_domain(self.ctx, self.staff, org_id, domain)

    @staticmethod
    def languages() -> dict[str, str]:
        """The invitees' languages: code -> the language's own name, in picker order."""
        from models.languages import LANGUAGES

        return dict(LANGUAGES)

    @staticmethod
    def check_language(raw: str) -> str:
        """A typed language's code (``pt-br`` -> ``pt_BR``), or a DomainError naming the
        choices."""
        from models.languages import check_language

        return check_language(raw)

    def org_language(self, org_id: int) -> str:
        """The organization's default language for its invitees."""
        from models.organizations import language_of

        return language_of(self.ctx, org_id)

    def set_org_language(self, org_id: int, language: str) -> str:
        """Set the organization's default language (audited); returns its code."""
        from models.organizations import set_language

        return set_language(self.ctx, self.staff, org_id, language)

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
