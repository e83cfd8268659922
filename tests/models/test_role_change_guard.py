"""Changing a role is no way around the domain guard (found by the attack on issue 12): an
Agent outside the client's domains made Administrator needs the same confirmation an invite
as Administrator needs, and the confirmation is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.context import Ctx
from models.errors import NeedsConfirmation
from models.invitations import change_role, invite
from models.licenses import create_license
from models.organizations import create_organization
from models.tables import AuditEvent, Invitation
from models.views import InviteRequest, StaffRef


@pytest.fixture
def lic(ctx: Ctx, staff: StaffRef) -> int:
    org = create_organization(ctx, staff, name="Acme", client_name="Ann",
                              client_email="ann@acme.example")
    lic, _ = create_license(ctx, staff, organization_id=org, product_key="livechat")
    return lic


def _invite(ctx: Ctx, staff: StaffRef, lic: int, email: str) -> int:
    (done,) = invite(ctx, staff, lic, [InviteRequest(email, "Agent")]).invited
    return done.invitation_id or 0


def _confirmations(ctx: Ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(
            AuditEvent.kind == "invitation.confirmed")).scalars())


@pytest.mark.parametrize("email", ["outsider@evil.example", "x@ACME.example.evil.example",
                                   "y@xn--cme-5cd.example"])
def test_outside_agent_to_administrator_needs_a_confirmation(
        ctx: Ctx, staff: StaffRef, lic: int, email: str) -> None:
    inv = _invite(ctx, staff, lic, email)
    with pytest.raises(NeedsConfirmation, match="outside Acme's domains"):
        change_role(ctx, staff, inv, "administrator")
    with ctx.db.read() as s:
        assert s.get(Invitation, inv).role == "Agent"  # type: ignore[union-attr]
    assert _confirmations(ctx) == []
    assert change_role(ctx, staff, inv, "Administrator", confirmed=True) == "Administrator"
    (said,) = _confirmations(ctx)
    assert "confirmed" in said and "outside the organization's domains" in said


def test_inside_the_domains_or_another_role_asks_nothing(ctx: Ctx, staff: StaffRef,
                                                          lic: int) -> None:
    inside = _invite(ctx, staff, lic, "bo@acme.example")
    sub = _invite(ctx, staff, lic, "cy@eu.acme.example")
    assert change_role(ctx, staff, inside, "Administrator") == "Administrator"
    assert change_role(ctx, staff, sub, "Administrator") == "Administrator"
    outside = _invite(ctx, staff, lic, "dee@elsewhere.example")
    assert change_role(ctx, staff, outside, "Agent") == "Agent"
    assert _confirmations(ctx) == []
