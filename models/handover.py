"""A link by hand: a fresh signup link for an open invitation, given to staff instead of
mailed, for an invitee whose mail never arrives or whose link a scanner used up.

It counts as a send: the token is rotated (only its hash is stored; the earlier link stops
working), the 48 hours and the expiry start again, times_sent and send_no grow and the
invitation is pending again. No mail is queued. The audit row, written in the same
transaction, says "link handed over by <staff>"; the link itself is returned to the caller
and never written anywhere else (no log, no audit detail, no outbox row).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.audit import record
from models.context import Ctx
from models.errors import NotFound, Refused
from models.outbox import cancel_queued
from models.products import PRODUCTS, RESENDABLE_STATUSES
from models.roles import acting
from models.settings import Settings
from models.tables import Invitation, License, Organization, Staff
from models.tokens import new_token
from models.views import InvitationRow, StaffRef

# An `auto_reminded` step past every schedule (at most ten steps): no automatic reminder.
NO_AUTO_REMINDERS = 1000


def signup_link(settings: Settings, token: str) -> str:
    """The invitee's link for a token: the one place it is built (mails use it too)."""
    return settings.signup_url + token


def hand_over_link(ctx: Ctx, actor: StaffRef, invitation_id: int) -> tuple[str, InvitationRow]:
    """(the new link, the invitation as it now is). Refused for an accepted or revoked
    invitation; role-checked like a resend."""
    now = ctx.now()
    try:
        with acting(ctx, actor, "invitation.resend") as s:
            inv = s.get(Invitation, invitation_id)
            if inv is None:
                raise NotFound(f"no invitation with id {invitation_id}")
            if inv.status not in RESENDABLE_STATUSES:
                raise Refused(
                    f"{inv.email} is {inv.status}: only an open or expired invitation "
                    "(pending, overdue, failed or expired) can get a new link")
            token, digest = new_token()
            inv.token_hash = digest
            inv.status = "pending"
            inv.failed_reason = None
            inv.send_no += 1
            inv.times_sent += 1
            inv.sent_at = now
            # Handed over because mail does not reach this person: an automatic reminder would
            # issue yet another link and kill this one, so none follows this send.
            inv.auto_reminded = NO_AUTO_REMINDERS
            inv.overdue_at = now + ctx.settings.overdue_after
            inv.expires_at = now + ctx.settings.invite_expiry
            s.add(inv)
            s.flush()
            # A mail still waiting would carry the link that just died.
            cancel_queued(s, inv.id or 0, "its link was replaced by one handed over by hand")
            record(s, now, actor.email, "invitation.handed_over",
                   f"link handed over by {actor.name or actor.email} for {inv.email} "
                   f"as {inv.role} (send #{inv.send_no}); no mail sent",
                   organization_id=inv.organization_id, license_id=inv.license_id,
                   invitation_id=inv.id)
            row = _row(s, inv)
    except IntegrityError:
        raise Refused("this address was invited again since this invitation expired; "
                      "hand over the newer invitation's link instead") from None
    return signup_link(ctx.settings, token), row


def _row(s: Session, inv: Invitation) -> InvitationRow:
    org = s.get(Organization, inv.organization_id)
    lic = s.get(License, inv.license_id)
    by = s.get(Staff, inv.invited_by) if inv.invited_by else None
    assert org is not None and lic is not None
    return InvitationRow(
        id=inv.id or 0, license_id=inv.license_id, organization_id=inv.organization_id,
        organization=org.name, product=PRODUCTS[lic.product].label, email=inv.email,
        role=inv.role, status=inv.status, invited_by=by.email if by else "",
        sent_at=inv.sent_at, times_sent=inv.times_sent, overdue_at=inv.overdue_at,
        expires_at=inv.expires_at, accepted_at=inv.accepted_at,
        failed_reason=inv.failed_reason,
    )
