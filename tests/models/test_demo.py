"""Demo data: deterministic, consistent with the services' rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, col

import models.demo
from models.accept import accepted_audit
from models.context import Ctx
from models.demo import make_demo_data
from models.errors import Refused
from models.invitations import invite, revoked_audit, send_invitation
from models.notifications import failed_audit, list_notifications
from models.organizations import create_organization
from models.outbox import pending_count
from models.products import INVITATION_STATUSES, PRODUCTS
from models.queries import list_orgs
from models.scans import expired_audit, overdue_audit, run_scans
from models.settings import Settings
from models.staff import claim_first_lead, ensure_staff
from models.tables import Account, AuditEvent, Invitation, License, OutboxMail, Staff
from models.timeutil import FixedClock
from models.views import InviteRequest

DUMP = {
    "organization": "SELECT * FROM organization ORDER BY id",
    "license": "SELECT * FROM license ORDER BY id",
    "invitation": "SELECT * FROM invitation ORDER BY id",
    "account": "SELECT * FROM account ORDER BY id",
    "outbox_mail": "SELECT * FROM outbox_mail ORDER BY id",
    "audit_event": "SELECT * FROM audit_event ORDER BY id",
    "notification": "SELECT * FROM notification ORDER BY id",
}


def _sqlite_ctx(path: Path, staff: str | None = "sam@partner.example") -> Ctx:
    settings = Settings(data_dir=path, staff_email=staff, staff_name="Sam Support")
    return Ctx.open(settings, clock=FixedClock())


def _dump(ctx: Ctx) -> dict[str, list[tuple[object, ...]]]:
    with ctx.db.engine.connect() as conn:
        return {k: [tuple(r) for r in conn.exec_driver_sql(q)] for k, q in DUMP.items()}


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    a, b, c = (_sqlite_ctx(tmp_path / n) for n in "abc")
    counts = make_demo_data(a, orgs=60, seed=7)
    assert make_demo_data(b, orgs=60, seed=7) == counts
    make_demo_data(c, orgs=60, seed=8)
    assert _dump(a) == _dump(b)
    assert _dump(a)["invitation"] != _dump(c)["invitation"]
    assert counts["organization"] == 60 and 350 <= counts["invitation"] <= 850


def test_the_bulk_path_writes_the_same_rows(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.demo, "CHUNK_ORGS", 9)
    small = _sqlite_ctx(tmp_path / "small")
    make_demo_data(small, orgs=40, seed=3)
    monkeypatch.setattr(models.demo, "BULK_ORGS", 10)
    bulk = _sqlite_ctx(tmp_path / "bulk")
    make_demo_data(bulk, orgs=40, seed=3)
    assert _dump(small) == _dump(bulk)
    with bulk.db.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        # The bulk path loads with foreign keys off: every reference must hold anyway.
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    assert {"ix_invitation_status_overdue", "ix_outbox_due", "ix_audit_license"} <= names


def test_the_bulk_path_with_threads_alive_spawns_its_generator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In the console other threads run, so the generator process is spawned, not forked.
    monkeypatch.setattr(models.demo, "CHUNK_ORGS", 9)
    monkeypatch.setattr(models.demo, "BULK_ORGS", 10)
    forked = _sqlite_ctx(tmp_path / "forked")
    make_demo_data(forked, orgs=25, seed=6)
    monkeypatch.setattr(models.demo.threading, "active_count", lambda: 3)
    spawned = _sqlite_ctx(tmp_path / "spawned")
    make_demo_data(spawned, orgs=25, seed=6)
    assert _dump(forked) == _dump(spawned)


def _check_consistent(ctx: Ctx) -> None:
    now = ctx.now()
    with ctx.db.read() as s:
        invs = s.execute(select(Invitation)).scalars().all()
        statuses = {i.status for i in invs}
        assert statuses == set(INVITATION_STATUSES)
        for i in invs:
            assert i.sent_at <= now and i.created_at <= i.sent_at
            assert i.overdue_at - i.sent_at == ctx.settings.overdue_after
            assert i.expires_at - i.sent_at == ctx.settings.invite_expiry
            assert (i.accepted_at is not None) == (i.status == "accepted")
            if i.status == "pending":
                assert i.overdue_at > now
            if i.status == "overdue":
                assert i.overdue_at <= now < i.expires_at
            if i.status == "expired":
                assert i.expires_at <= now
            if i.accepted_at is not None:
                assert i.sent_at < i.accepted_at < min(i.expires_at, now)
            assert (i.failed_reason is not None) == (i.status == "failed")
        accepted = {i.id for i in invs if i.status == "accepted"}
        linked = set(s.execute(select(Account.invitation_id).where(
            Account.invitation_id.is_not(None))).scalars())  # type: ignore[union-attr]
        assert linked == accepted
        owners = s.execute(select(func.count()).select_from(Account).where(
            Account.role == "Owner")).scalar_one()
        assert owners == s.execute(select(func.count()).select_from(License)).scalar_one()
        mails = s.execute(select(OutboxMail.invitation_id, OutboxMail.send_no, OutboxMail.status)
                          .where(OutboxMail.invitation_id.is_not(None))).all()  # type: ignore[union-attr]
        assert len(mails) == len(invs)
        by_inv = {m.invitation_id: m for m in mails}
        for i in invs:
            m = by_inv[i.id]
            assert m.send_no == i.send_no
            assert m.status == ("failed" if i.status == "failed" else "sent")
        sent_audits = dict(s.execute(
            select(AuditEvent.invitation_id, func.count()).where(
                AuditEvent.kind.in_(["invitation.sent", "invitation.reminded"]))  # type: ignore[attr-defined]
            .group_by(AuditEvent.invitation_id)).all())
        assert sent_audits == dict.fromkeys(by_inv, 1)
        products = set(s.execute(select(License.product)).scalars())
        lic_statuses = set(s.execute(select(License.status)).scalars())
    assert products == set(PRODUCTS)
    assert lic_statuses == {"trial", "paid", "expired"}
    assert pending_count(ctx) == 0  # demo mails never flood the catcher


def test_demo_data_keeps_the_services_rules(tmp_path: Path) -> None:
    ctx = _sqlite_ctx(tmp_path)
    me = claim_first_lead(ctx)  # the login loading it is the one whose Alerts fill up
    counts = make_demo_data(ctx, orgs=200)
    _check_consistent(ctx)
    notes = list_notifications(ctx, me.id)
    assert 1 <= len(notes) == counts["notification"] <= 12
    assert {n.kind for n in notes} <= {"accepted", "overdue", "failed"}
    # Consistent times: nothing is due now, so a scan changes nothing.
    res = run_scans(ctx)
    assert (res.overdue, res.expired) == (0, 0)
    # Moving the clock makes pending ones due, a realistic trickle.
    ctx.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    assert 0 < run_scans(ctx).overdue < counts["invitation"] // 10
    page = list_orgs(ctx, "", limit=20)
    assert page.total == 200 and len(page.rows) == 20
    assert all(r.licenses >= 1 for r in page.rows)
    word = page.rows[0].name.split()[0].upper()
    assert all(word.casefold() in f"{r.name} {r.client_name} {r.client_email}".casefold()
               for r in list_orgs(ctx, word).rows)
    # Each organization has its client's mail domain, as create_organization gives it.
    from models.domains import domains

    assert counts["organization_domain"] == 200
    for r in page.rows:
        assert domains(ctx, r.id) == (r.client_email.rsplit("@", 1)[1].lower(),)
    # Services go on working on top of it.
    org = create_organization(ctx, me, name="After Demo", client_name="Ann After",
                              client_email="ann@after.example")
    assert org == 201


def test_demo_data_without_a_staff_identity(tmp_path: Path) -> None:
    ctx = _sqlite_ctx(tmp_path, staff=None)
    counts = make_demo_data(ctx, orgs=20)
    assert counts["notification"] == 0 and counts["invitation"] > 0


def test_demo_data_on_postgresql(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from tests.support.pg import fresh_database

    url = fresh_database(request.getfixturevalue("pg_url"), migrated=True)
    ctx = Ctx.open(Settings(data_dir=tmp_path, database_url=url,
                            staff_email="sam@partner.example"), clock=FixedClock())
    try:
        counts = make_demo_data(ctx, orgs=120, seed=5)
        _check_consistent(ctx)
        _check_words(ctx)
        lite = _sqlite_ctx(tmp_path / "lite")
        assert make_demo_data(lite, orgs=120, seed=5) == counts
        me = ensure_staff(ctx)
        # The sequences moved past the ids the load chose.
        org = create_organization(ctx, me, name="After Demo", client_name="Ann After",
                                  client_email="ann@after.example")
        assert org == 121
        from models.licenses import create_license

        lic, _ = create_license(ctx, me, organization_id=org, product_key="livechat")
        invite(ctx, me, lic, [InviteRequest("x@after.example", "Agent")])
        with ctx.db.read() as s:
            assert s.execute(text("SELECT count(*) FROM invitation")).scalar_one() == (
                counts["invitation"] + 1)
    finally:
        ctx.db.dispose()


def test_negative_orgs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="0 or more"):
        make_demo_data(_sqlite_ctx(tmp_path), orgs=-1)


def _mail_and_trail(s: Session, inv_id: int) -> tuple[tuple[object, ...], list[tuple[str, ...]]]:
    """The invitation's newest invitation mail (kind, to, reply-to, subject, payload) and the
    audit rows of its invitation (actor, kind, detail), in order."""
    mail = s.execute(select(OutboxMail).where(col(OutboxMail.invitation_id) == inv_id)
                     .order_by(col(OutboxMail.id).desc()).limit(1)).scalar_one()
    trail = [(a.actor, a.kind, a.detail) for a in s.execute(
        select(AuditEvent).where(col(AuditEvent.invitation_id) == inv_id)
        .order_by(col(AuditEvent.id))).scalars()]
    return ((mail.kind, mail.to_addr, mail.reply_to, mail.subject, json.loads(mail.payload)),
            trail)


def test_demo_mails_and_audit_rows_are_what_the_services_write(tmp_path: Path) -> None:
    ctx = _sqlite_ctx(tmp_path)
    claim_first_lead(ctx)
    make_demo_data(ctx, orgs=60, seed=2)
    _check_words(ctx)


def _check_words(ctx: Ctx) -> None:
    """For a demo invitation of every status, first sent or reminded, send_invitation writes
    the very mail (subject, reply-to, template data) and send audit line the demo wrote; the
    rest of its trail is in the words of the services' own audit functions."""
    with ctx.db.read() as s:
        picked: dict[tuple[str, bool], int] = {}
        for i in s.execute(select(Invitation).order_by(col(Invitation.id))).scalars():
            picked.setdefault((i.status, i.times_sent > 1), i.id or 0)
        # Every story, first sent and sent again (a pending one is seldom reminded yet).
        assert {(st, again) for st in INVITATION_STATUSES for again in (False, True)
                } - set(picked) <= {("pending", True)}
        names = {a.invitation_id: a.name for a in s.execute(select(Account)).scalars()}
        inviters = {st.id: st.email for st in s.execute(select(Staff)).scalars()}
        demo, rest = {}, {}
        for key, inv_id in picked.items():
            demo[key] = _mail_and_trail(s, inv_id)
            inv = s.get(Invitation, inv_id)
            assert inv is not None
            rest[key] = [tuple(t) for t in {
                "accepted": [accepted_audit(names.get(inv_id, ""), inv.email, inv.role)],
                "overdue": [overdue_audit(inv.email, inv.send_no)],
                "expired": [overdue_audit(inv.email, inv.send_no), expired_audit(inv.email)],
                "failed": [failed_audit(inv.email, inv.failed_reason or "")],
                "revoked": [revoked_audit(inviters[inv.invited_by], inv.email)],
            }.get(inv.status, [])]
    for (status, again), inv_id in picked.items():
        mail, trail = demo[(status, again)]
        with ctx.db.write() as s:
            # The same invitation, one send earlier: the service's send makes it this one.
            inv = s.get(Invitation, inv_id)
            assert inv is not None
            inv.send_no -= 1
            inv.times_sent -= 1
            send_invitation(s, ctx, inviters[inv.invited_by], inv, inv.sent_at,
                            "reminder" if again else "invitation")
        with ctx.db.read() as s:
            real_mail, real_trail = _mail_and_trail(s, inv_id)
        assert real_mail == mail, (status, again)
        assert real_trail[-1] == trail[0], (status, again)  # the send's own audit line
        assert trail[1:] == rest[(status, again)], (status, again)


def test_a_wording_function_that_changes_a_value_is_refused_not_copied() -> None:
    """The demo turns the services' words into SQL by finding its stand-in values in them; a
    value changed on the way (lower-cased, cut) is an error, never silently other words."""
    from models.demo_words import _EMAIL, _sql

    assert _sql(f"revoked {_EMAIL}", {_EMAIL: "i.email"}) == "'revoked ' || i.email"
    with pytest.raises(ValueError, match="changed a stand-in"):
        _sql(f"revoked {_EMAIL.lower()}", {_EMAIL: "i.email"})
    with pytest.raises(ValueError, match="changed a stand-in"):
        _sql(f"revoked {_EMAIL[:2]}", {_EMAIL: "i.email"})
