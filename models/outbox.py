"""The outbox: mails written in the transaction that caused them, sent later by the relay.

The relay (mailer/) claims rows with a lease and records each result only while it still
holds that lease, so a stalled relay's late answer cannot overwrite another's.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session

from models.context import Ctx
from models.tables import Invitation, OutboxMail

INVITE_KINDS = ("invitation", "reminder")


@dataclass(frozen=True)
class ClaimedMail:
    id: int
    kind: str
    to_addr: str
    to_name: str
    reply_to: str | None
    subject: str
    message_id: str
    payload: dict[str, Any]
    token: str | None
    attempts: int
    created_at: datetime
    lease_until: datetime


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    to_addr: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    message_id: str


def new_message_id(ctx: Ctx) -> str:
    domain = parseaddr(ctx.settings.mail_from)[1].rpartition("@")[2] or "licensedesk.local"
    return f"<{secrets.token_hex(16)}@{domain}>"


def enqueue(
    session: Session,
    ctx: Ctx,
    *,
    kind: str,
    to_addr: str,
    subject: str,
    payload: dict[str, Any],
    now: datetime,
    to_name: str = "",
    reply_to: str | None = None,
    token: str | None = None,
    invitation_id: int | None = None,
    send_no: int | None = None,
    notification_id: int | None = None,
    organization_id: int | None = None,
) -> None:
    assert ctx.sealer is not None
    session.add(OutboxMail(
        kind=kind, to_addr=to_addr, to_name=to_name, reply_to=reply_to, subject=subject,
        message_id=new_message_id(ctx), payload=json.dumps(payload, default=str),
        token_sealed=ctx.sealer.seal(token) if token else None, status="queued",
        next_attempt_at=now, invitation_id=invitation_id, send_no=send_no,
        notification_id=notification_id, organization_id=organization_id, created_at=now,
    ))


def count_recent_invite_mails(session: Session, organization_id: int, since: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(OutboxMail).where(
            OutboxMail.organization_id == organization_id,
            OutboxMail.created_at > since,
            OutboxMail.kind.in_(INVITE_KINDS),  # type: ignore[attr-defined]
        )
    ).scalar_one()


def claim(ctx: Ctx, owner: str, limit: int = 20) -> list[ClaimedMail]:
    """Lease up to `limit` due rows to `owner`; each claim counts as one attempt."""
    now = ctx.now()
    until = now + ctx.settings.outbox_lease
    due = select(OutboxMail.id).where(
        OutboxMail.status == "queued",
        OutboxMail.next_attempt_at <= now,
        or_(OutboxMail.lease_until.is_(None), OutboxMail.lease_until < now),  # type: ignore[union-attr]
    ).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
    if not ctx.db.is_sqlite:
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()))  # type: ignore[union-attr]
        .values(lease_owner=owner, lease_until=until, attempts=OutboxMail.attempts + 1)
        .returning(
            OutboxMail.id, OutboxMail.kind, OutboxMail.to_addr, OutboxMail.to_name,
            OutboxMail.reply_to, OutboxMail.subject, OutboxMail.message_id, OutboxMail.payload,
            OutboxMail.token_sealed, OutboxMail.attempts, OutboxMail.created_at,
        )
    )
    with ctx.db.write() as s:
        rows = s.execute(stmt).all()
    assert ctx.sealer is not None
    out = [
        ClaimedMail(
            id=r.id, kind=r.kind, to_addr=r.to_addr, to_name=r.to_name, reply_to=r.reply_to,
            subject=r.subject, message_id=r.message_id, payload=json.loads(r.payload),
            token=ctx.sealer.unseal(r.token_sealed) if r.token_sealed else None,
            attempts=r.attempts, created_at=r.created_at, lease_until=until,
        )
        for r in rows
    ]
    return sorted(out, key=lambda m: m.id)


def _held(mail_id: int, owner: str) -> Any:
    return and_(
        OutboxMail.id == mail_id, OutboxMail.lease_owner == owner, OutboxMail.status == "queued"
    )


def mark_sent(ctx: Ctx, mail_id: int, owner: str) -> bool:
    return mail_id in mark_sent_many(ctx, [mail_id], owner)


def mark_sent_many(ctx: Ctx, mail_ids: list[int], owner: str) -> set[int]:
    """Record delivered mails in one transaction; returns the ids still ours (the others'
    claims had passed to another relay, whose result stands).

    Once per mail on the relay's hot path: plain DB-API on a pooled connection, because
    SQLAlchemy's execution machinery costs about ten times SQLite's own work here. The
    conditions are those of _held()."""
    if not mail_ids:
        return set()
    mark = "?" if ctx.db.engine.dialect.paramstyle == "qmark" else "%s"
    sql = _SENT_SQL.replace("?", mark).replace("{ids}", ", ".join([mark] * len(mail_ids)))
    params = (_bind_time(ctx)(ctx.now()), owner, *mail_ids)
    conn = ctx.db.engine.raw_connection()
    try:
        cur = conn.cursor()
        if ctx.db.is_sqlite:
            cur.execute("BEGIN IMMEDIATE")  # the connections run in autocommit mode
        cur.execute(sql, params)
        done = {int(row[0]) for row in cur.fetchall()}
        if ctx.db.is_sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()
        cur.close()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return done


_SENT_SQL = (
    "UPDATE outbox_mail SET status = 'sent', sent_at = ?, lease_owner = NULL, "
    "lease_until = NULL, token_sealed = NULL, last_error = NULL "
    "WHERE lease_owner = ? AND status = 'queued' AND id IN ({ids}) RETURNING id"
)
_BIND_TIME: dict[str, Any] = {}


def _bind_time(ctx: Ctx) -> Any:
    """The time column's own conversion, so the stored value matches every other write."""
    dialect = ctx.db.engine.dialect
    if dialect.name not in _BIND_TIME:
        column = OutboxMail.__table__.c.sent_at  # type: ignore[attr-defined]
        _BIND_TIME[dialect.name] = column.type.bind_processor(dialect) or (lambda v: v)
    return _BIND_TIME[dialect.name]


