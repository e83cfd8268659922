"""Several processes at once: a link accepted twice, the rate limit, a writer killed mid-way."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
from sqlalchemy import func, select, text

from models.context import Ctx
from models.invitations import invite
from models.licenses import create_license
from models.tables import Account, Invitation, OutboxMail
from models.timeutil import FixedClock
from models.views import InviteRequest, StaffRef
from tests.models.helpers import send_trail_problems, take_tokens
from tests.models.workers import (
    FORK,
    Where,
    accept_at,
    invite_forever,
    invite_one_by_one,
    run_all,
)

pytestmark = pytest.mark.slow


def test_two_processes_accepting_one_link_make_one_account(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    for round_ in range(3):
        email = f"race{round_}@client.example"
        invite(dbctx, me, license_id, [InviteRequest(email, "Agent")])
        token = take_tokens(dbctx)[email]
        where = Where.of(dbctx)
        dbctx.db.dispose()
        barrier = FORK.Barrier(2)
        results = run_all(accept_at, [(where, clock.now(), token, "Racer One", barrier),
                                      (where, clock.now(), token, "Racer Two", barrier)])
        assert sorted(r[0] for r in results) == ["ok", "refused"], results
        assert [r[1] for r in results if r[0] == "refused"] == ["accepted"]
        with dbctx.db.read() as s:
            accounts = s.execute(select(func.count()).select_from(Account).where(
                Account.email_key == email)).scalar_one()
            status = s.execute(select(Invitation.status).where(
                Invitation.email_key == email)).scalar_one()
        assert (accounts, status) == (1, "accepted")


def test_rate_limit_holds_across_two_processes(dbctx: Ctx, me: StaffRef, org_id: int,
                                               clock: FixedClock) -> None:
    limit = 5
    lic_a, _ = create_license(dbctx, me, organization_id=org_id, product_key="livechat")
    lic_b, _ = create_license(dbctx, me, organization_id=org_id, product_key="textapp")
    where = Where(dbctx.settings.database_url, dbctx.settings.data_dir, rate_limit=limit)
    dbctx.db.dispose()
    barrier = FORK.Barrier(2)
    got = run_all(invite_one_by_one, [(where, clock.now(), lic_a, "a", 8, barrier),
                                      (where, clock.now(), lic_b, "b", 8, barrier)])
    assert all(isinstance(g, int) for g in got), got
    assert sum(got) == limit
    with dbctx.db.read() as s:
        sent = s.execute(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.organization_id == org_id,
            OutboxMail.kind == "invitation")).scalar_one()
    assert sent == limit


def test_every_invitation_keeps_its_outbox_and_audit_rows_when_killed_mid_write(
        dbctx: Ctx, me: StaffRef, license_id: int, clock: FixedClock) -> None:
    dbctx.settings.rate_limit_per_org = 10**6
    where = Where(dbctx.settings.database_url, dbctx.settings.data_dir, rate_limit=10**6)
    dbctx.db.dispose()
    rng = random.Random(2)
    kills = 20
    def invitations() -> int:
        with dbctx.db.read() as s:
            return int(s.execute(select(func.count()).select_from(Invitation)).scalar_one())

    for k in range(kills):
        before = invitations()
        child = FORK.Process(target=invite_forever, args=(where, clock.now(), license_id, k))
        child.start()
        # Counted from its first invitation, not its start: on a loaded machine a writer
        # killed 0.6 s after it was started had often written nothing yet.
        deadline = time.monotonic() + 30
        while invitations() == before and child.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.45))  # a random moment to kill at, not time passing
        assert child.pid is not None and child.is_alive(), "the writer died on its own"
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
        assert child.exitcode == -signal.SIGKILL
    with dbctx.db.read() as s:
        made = s.execute(select(func.count()).select_from(Invitation)).scalar_one()
        resent = s.execute(select(func.count()).select_from(Invitation).where(
            Invitation.send_no > 1)).scalar_one()
        if dbctx.db.is_sqlite:
            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    assert made >= kills, "the writers wrote too little for the test to mean anything"
    assert resent > 0
    assert send_trail_problems(dbctx) == []
    # And the database still takes writes after all those deaths.
    invite(dbctx, me, license_id, [InviteRequest("after@client.example", "Agent")])


