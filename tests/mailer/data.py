"""Outbox contents for mail tests: through the real services, or bulk rows for load tests."""

from __future__ import annotations

from datetime import timedelta

from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.outbox import enqueue
from models.staff import ensure_staff
from models.tokens import new_token
from models.views import InviteRequest, StaffRef


def license_with_invites(
    ctx: Ctx, emails: list[str], *, org: str = "Acme Rockets", client: str = "Ann Owner",
    staff_name: str = "Sam Support", role: str = "Agent",
) -> tuple[StaffRef, int, list[int]]:
    """(inviter, license id, invitation ids) with one invitation mail queued per address."""
    staff = ensure_staff(ctx, name=staff_name)
    org_id = create_organization(ctx, staff, name=org, client_name=client,
                                 client_email="owner@acme.example")
    lic_id, result = create_license(
        ctx, staff, organization_id=org_id, product_key="helpdesk",
        invites=[InviteRequest(e, role) for e in emails])
    return staff, lic_id, [o.invitation_id or 0 for o in result.outcomes]


def bulk_mails(ctx: Ctx, n: int, **payload_extra: str) -> list[str]:
    """`n` invitation-kind rows with sealed tokens, written straight to the outbox."""
    now = ctx.now()
    payload = {
        "invitee_email": "", "role": "Agent", "role_meaning": "chats with customers",
        "organization": "Load Test Ltd", "product": "HelpDesk", "license_id": 1,
        "inviter_name": "Sam Support", "inviter_email": "sam@partner.example",
        "expires_at": (now + timedelta(days=7)).isoformat(),
    }
    with ctx.db.write() as s:
        for i in range(n):
            addr = f"user{i}@load.example"
            enqueue(s, ctx, kind="invitation", to_addr=addr, subject=f"Invitation {i}",
                    payload={**payload, "invitee_email": addr, **payload_extra}, now=now,
                    reply_to="sam@partner.example", token=new_token()[0])
    from models.outbox import list_outbox

    return [r.message_id for r in list_outbox(ctx, limit=n + 10)]
