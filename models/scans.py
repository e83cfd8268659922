"""The overdue and expiry scans, safe to run in many processes at once.

Each marks rows with a conditional update, so a row changes (and notifies) once, whoever
scans; the unique (invitation, kind, send) on notifications backs that up.
"""

from __future__ import annotations

from sqlalchemy import select, update

from models.audit import record
from models.context import Ctx
from models.notifications import notify_many
from models.products import REMINDABLE_STATUSES
from models.tables import Invitation
from models.views import ScanResult

BATCH = 500


def _due(ctx: Ctx, *conds: object) -> object:
    q = select(Invitation.id).where(*conds).limit(BATCH)  # type: ignore[arg-type]
    if not ctx.db.is_sqlite:
        q = q.with_for_update(skip_locked=True)
    return q.scalar_subquery()


def scan_overdue(ctx: Ctx) -> int:
    """pending → overdue once `overdue_after` has passed since the last send."""
    total = 0
    while True:
        now = ctx.now()
        with ctx.db.write() as s:
            ids = s.execute(
                update(Invitation)
                .where(
                    Invitation.id.in_(_due(ctx, Invitation.status == "pending",  # type: ignore[union-attr]
                                           Invitation.overdue_at <= now)),
                    Invitation.status == "pending",
                )
                .values(status="overdue")
                .returning(Invitation.id)
            ).scalars().all()
            if ids:
                invs = s.execute(select(Invitation).where(Invitation.id.in_(ids))
                                 .order_by(Invitation.id)).scalars().all()
                for inv in invs:
                    record(s, now, "system", "invitation.overdue",
                           f"{inv.email} has not picked up the invitation (send #{inv.send_no})",
                           organization_id=inv.organization_id, license_id=inv.license_id,
                           invitation_id=inv.id)
                notify_many(s, ctx, [(inv, "overdue", "") for inv in invs], now)
        total += len(ids)
        if len(ids) < BATCH:
            return total


def scan_expired(ctx: Ctx) -> int:
    """pending/overdue → expired once `invite_expiry` has passed since the last send."""
    total = 0
    while True:
        now = ctx.now()
        with ctx.db.write() as s:
            rows = s.execute(
                update(Invitation)
                .where(
                    Invitation.id.in_(_due(  # type: ignore[union-attr]
                        ctx, Invitation.status.in_(REMINDABLE_STATUSES),  # type: ignore[attr-defined]
                        Invitation.expires_at <= now)),
                    Invitation.status.in_(REMINDABLE_STATUSES),  # type: ignore[attr-defined]
                )
                .values(status="expired")
                .returning(Invitation.id, Invitation.email, Invitation.organization_id,
                           Invitation.license_id)
            ).all()
            for r in rows:
                record(s, now, "system", "invitation.expired", f"the link for {r.email} expired",
                       organization_id=r.organization_id, license_id=r.license_id,
                       invitation_id=r.id)
        total += len(rows)
        if len(rows) < BATCH:
            return total


def run_scans(ctx: Ctx) -> ScanResult:
    # Expiry first: an invitation past both limits should end expired without an overdue ping.
    expired = scan_expired(ctx)
    return ScanResult(overdue=scan_overdue(ctx), expired=expired)