def mark_retry(ctx: Ctx, mail_id: int, owner: str, error: str, delay: timedelta) -> bool:
    now = ctx.now()
    with ctx.db.write() as s:
        res = s.execute(update(OutboxMail).where(_held(mail_id, owner)).values(
            next_attempt_at=now + delay, lease_owner=None, lease_until=None,
            last_error=error[:2000],
        ))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def release(ctx: Ctx, mail_id: int, owner: str) -> bool:
    """Give a claimed row back untried (sending paused): the attempt does not count."""
    with ctx.db.write() as s:
        res = s.execute(update(OutboxMail).where(_held(mail_id, owner)).values(
            lease_owner=None, lease_until=None, attempts=OutboxMail.attempts - 1,
        ))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def mark_failed(ctx: Ctx, mail_id: int, owner: str, error: str) -> bool:
    """A permanent refusal: the row fails, and so does the invitation it carried."""
    from models.notifications import notify_failure

    now = ctx.now()
    with ctx.db.write() as s:
        row = s.execute(
            update(OutboxMail).where(_held(mail_id, owner)).values(
                status="failed", lease_owner=None, lease_until=None, token_sealed=None,
                last_error=error[:2000],
            ).returning(OutboxMail.invitation_id, OutboxMail.send_no, OutboxMail.kind)
        ).first()
        if row is None:
            return False
        if row.kind in INVITE_KINDS and row.invitation_id is not None:
            inv = s.get(Invitation, row.invitation_id)
            # Only the newest send decides: an old mail bouncing after a resend changes nothing.
            if inv and inv.send_no == row.send_no and inv.status in ("pending", "overdue"):
                inv.status = "failed"
                inv.failed_reason = error[:2000]
                notify_failure(s, ctx, inv, error, now)
    return True


def list_outbox(ctx: Ctx, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
    q = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)  # type: ignore[union-attr]
    if status:
        q = q.where(OutboxMail.status == status)
    with ctx.db.read() as s:
        rows = s.execute(q).scalars().all()
        return [
            OutboxRow(
                id=r.id or 0, kind=r.kind, to_addr=r.to_addr, subject=r.subject,
                status=r.status, attempts=r.attempts,
                next_attempt_at=r.next_attempt_at if r.status == "queued" else None,
                sent_at=r.sent_at, last_error=r.last_error, message_id=r.message_id,
            )
            for r in rows
        ]


def pending_count(ctx: Ctx) -> int:
    with ctx.db.read() as s:
        return s.execute(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.status == "queued")
        ).scalar_one()
