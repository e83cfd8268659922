"""The invitation services, on SQLite and on PostgreSQL (the `dbctx` fixture runs both)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.accept import accept, lookup
from models.context import Ctx
from models.errors import InviteRefused, NotFound, Refused, TokenProblem
from models.invitations import (
    change_role,
    invite,
    preview_invites,
    remind,
    remindable_count,
    resend,
    revoke,
)
from models.licenses import create_license
from models.queries import license_summary, license_users, list_invitations
from models.tables import Account, Invitation, License, OutboxMail
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.helpers import row_counts, send_trail_problems, take_tokens

PASSWORD = "correct horse battery"


def _one(ctx: Ctx, lic: int, me: StaffRef, email: str, role: str = "Agent") -> int:
    res = invite(ctx, me, lic, [InviteRequest(email, role)])
    (o,) = res.invited
    assert o.invitation_id
    return o.invitation_id


def test_invite_writes_invitation_outbox_and_audit_in_one_go(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    before = row_counts(dbctx)
    res = invite(dbctx, me, license_id, [InviteRequest("ann@client.example", "Agent"),
                                         InviteRequest("bo@client.example", "viewer")])
    assert [o.result for o in res.outcomes] == ["invited", "invited"]
    assert [o.role for o in res.outcomes] == ["Agent", "Viewer"]
    after = row_counts(dbctx)
    assert after["Invitation"] - before["Invitation"] == 2
    assert after["OutboxMail"] - before["OutboxMail"] == 2
    # One row per invitation sent, and one for the seat change the new user brings (the
    # Viewer is free): the license now has the seats the preview showed.
    assert after["AuditEvent"] - before["AuditEvent"] == 3
    assert res.seats_after == res.seats_before + 1
    assert license_summary(dbctx, license_id).license.seats == res.seats_after
    assert send_trail_problems(dbctx) == []
    rows = list_invitations(dbctx, license_id=license_id)
    assert {(r.email, r.status) for r in rows} == {("ann@client.example", "pending"),
                                                   ("bo@client.example", "pending")}
    assert all(r.overdue_at - r.sent_at == timedelta(hours=48) for r in rows)
    assert all(r.expires_at - r.sent_at == timedelta(days=7) for r in rows)


def test_two_spellings_of_one_address_give_one_open_invitation(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    _one(dbctx, license_id, me, "Alice@Example.com")
    with pytest.raises(InviteRefused) as err:
        invite(dbctx, me, license_id, [InviteRequest("alice@example.COM", "Agent")])
    assert [o.result for o in err.value.outcomes] == ["open"]
    with pytest.raises(InviteRefused) as err:
        invite(dbctx, me, license_id, [InviteRequest("BOB@example.com", "Agent"),
                                       InviteRequest("bob@EXAMPLE.com", "Agent")])
    assert [o.result for o in err.value.outcomes] == ["invited", "duplicate"]
    with dbctx.db.read() as s:
        keys = s.execute(select(Invitation.email_key)).scalars().all()
    assert keys == ["alice@example.com"]


def test_an_existing_member_is_refused_by_name(
        dbctx: Ctx, me: StaffRef, org_id: int, license_id: int) -> None:
    with pytest.raises(InviteRefused) as err:
        invite(dbctx, me, license_id, [InviteRequest("OLIVIA@acme.example", "Agent")])
    assert "Olivia Owner" in str(err.value) and "olivia@acme.example" in str(err.value)
    assert err.value.outcomes[0].result == "member"
    # Someone who accepted is a member too, named as they signed up.
    _one(dbctx, license_id, me, "carl@client.example")
    token = take_tokens(dbctx)["carl@client.example"]
    accept(dbctx, token, "Carl Client", PASSWORD)
    with pytest.raises(InviteRefused, match=re.escape("Carl Client <carl@client.example>")):
        invite(dbctx, me, license_id, [InviteRequest("Carl@Client.example", "Agent")])


@pytest.mark.parametrize(("email", "role", "result"), [
    ("not-an-address", "Agent", "invalid"),
    ("dan@", "Agent", "invalid"),
    ("dan@client.example", "Superuser", "role"),
    ("dan@client.example", "Owner", "role"),
])
def test_bad_address_or_role_is_refused_and_nothing_is_written(
        dbctx: Ctx, me: StaffRef, license_id: int, email: str, role: str, result: str) -> None:
    before = row_counts(dbctx)
    rows = [InviteRequest("good@client.example", "Agent"), InviteRequest(email, role)]
    with pytest.raises(InviteRefused) as err:
        invite(dbctx, me, license_id, rows)
    assert [o.result for o in err.value.outcomes] == ["invited", result]
    assert str(err.value).startswith("nothing sent")
    assert row_counts(dbctx) == before


def test_a_role_must_belong_to_the_product(dbctx: Ctx, me: StaffRef, org_id: int) -> None:
    lic, _ = create_license(dbctx, me, organization_id=org_id, product_key="livechat")
    with pytest.raises(InviteRefused, match="LiveChat has no role 'Viewer'"):
        invite(dbctx, me, lic, [InviteRequest("v@client.example", "Viewer")])


def test_preview_writes_nothing_and_shows_the_seat_change(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    before = row_counts(dbctx)
    res = preview_invites(dbctx, me, license_id, [InviteRequest("a@client.example", "Agent"),
                                                  InviteRequest("b@client.example", "Viewer"),
                                                  InviteRequest("bad", "Agent")])
    assert [o.result for o in res.outcomes] == ["invited", "invited", "invalid"]
    assert res.billable_after == res.billable_before + 1  # the Viewer is free
    assert row_counts(dbctx) == before


def test_unknown_license_is_not_found(dbctx: Ctx, me: StaffRef) -> None:
    with pytest.raises(NotFound, match="no license with id 999"):
        invite(dbctx, me, 999, [InviteRequest("a@client.example", "Agent")])


def test_create_license_writes_everything_or_nothing(
        dbctx: Ctx, me: StaffRef, org_id: int) -> None:
    before = row_counts(dbctx)
    with pytest.raises(InviteRefused):
        create_license(dbctx, me, organization_id=org_id, product_key="textapp",
                       invites=[InviteRequest("ok@client.example", "Agent"),
                                InviteRequest("x@client.example", "Viewer")])
    assert row_counts(dbctx) == before
    lic, res = create_license(dbctx, me, organization_id=org_id, product_key="textapp",
                              paid=True, plan="team", seats=5, payer="client",
                              invites=[InviteRequest("ok@client.example", "Agent")], add_me=True)
    assert [o.email for o in res.invited] == ["ok@client.example", "sam@partner.example"]
    summary = license_summary(dbctx, lic)
    assert (summary.license.status, summary.license.plan, summary.license.seats) == (
        "paid", "team", 5)
    assert summary.counts["pending"] == 2
    users = license_users(dbctx, lic)
    assert (users[0].kind, users[0].role) == ("account", "Owner")
    assert send_trail_problems(dbctx) == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"product_key": "zoom"}, "unknown product"),
    ({"product_key": "livechat", "trial_days": 7}, "14 to 30"),
    ({"product_key": "livechat", "paid": True, "plan": "gold", "seats": 2}, "needs a plan"),
    ({"product_key": "livechat", "paid": True, "plan": "team", "seats": 0}, "at least 1 seat"),
    ({"product_key": "livechat", "payer": "nobody"}, "payer"),
])
def test_create_license_refuses_bad_terms(dbctx: Ctx, me: StaffRef, org_id: int,
                                          kwargs: dict[str, object], message: str) -> None:
    before = row_counts(dbctx)
    with pytest.raises(Refused, match=message):
        create_license(dbctx, me, organization_id=org_id, **kwargs)  # type: ignore[arg-type]
    assert row_counts(dbctx) == before


def test_resend_issues_a_new_link_and_restarts_the_clock(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    inv = _one(dbctx, license_id, me, "erin@client.example")
    old = take_tokens(dbctx)["erin@client.example"]
    clock.advance(timedelta(hours=30))
    assert resend(dbctx, me, [inv]).done == (inv,)
    new = take_tokens(dbctx)["erin@client.example"]
    assert new != old
    assert lookup(dbctx, old).state == "unknown"
    assert lookup(dbctx, new).state == "open"
    (row,) = list_invitations(dbctx, license_id=license_id)
    assert (row.times_sent, row.sent_at) == (2, clock.now())
    assert row.overdue_at == clock.now() + timedelta(hours=48)
    with pytest.raises(TokenProblem):
        accept(dbctx, old, "Erin", PASSWORD)
    accept(dbctx, new, "Erin", PASSWORD)
    assert send_trail_problems(dbctx) == []


def test_remind_reaches_everyone_not_yet_picked_up(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    ids = [_one(dbctx, license_id, me, f"p{i}@client.example") for i in range(4)]
    tokens = take_tokens(dbctx)
    accept(dbctx, tokens["p0@client.example"], "P Zero", PASSWORD)
    revoke(dbctx, me, [ids[1]])
    assert remindable_count(dbctx, license_id) == 2
    res = remind(dbctx, me, license_id)
    assert sorted(res.done) == ids[2:]
    with dbctx.db.read() as s:
        kinds = s.execute(select(OutboxMail.kind, func.count()).group_by(OutboxMail.kind)).all()
    assert dict(kinds)["reminder"] == 2
    assert send_trail_problems(dbctx) == []


def test_revoke_closes_the_link_and_skips_what_is_not_open(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    a = _one(dbctx, license_id, me, "a@client.example")
    b = _one(dbctx, license_id, me, "b@client.example")
    tokens = take_tokens(dbctx)
    accept(dbctx, tokens["b@client.example"], "Bee", PASSWORD)
    res = revoke(dbctx, me, [a, b])
    assert res.done == (a,)
    assert res.skipped == ((b, "b@client.example is accepted"),)
    with pytest.raises(TokenProblem) as err:
        accept(dbctx, tokens["a@client.example"], "Ay", PASSWORD)
    assert err.value.state == "revoked"
    with pytest.raises(NotFound):
        revoke(dbctx, me, [4242])


def test_change_role_of_an_open_invitation_only(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    inv = _one(dbctx, license_id, me, "r@client.example")
    # r@client.example is outside Acme's domains: an Administrator there is confirmed.
    assert change_role(dbctx, me, inv, "administrator", confirmed=True) == "Administrator"
    with pytest.raises(Refused, match="no role 'Captain'"):
        change_role(dbctx, me, inv, "Captain")
    accept(dbctx, take_tokens(dbctx)["r@client.example"], "Role Person", PASSWORD)
    with pytest.raises(Refused, match="only an open invitation"):
        change_role(dbctx, me, inv, "Agent")
    with dbctx.db.read() as s:
        assert s.execute(select(Account.role).where(
            Account.email_key == "r@client.example")).scalar_one() == "Administrator"


def test_rate_limit_per_organization(dbctx: Ctx, me: StaffRef, license_id: int,
                                     org_id: int, clock: FixedClock) -> None:
    dbctx.settings.rate_limit_per_org = 3
    other, _ = create_license(dbctx, me, organization_id=org_id, product_key="livechat")
    invite(dbctx, me, license_id, [InviteRequest(f"{i}@client.example", "Agent")
                                   for i in range(2)])
    before = row_counts(dbctx)
    with pytest.raises(InviteRefused) as err:
        invite(dbctx, me, other, [InviteRequest("x@client.example", "Agent"),
                                  InviteRequest("y@client.example", "Agent")])
    assert [o.result for o in err.value.outcomes] == ["invited", "rate"]
    assert "limit of 3" in str(err.value)
    assert row_counts(dbctx) == before
    with pytest.raises(Refused, match="limit of 3"):
        resend(dbctx, me, [1, 2])
    clock.advance(timedelta(hours=24, seconds=1))
    invite(dbctx, me, other, [InviteRequest("x@client.example", "Agent"),
                              InviteRequest("y@client.example", "Agent")])


def test_accept_creates_the_account_once_and_notifies_the_inviter(
        dbctx: Ctx, me: StaffRef, license_id: int) -> None:
    from models.notifications import list_notifications, mark_read, unread_count

    _one(dbctx, license_id, me, "fay@acme.example", "Administrator")
    token = take_tokens(dbctx)["fay@acme.example"]
    assert lookup(dbctx, token).role == "Administrator"
    res = accept(dbctx, token, "Fay Field", PASSWORD)
    assert (res.email, res.role, res.product) == ("fay@acme.example", "Administrator",
                                                  "HelpDesk")
    with pytest.raises(TokenProblem) as err:
        accept(dbctx, token, "Fay Again", PASSWORD)
    assert err.value.state == "accepted"
    assert lookup(dbctx, token).state == "accepted"
    with dbctx.db.read() as s:
        acc = s.execute(select(Account).where(Account.email_key == "fay@acme.example")
                        ).scalars().all()
        (lic,) = s.execute(select(License)).scalars().all()
    assert len(acc) == 1 and acc[0].name == "Fay Field"
    assert acc[0].password_hash and PASSWORD not in acc[0].password_hash
    assert lic.id == license_id
    notes = list_notifications(dbctx, me.id)
    assert [n.kind for n in notes] == ["accepted"]
    assert unread_count(dbctx, me.id) == 1
    assert mark_read(dbctx, me.id) == 1 and unread_count(dbctx, me.id) == 0
    with dbctx.db.read() as s:
        assert s.execute(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.kind == "notify_accepted")).scalar_one() == 1


def test_accept_refuses_expired_unknown_and_weak_input(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    _one(dbctx, license_id, me, "gus@client.example")
    token = take_tokens(dbctx)["gus@client.example"]
    with pytest.raises(TokenProblem, match="at least 12"):
        accept(dbctx, token, "Gus", "short")
    with pytest.raises(Exception, match="control characters"):
        accept(dbctx, token, "Gus\x1b[2J", PASSWORD)
    with pytest.raises(TokenProblem) as err:
        accept(dbctx, "not-a-real-token", "Gus", PASSWORD)
    assert err.value.state == "unknown"
    clock.advance(timedelta(days=7))
    assert lookup(dbctx, token).state == "expired"
    with pytest.raises(TokenProblem) as err:
        accept(dbctx, token, "Gus", PASSWORD)
    assert err.value.state == "expired"
    with dbctx.db.read() as s:
        assert s.execute(select(func.count()).select_from(Account)).scalar_one() == 1  # owner
