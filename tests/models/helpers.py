"""Small readers the domain tests share."""

from __future__ import annotations

from sqlalchemy import func, select

from models.context import Ctx
from models.tables import (
    Account,
    AuditEvent,
    Invitation,
    License,
    Notification,
    Organization,
    OutboxMail,
    Staff,
)

TABLES = (Staff, Organization, License, Account, Invitation, OutboxMail, Notification, AuditEvent)


def row_counts(ctx: Ctx) -> dict[str, int]:
    with ctx.db.read() as s:
        return {t.__name__: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in TABLES}


def send_trail_problems(ctx: Ctx) -> list[str]:
    """Every invitation has one outbox mail and one send audit row per send, no more."""
    problems = []
    with ctx.db.read() as s:
        mails = dict(s.execute(
            select(OutboxMail.invitation_id, func.count()).where(
                OutboxMail.invitation_id.is_not(None),  # type: ignore[union-attr]
                OutboxMail.kind.in_(["invitation", "reminder", "resend"]))  # type: ignore[attr-defined]
            .group_by(OutboxMail.invitation_id)).all())
        audits = dict(s.execute(
            select(AuditEvent.invitation_id, func.count()).where(
                AuditEvent.kind.in_(["invitation.sent", "invitation.reminded",  # type: ignore[attr-defined]
                                     "invitation.resent"]))
            .group_by(AuditEvent.invitation_id)).all())
        for inv_id, send_no in s.execute(select(Invitation.id, Invitation.send_no)):
            if mails.get(inv_id, 0) != send_no or audits.get(inv_id, 0) != send_no:
                problems.append(f"invitation {inv_id}: send_no {send_no}, "
                                f"{mails.get(inv_id, 0)} mails, {audits.get(inv_id, 0)} audits")
        orphans = set(mails) - {i for (i,) in s.execute(select(Invitation.id))}
        problems += [f"mail for missing invitation {i}" for i in orphans]
    return problems


def take_tokens(ctx: Ctx) -> dict[str, str]:
    """Claim every queued invitation mail as a relay would: address -> the link's token."""
    from models.outbox import claim, mark_sent

    out: dict[str, str] = {}
    while batch := claim(ctx, "test-relay", limit=500):
        for mail in batch:
            if mail.token:
                out[mail.to_addr] = mail.token
            mark_sent(ctx, mail.id, "test-relay")
    return out
