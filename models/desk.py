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
from typing import TYPE_CHECKING

from models.context import Ctx
from models.db import unreachable
from models.products import ADMIN, PRODUCTS, Product, Role
from models.roles import NEEDS, ROLES, WORDS, allowed
from models.views import (
    ActionResult,
    AuditRow,
    InvitationRow,
    InviteRequest,
    InviteResult,
    LicenseRow,
    LicenseSummary,
    NotificationRow,
    OrgDraft,
    OrgPage,
    OrgRow,
    StaffRef,
    StaffRow,
    Terms,
    UserRow,
)

if TYPE_CHECKING:
    from models.outbox import OutboxRow

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

    # import and export (issue 13) ---------------------------------------------------------------

    # reminders and the digest (issue 13) -------------------------------------------------------

    # charts (issue 13) ---------------------------------------------------------------------------
