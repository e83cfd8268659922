"""Roles are checked in the services: a refusal names the role it needs, writes nothing but
its own audit row, and reads the role from the database (not from the caller's StaffRef)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from models.context import Ctx
from models.errors import Forbidden
from models.invitations import change_role, invite, remind, resend, revoke
from models.licenses import create_license
from models.organizations import create_organization
from models.roles import NEEDS, ROLES, allowed
from models.staff import add_staff, disable, ensure_staff, set_role
from models.tables import AuditEvent, Invitation, License, Organization, Staff
from models.views import InviteRequest, StaffRef


def _counts(ctx: Ctx) -> tuple[int, ...]:
    with ctx.db.read() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (Organization, License, Invitation, Staff))


def _refusals(ctx: Ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(AuditEvent.kind == "refused")
                              .order_by(AuditEvent.id)).scalars())


@pytest.fixture
def world(ctx: Ctx) -> dict[str, Any]:
    lead = ensure_staff(ctx, "lead@partner.example", "Lee", role="lead")
    org = create_organization(ctx, lead, name="Acme", client_name="Olivia",
                              client_email="olivia@acme.example")
    lic, res = create_license(ctx, lead, organization_id=org, product_key="helpdesk",
                              invites=[InviteRequest("ann@acme.example", "Agent")])
    return {"lead": lead, "org": org, "lic": lic, "inv": res.outcomes[0].invitation_id,
            "agent": ensure_staff(ctx, "agent@partner.example", "Ag", role="agent"),
            "viewer": ensure_staff(ctx, "viewer@partner.example", "Vi", role="viewer")}


ACTIONS: dict[str, Callable[[Ctx, StaffRef, dict[str, Any]], object]] = {
    "organization.create": lambda c, a, w: create_organization(
        c, a, name="Beta", client_name="B", client_email="b@beta.example"),
    "license.create": lambda c, a, w: create_license(
        c, a, organization_id=w["org"], product_key="livechat"),
    "invitation.invite": lambda c, a, w: invite(
        c, a, w["lic"], [InviteRequest("new@acme.example", "Agent")]),
    "invitation.resend": lambda c, a, w: resend(c, a, [w["inv"]]),
    "invitation.remind": lambda c, a, w: remind(c, a, w["lic"]),
    "invitation.revoke": lambda c, a, w: revoke(c, a, [w["inv"]]),
    "invitation.change_role": lambda c, a, w: change_role(c, a, w["inv"], "Viewer"),
    "staff.manage": lambda c, a, w: add_staff(c, a, "newbie", "newbie@partner.example"),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_each_action_is_refused_below_its_role(
        ctx: Ctx, world: dict[str, Any], action: str, role: str) -> None:
    if allowed(role, action):
        ACTIONS[action](ctx, world[role], world)  # allowed: it simply works
        return
    before = _counts(ctx)
    with pytest.raises(Forbidden) as err:
        ACTIONS[action](ctx, world[role], world)
    assert f"needs the {NEEDS[action]} role" in str(err.value)
    assert _counts(ctx) == before
    assert _refusals(ctx) == [str(err.value)]


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_lead_may_do_everything(ctx: Ctx, world: dict[str, Any], action: str) -> None:
    ACTIONS[action](ctx, world["lead"], world)
    assert _refusals(ctx) == []


def test_the_role_is_read_from_the_database_not_the_callers_value(
        ctx: Ctx, world: dict[str, Any]) -> None:
    forged = replace(world["viewer"], role="lead")
    with pytest.raises(Forbidden, match="needs the lead role"):
        revoke(ctx, forged, [world["inv"]])


def test_a_disabled_lead_is_refused_at_once(ctx: Ctx, world: dict[str, Any]) -> None:
    other = ensure_staff(ctx, "second@partner.example", "Sec", role="lead")
    with ctx.db.write() as s:  # logins, as `staff add` would have given them
        for email, login in (("lead@partner.example", "lee"), ("second@partner.example", "sec")):
            row = s.execute(select(Staff).where(Staff.email == email)).scalar_one()
            row.login = login
    disable(ctx, world["lead"], "sec")
    with pytest.raises(Forbidden, match="disabled"):
        revoke(ctx, other, [world["inv"]])
    with pytest.raises(Exception, match="last lead"):
        set_role(ctx, world["lead"], "lee", "agent")


def test_the_role_table_is_ordered() -> None:
    assert ROLES == ("viewer", "agent", "lead")
    assert all(allowed("lead", a) for a in NEEDS)
    assert not any(allowed("viewer", a) for a in NEEDS)
