"""Needs attention: overdue and failed invitations merged, oldest send first, limit kept."""

from __future__ import annotations

from datetime import timedelta

from models.context import Ctx
from models.licenses import create_license
from models.organizations import create_organization
from models.outbox import claim, mark_failed
from models.queries import needs_attention
from models.scans import scan_overdue
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef


def test_overdue_and_failed_interleave_by_send_time(ctx: Ctx, staff: StaffRef,
                                                     clock: FixedClock) -> None:
    org = create_organization(ctx, staff, name="Acme", client_name="Ann",
                              client_email="ann@acme.example")
    sent: dict[str, int] = {}
    for n in range(6):
        _lic, res = create_license(ctx, staff, organization_id=org, product_key="helpdesk",
                                   invites=[InviteRequest(f"u{n}@acme.example", "Agent")])
        sent[f"u{n}@acme.example"] = res.outcomes[0].invitation_id or 0
        clock.advance(timedelta(minutes=10))
    # u1 and u4 bounce; the rest go overdue.
    for mail in claim(ctx, "test", limit=50):
        if mail.to_addr in ("u1@acme.example", "u4@acme.example"):
            assert mark_failed(ctx, mail.id, "test", "550 no such user")
    clock.advance(timedelta(hours=49))
    assert scan_overdue(ctx) == 4

    rows = needs_attention(ctx)
    assert [r.email for r in rows] == [f"u{n}@acme.example" for n in range(6)]
    assert [r.status for r in rows] == ["overdue", "failed", "overdue", "overdue", "failed",
                                        "overdue"]
    assert [r.email for r in needs_attention(ctx, limit=3)] == [
        "u0@acme.example", "u1@acme.example", "u2@acme.example"]
