"""The outbox: mails written in the transaction that caused them, sent later by the relay.

The relay (mailer/) claims rows with a lease and records each result only while it still
holds that lease, so a stalled relay's late answer cannot overwrite another's.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, inspect, select, update
from sqlmodel import Session, col

from models.context import Ctx
from models.db import rowcount
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
    problem: str | None = None  # why this row cannot become a mail (it fails alone)


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
    return f"<{secrets.token_hex(16)}@{_id_domain(ctx.settings.mail_from)}>"


@lru_cache(maxsize=4)
def _id_domain(mail_from: str) -> str:
    """The From domain as a Message-ID may carry it: ASCII (an IDN as its A-label)."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2]
    if not domain.isascii():
        import idna

        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            domain = ""
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+", domain) else "licensedesk.local"


def payload_text(payload: dict[str, Any]) -> str:
    """A mail's template data as the outbox stores it (the demo data stores it so too):
    json.dumps(payload, default=str), with the encoder made once instead of per call."""
    return _PAYLOAD_ENCODER.encode(payload)


_PAYLOAD_ENCODER = json.JSONEncoder(default=str)
# One value as payload_text writes it inside the object (the demo data fills templates so).
json_text = _PAYLOAD_ENCODER.encode


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
        message_id=new_message_id(ctx), payload=payload_text(payload),
        token_sealed=ctx.sealer.seal(token) if token else None, status="queued",
        next_attempt_at=now, invitation_id=invitation_id, send_no=send_no,
        notification_id=notification_id, organization_id=organization_id, created_at=now,
    ))


def count_recent_invite_mails(session: Session, organization_id: int, since: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(OutboxMail).where(
            col(OutboxMail.organization_id) == organization_id,
            col(OutboxMail.created_at) > since,
            col(OutboxMail.kind).in_(INVITE_KINDS),
        )
    ).scalar_one()


class Busy(Exception):
    """Another writer holds the SQLite lock and the caller asked not to wait for it."""


def claim(ctx: Ctx, owner: str, limit: int = 20, *, wait: bool = True) -> list[ClaimedMail]:
    """Lease up to `limit` due rows to `owner`; each claim counts as one attempt.

    SQLite serializes this in BEGIN IMMEDIATE; PostgreSQL skips rows another relay has
    locked (FOR UPDATE SKIP LOCKED). Plain DB-API, like mark_sent_many: it runs for every
    few mails."""
    now = ctx.now()
    until = now + ctx.settings.outbox_lease
    dialect = ctx.db.engine.dialect
    sql = _CLAIM_SQL.replace("{lock}", "" if ctx.db.is_sqlite else "FOR UPDATE SKIP LOCKED")
    if dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    to_db, from_db = _bind_time(ctx), _read_time(ctx)
    rows = _raw_write(ctx, sql, (owner, to_db(until), to_db(now), to_db(now), limit), wait)
    out = [_claimed(ctx, r, until, from_db) for r in rows]
    return sorted(out, key=lambda m: m.id)


def _claimed(ctx: Ctx, r: tuple[Any, ...], until: datetime, from_db: Any) -> ClaimedMail:
    """One claimed row. A row that cannot be read (a payload that is not JSON, a token that
    no longer unseals) still comes back, with its problem, so the relay fails it alone
    instead of the whole claim failing for every row."""
    assert ctx.sealer is not None
    problem = None
    try:
        payload = json.loads(r[7])
        if not isinstance(payload, dict):
            raise ValueError("the payload is not an object")
    except ValueError as err:
        payload, problem = {}, f"this mail's stored data is damaged ({err}); resend it"
    try:
        created = from_db(r[10])
    except (ValueError, TypeError):
        created = until
        problem = problem or "this mail's stored time is damaged; resend it"
    return ClaimedMail(
        id=r[0], kind=r[1], to_addr=r[2], to_name=r[3] or "", reply_to=r[4],
        subject=r[5] or "", message_id=r[6], payload=payload,
        token=ctx.sealer.unseal(r[8]) if r[8] else None,
        attempts=r[9], created_at=created, lease_until=until, problem=problem,
    )


