"""The desk's changes: organizations, licenses, invitations and staff, each a preview and
a commit. Mixed into `models.desk.Desk`."""

from __future__ import annotations

from collections.abc import Sequence

from models.desk_seat import Seat
from models.views import (
    ActionResult,
    InviteRequest,
    InviteResult,
    OrgDraft,
    OrgRow,
    StaffRef,
    Terms,
)


class Changes(Seat):
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

    def change_role(self, invitation_id: int, role: str, confirmed: bool = False) -> str:
        """NeedsConfirmation when it makes someone outside the client's domains an
        Administrator: ask, then call again with `confirmed` (audited)."""
        from models.invitations import change_role

        return change_role(self.ctx, self.staff, invitation_id, role, confirmed)

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
