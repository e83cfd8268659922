"""The verdicts issue 12 adds to the one invitation rule (`plan_invites`): a typo suggestion,
outside the organization's domains, the invitee's language; a suggestion or an Administrator
outside the domains refused unless confirmed, and the confirmation audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models.context import Ctx
from models.domains import add_domain
from models.errors import InviteRefused
from models.invitations import invite, preview_invites
from models.tables import AuditEvent, Invitation, OutboxMail
from models.views import InviteRequest, StaffRef

# typed address -> the suggestion (None: no false alarm). The organization's domains are
# acme.example (the client's) and acme-robotics.de (added below).
TYPOS = [
    ("ann@gmial.com", "ann@gmail.com"),
    ("ann@gmai.com", "ann@gmail.com"),
    ("ann@hotmial.com", "ann@hotmail.com"),
    ("ann@outlok.com", "ann@outlook.com"),
    ("ann@yahooo.com", "ann@yahoo.com"),
    ("ann@acme.exmaple", "ann@acme.example"),  # one of the organization's own, mistyped
    ("ann@acme-robotic.de", "ann@acme-robotics.de"),
    ("Ann@GMIAL.com", "Ann@gmail.com"),
    ("ann@gmail.com", None),  # the provider itself
    ("ann@acme.example", None),  # the organization's own domain
    ("ann@acme-robotics.de", None),
    ("ann@ymail.com", None),  # real, one edit from gmail.com
    ("ann@mail.com", None),
    ("ann@gmx.de", None),
    ("ann@zeta-logistics.example", None),  # well-formed, unusual
    ("ann@xn--bcher-kva.de", None),
    ("ann@ab.de", None),  # too short to correct
]


@pytest.fixture
def own_domains(dbctx: Ctx, me: StaffRef, org_id: int) -> None:
    add_domain(dbctx, me, org_id, "acme-robotics.de")


@pytest.mark.usefixtures("own_domains")
@pytest.mark.parametrize(("typed", "expected"), TYPOS)
def test_typo_suggestions_through_the_rule(dbctx: Ctx, me: StaffRef, license_id: int,
                                           typed: str, expected: str | None) -> None:
    (o,) = preview_invites(dbctx, me, license_id, [InviteRequest(typed, "Agent")]).outcomes
    assert o.suggestion == expected
    if expected:
        assert (o.result, o.ok) == ("typo", False)
        assert f"did you mean {expected}?" in o.message
        (kept,) = preview_invites(dbctx, me, license_id,
                                  [InviteRequest(typed, "Agent", confirmed=True)]).outcomes
        assert kept.ok and kept.suggestion == expected
    else:
        assert o.ok, o.message


@pytest.mark.parametrize(("email", "outside"), [
    ("a@acme.example", False), ("a@eu.acme.example", False), ("a@notacme.example", True),
    ("a@client.example", True),
])
def test_outside_is_marked_and_agents_pass(dbctx: Ctx, me: StaffRef, license_id: int,
                                           email: str, outside: bool) -> None:
    (o,) = preview_invites(dbctx, me, license_id, [InviteRequest(email, "Agent")]).outcomes
    assert (o.ok, o.outside) == (True, outside)


def _audit(dbctx: Ctx, kind: str) -> list[str]:
    with dbctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(AuditEvent.kind == kind)
                              ).scalars())


def test_an_administrator_outside_is_refused_without_confirmation(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    rows = [InviteRequest("dan@client.example", "Administrator")]
    (o,) = preview_invites(dbctx, me, license_id, rows).outcomes
    assert (o.result, o.outside) == ("outside", True)
    assert "outside Acme Robotics's domains (acme.example)" in o.message
    with pytest.raises(InviteRefused, match="needs a confirmation"):
        invite(dbctx, me, license_id, rows)
    with dbctx.db.read() as s:
        assert s.execute(select(Invitation)).first() is None
        assert s.execute(select(OutboxMail)).first() is None
    assert _audit(dbctx, "invitation.confirmed") == []
    # inside the domains, no confirmation is asked
    (o,) = preview_invites(dbctx, me, license_id,
                           [InviteRequest("dan@acme.example", "Administrator")]).outcomes
    assert o.ok and not o.outside


def test_a_confirmed_administrator_outside_is_invited_and_audited(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    res = invite(dbctx, me, license_id,
                 [InviteRequest("dan@client.example", "Administrator", confirmed=True)])
    (o,) = res.invited
    assert o.outside and o.confirmed
    (line,) = _audit(dbctx, "invitation.confirmed")
    assert line == ("Sam Support confirmed dan@client.example as Administrator outside the "
                    "organization's domains")


def test_a_kept_typo_is_audited(dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    invite(dbctx, me, license_id, [InviteRequest("eve@gmial.com", "Agent", confirmed=True)])
    assert _audit(dbctx, "invitation.confirmed") == [
        "Sam Support kept eve@gmial.com as typed (suggested eve@gmail.com)"]


def test_add_me_needs_no_confirmation(dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    res = invite(dbctx, me, license_id, [], add_me=True)
    assert [o.email for o in res.invited] == ["sam@partner.example"]
    assert _audit(dbctx, "invitation.confirmed") == []


def test_each_rows_language_is_checked_and_stored(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    rows = [InviteRequest("a@acme.example", "Agent", language="pt-br"),
            InviteRequest("b@acme.example", "Agent"),
            InviteRequest("c@acme.example", "Agent", language="klingon")]
    a, b, c = preview_invites(dbctx, me, license_id, rows).outcomes
    assert (a.ok, a.language) == (True, "pt_BR")
    assert (b.ok, b.language) == (True, "en")  # the organization's
    assert (c.result, c.ok) == ("language", False) and "klingon" in c.message
    invite(dbctx, me, license_id, rows[:2])
    with dbctx.db.read() as s:
        stored = {i.email: i.language for i in s.execute(select(Invitation)).scalars()}
        payloads = [json.loads(m.payload) for m in s.execute(select(OutboxMail)).scalars()]
    assert stored == {"a@acme.example": "pt_BR", "b@acme.example": None}
    assert sorted(p["language"] for p in payloads) == ["en", "pt_BR"]