def renew(ctx: Ctx, owner: str, mail_ids: list[int], *, wait: bool = True) -> set[int]:
    """The relay's heartbeat: push the lease of the rows it still holds forward, so a live
    relay keeps them while a dead one (killed, power lost) lets them go within one lease.
    Returns the ids still ours."""
    if not mail_ids:
        return set()
    mark = "?" if ctx.db.engine.dialect.paramstyle == "qmark" else "%s"
    sql = _RENEW_SQL.replace("?", mark).replace("{ids}", ", ".join([mark] * len(mail_ids)))
    until = ctx.now() + ctx.settings.outbox_lease
    rows = _raw_write(ctx, sql, (_bind_time(ctx)(until), owner, *mail_ids), wait)
    return {int(r[0]) for r in rows}


_RENEW_SQL = (
    "UPDATE outbox_mail SET lease_until = ? "
    "WHERE lease_owner = ? AND status = 'queued' AND id IN ({ids}) RETURNING id"
)
_CLAIM_SQL = (
    "UPDATE outbox_mail SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM outbox_mail WHERE status = 'queued' "
    "AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) "
    "ORDER BY next_attempt_at, id LIMIT ? {lock}) "
    "RETURNING id, kind, to_addr, to_name, reply_to, subject, message_id, payload, "
    "token_sealed, attempts, created_at"
)


def _raw_write(ctx: Ctx, sql: str, params: tuple[Any, ...],
               wait: bool = True) -> list[tuple[Any, ...]]:
    """One statement in its own write transaction on a pooled DB-API connection.

    wait=False (SQLite): raise Busy at once if another writer holds the lock, instead of
    waiting up to the busy timeout; the relay's event loop calls it so, and hands the
    write to a thread only when it would wait."""
    if ctx.db.is_sqlite and not wait:
        rows = _unwaiting_write(ctx.db.unwaiting_connection(), sql, params)
        ctx.db.committed_unwaiting()
        return rows
    conn = ctx.db.engine.raw_connection()
    try:
        cur = conn.cursor()
        if ctx.db.is_sqlite:
            cur.execute("BEGIN IMMEDIATE")  # the connections run in autocommit mode
        cur.execute(sql, params)
        rows = list(cur.fetchall())
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
    return rows


