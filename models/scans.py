"""The overdue and expiry scans, safe to run in many processes at once.

Each marks rows with a conditional update, so a row changes (and notifies) once, whoever
scans; the unique (invitation, kind, send) on notifications backs that up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, select, update
from sqlmodel import col

from models.audit import AuditText, record
from models.context import Ctx
from models.notifications import notify_many
from models.products import REMINDABLE_STATUSES
from models.tables import Invitation
from models.views import ScanResult

BATCH = 500


def overdue_audit(email: str, send_no: int) -> AuditText:
    return AuditText("system", "invitation.overdue",
                     f"{email} has not picked up the invitation (send #{send_no})")


def expired_audit(email: str) -> AuditText:
    return AuditText("system", "invitation.expired", f"the link for {email} expired")


def _due(ctx: Ctx, *conds: ColumnElement[bool]) -> ScalarSelect[Any]:
    q = select(col(Invitation.id)).where(*conds).limit(BATCH)
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
                    col(Invitation.id).in_(_due(ctx, col(Invitation.status) == "pending",
                                                col(Invitation.overdue_at) <= now)),
                    col(Invitation.status) == "pending",
                )
                .values(status="overdue")
                .returning(col(Invitation.id))
            ).scalars().all()
            if ids:
                invs = s.execute(select(Invitation).where(col(Invitation.id).in_(ids))
                                 .order_by(col(Invitation.id))).scalars().all()
                for inv in invs:
                    record(s, now, *overdue_audit(inv.email, inv.send_no),
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
                    col(Invitation.id).in_(_due(
                        ctx, col(Invitation.status).in_(REMINDABLE_STATUSES),
                        col(Invitation.expires_at) <= now)),
                    col(Invitation.status).in_(REMINDABLE_STATUSES),
                )
                .values(status="expired")
                .returning(col(Invitation.id), col(Invitation.email),
                           col(Invitation.organization_id), col(Invitation.license_id))
            ).all()
            for r in rows:
                record(s, now, *expired_audit(r.email),
                       organization_id=r.organization_id, license_id=r.license_id,
                       invitation_id=r.id)
        total += len(rows)
        if len(rows) < BATCH:
            return total


def run_scans(ctx: Ctx) -> ScanResult:
    # Expiry first: an invitation past both limits should end expired without an overdue ping.
    expired = scan_expired(ctx)
    overdue = scan_overdue(ctx)
    from models.digest import scan_digests
    from models.reminders import scan_auto_remind

    return ScanResult(overdue=overdue, expired=expired, reminded=scan_auto_remind(ctx),
                      digests=scan_digests(ctx))