def _unwaiting_write(conn: sqlite3.Connection, sql: str,
                     params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """_raw_write(wait=False) on SQLite, on this thread's kept connection (busy_timeout 0):
    the same transaction, without a pool checkout and two PRAGMAs per write."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if "locked" not in str(err):
            raise
        raise Busy from None
    try:
        rows = conn.execute(sql, params).fetchall()
        conn.execute("COMMIT")
    except BaseException:
        conn.rollback()  # nothing of a failed write stays, nor a transaction left open
        raise
    return rows


def _held(mail_id: int, owner: str) -> ColumnElement[bool]:
    return and_(col(OutboxMail.id) == mail_id, col(OutboxMail.lease_owner) == owner,
                col(OutboxMail.status) == "queued")


def mark_sent(ctx: Ctx, mail_id: int, owner: str) -> bool:
    return mail_id in mark_sent_many(ctx, [mail_id], owner)


def mark_sent_many(ctx: Ctx, mail_ids: list[int], owner: str, *,
                   wait: bool = True) -> set[int]:
    """Record delivered mails in one transaction; returns the ids still ours (the others'
    claims had passed to another relay, whose result stands).

    Once per mail on the relay's hot path: plain DB-API on a pooled connection, because
    SQLAlchemy's execution machinery costs about ten times SQLite's own work here. The
    conditions are those of _held()."""
    if not mail_ids:
        return set()
    mark = "?" if ctx.db.engine.dialect.paramstyle == "qmark" else "%s"
    sql = _SENT_SQL.replace("?", mark).replace("{ids}", ", ".join([mark] * len(mail_ids)))
    rows = _raw_write(ctx, sql, (_bind_time(ctx)(ctx.now()), owner, *mail_ids), wait)
    return {int(r[0]) for r in rows}


_SENT_SQL = (
    "UPDATE outbox_mail SET status = 'sent', sent_at = ?, lease_owner = NULL, "
    "lease_until = NULL, token_sealed = NULL, last_error = NULL "
    "WHERE lease_owner = ? AND status = 'queued' AND id IN ({ids}) RETURNING id"
)
_BIND_TIME: dict[str, Any] = {}


_READ_TIME: dict[str, Any] = {}


def _read_time(ctx: Ctx) -> Any:
    dialect = ctx.db.engine.dialect
    if dialect.name not in _READ_TIME:
        column = inspect(OutboxMail).columns["created_at"]
        impl = column.type.dialect_impl(dialect)
        _READ_TIME[dialect.name] = impl.result_processor(dialect, None) or (lambda v: v)
    return _READ_TIME[dialect.name]


def _bind_time(ctx: Ctx) -> Any:
    """The time column's own conversion, so the stored value matches every other write."""
    dialect = ctx.db.engine.dialect
    if dialect.name not in _BIND_TIME:
        column = inspect(OutboxMail).columns["sent_at"]
        impl = column.type.dialect_impl(dialect)
        _BIND_TIME[dialect.name] = impl.bind_processor(dialect) or (lambda v: v)
    return _BIND_TIME[dialect.name]


def mark_retry(ctx: Ctx, mail_id: int, owner: str, error: str, delay: timedelta) -> bool:
    now = ctx.now()
    with ctx.db.write() as s:
        res = s.execute(update(OutboxMail).where(_held(mail_id, owner)).values(
            next_attempt_at=now + delay, lease_owner=None, lease_until=None,
            last_error=error[:2000],
        ))
    return bool(rowcount(res))


def release(ctx: Ctx, mail_id: int, owner: str) -> bool:
    """Give a claimed row back untried (sending paused): the attempt does not count."""
    with ctx.db.write() as s:
        res = s.execute(update(OutboxMail).where(_held(mail_id, owner)).values(
            lease_owner=None, lease_until=None, attempts=OutboxMail.attempts - 1,
        ))
    return bool(rowcount(res))


def mark_failed(ctx: Ctx, mail_id: int, owner: str, error: str) -> bool:
    """A permanent refusal: the row fails, and so does the invitation it carried."""
    from models.notifications import notify_failure

    now = ctx.now()
    with ctx.db.write() as s:
        row = s.execute(
            update(OutboxMail).where(_held(mail_id, owner)).values(
                status="failed", lease_owner=None, lease_until=None, token_sealed=None,
                last_error=error[:2000],
            ).returning(col(OutboxMail.invitation_id), col(OutboxMail.send_no),
                        col(OutboxMail.kind))
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


def cancel_queued(session: Session, invitation_id: int, reason: str) -> int:
    """Queued mails of this invitation that will not be sent: their link died with a newer
    one. A row a relay holds at this moment may still go; its record then finds it gone."""
    res = session.execute(update(OutboxMail).where(
        col(OutboxMail.invitation_id) == invitation_id, col(OutboxMail.status) == "queued",
        col(OutboxMail.lease_owner).is_(None),
    ).values(status="cancelled", token_sealed=None, last_error=reason))
    return rowcount(res)


def list_outbox(ctx: Ctx, status: str | None = None, limit: int = 200,
                offset: int = 0) -> list[OutboxRow]:
    q = select(OutboxMail).order_by(col(OutboxMail.id).desc()).offset(offset).limit(limit)
    if status:
        q = q.where(col(OutboxMail.status) == status)
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
            select(func.count()).select_from(OutboxMail).where(
                col(OutboxMail.status) == "queued")
        ).scalar_one()
