"""Notifications for the staff member who sent an invitation: accepted, overdue, failed.

Each is a row (the console's toasts and Alerts read it) and a mail to that person's inbox;
on PostgreSQL its transaction also wakes every console at commit (models.live).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from models.audit import AuditText, record
from models.context import Ctx
from models.db import rowcount
from models.live import announce
from models.outbox import enqueue
from models.products import PRODUCTS
from models.tables import Invitation, License, Notification, Organization, Staff
from models.views import NotificationRow

SUBJECTS = {
    "accepted": "{email} accepted the invitation to {org} ({product})",
    "overdue": "{email} has not picked up the invitation to {org} ({product}) in {span}",
    "failed": "The invitation to {email} for {org} ({product}) could not be delivered",
}


def in_words(span: timedelta) -> str:
    """A setting's duration as a person says it: "48 hours", "5 days", "90 minutes"."""
    minutes = int(span.total_seconds() // 60)
    hours, days = divmod(minutes, 60), divmod(minutes, 1440)
    if days[1] == 0 and days[0] > 3:
        return _plural(days[0], "day")
    if hours[1] == 0 and hours[0] > 0:
        return _plural(hours[0], "hour")
    if minutes > 0:
        return _plural(minutes, "minute")
    return _plural(int(span.total_seconds()), "second")


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = session.execute(select(model).where(model.id.in_(ids))).scalars()
    return {r.id: r for r in rows}


def notify_many(
    session: Session, ctx: Ctx, items: Sequence[tuple[Invitation, str, str]], now: datetime
) -> None:
    """One notification and one staff mail per (invitation, kind, extra).

    Loads the licenses, organizations and inviters of the whole batch in three queries and
    flushes once: the overdue scan hands over hundreds of rows while holding the write lock.
    """
    with session.no_autoflush:
        lics = _by_id(session, License, {inv.license_id for inv, _, _ in items})
        orgs = _by_id(session, Organization, {inv.organization_id for inv, _, _ in items})
        staff = _by_id(session, Staff, {inv.invited_by for inv, _, _ in items if inv.invited_by})
    notes: list[tuple[Notification, Staff, Notice]] = []
    for inv, kind, extra in items:
        st = staff.get(inv.invited_by or 0)
        if st is None:
            continue
        lic, org = lics[inv.license_id], orgs[inv.organization_id]
        said = notice(kind, email=inv.email, role=inv.role, organization=org.name,
                      product=PRODUCTS[lic.product].label, license_id=lic.id,
                      staff_name=st.name, overdue_after=ctx.settings.overdue_after, extra=extra)
        note = Notification(
            staff_id=st.id or 0, kind=kind, invitation_id=inv.id, license_id=lic.id,
            send_no=inv.send_no, text=said.text, created_at=now,
        )
        notes.append((note, st, said))
    session.add_all([n for n, _, _ in notes])
    session.flush()
    announce(session, (n.staff_id for n, _, _ in notes))
    for note, st, said in notes:
        if st.notify != "each":
            continue  # a daily digest, or the console only (models.digest)
        enqueue(
            session, ctx, kind=f"notify_{note.kind}", to_addr=st.email, to_name=st.name,
            subject=said.subject, now=now, notification_id=note.id, payload=said.payload,
        )


class Notice(NamedTuple):
    text: str  # the notification row's
    subject: str  # its mail's
    payload: dict[str, Any]  # its mail's template data


def notice(
    kind: str, *, email: str, role: str, organization: str, product: str,
    license_id: int | None, staff_name: str, overdue_after: timedelta, extra: str = "",
) -> Notice:
    """The one wording of a notification (`kind` accepted, overdue or failed) and its mail;
    notify_many writes it, the demo data builds its rows from it."""
    text = SUBJECTS[kind].format(email=email, org=organization, product=product,
                                 span=in_words(overdue_after))
    if extra:
        text = f"{text}: {extra}"
    return Notice(text[:1000], text[:250], {
        "kind": kind, "text": text, "invitee_email": email, "role": role,
        "organization": organization, "product": product, "license_id": license_id,
        "staff_name": staff_name, "reason": extra,
    })


def notify(
    session: Session, ctx: Ctx, inv: Invitation, kind: str, now: datetime, extra: str = ""
) -> None:
    notify_many(session, ctx, [(inv, kind, extra)], now)


def failed_audit(email: str, reason: str) -> AuditText:
    return AuditText("mailer", "invitation.failed", f"{email}: {reason}"[:1000])


def notify_failure(session: Session, ctx: Ctx, inv: Invitation, reason: str, now: datetime) -> None:
    record(session, now, *failed_audit(inv.email, reason),
           organization_id=inv.organization_id, license_id=inv.license_id,
           invitation_id=inv.id)
    notify(session, ctx, inv, "failed", now, extra=reason[:300])


def _row(n: Notification) -> NotificationRow:
    return NotificationRow(
        id=n.id or 0, kind=n.kind, text=n.text, license_id=n.license_id,
        invitation_id=n.invitation_id, created_at=n.created_at, read=n.read_at is not None,
    )


def list_notifications(
    ctx: Ctx, staff_id: int, *, unread_only: bool = False, limit: int = 200
) -> list[NotificationRow]:
    q = select(Notification).where(col(Notification.staff_id) == staff_id)
    if unread_only:
        q = q.where(col(Notification.read_at).is_(None))
    q = q.order_by(col(Notification.id).desc()).limit(limit)
    with ctx.db.read() as s:
        return [_row(n) for n in s.execute(q).scalars()]


def notifications_after(ctx: Ctx, staff_id: int, after_id: int) -> list[NotificationRow]:
    """New ones since `after_id`, oldest first: what the console's watcher turns into toasts."""
    q = (select(Notification)
         .where(col(Notification.staff_id) == staff_id, col(Notification.id) > after_id)
         .order_by(col(Notification.id)).limit(100))
    with ctx.db.read() as s:
        return [_row(n) for n in s.execute(q).scalars()]


def latest_notification_id(ctx: Ctx, staff_id: int) -> int:
    with ctx.db.read() as s:
        return s.execute(
            select(func.coalesce(func.max(Notification.id), 0))
            .where(col(Notification.staff_id) == staff_id)
        ).scalar_one()


def unread_count(ctx: Ctx, staff_id: int) -> int:
    with ctx.db.read() as s:
        return s.execute(
            select(func.count()).select_from(Notification).where(
                col(Notification.staff_id) == staff_id,
                col(Notification.read_at).is_(None),
            )
        ).scalar_one()


def mark_read(ctx: Ctx, staff_id: int, ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all of this person's) read."""
    stmt = update(Notification).where(
        col(Notification.staff_id) == staff_id,
        col(Notification.read_at).is_(None),
    )
    if ids is not None:
        stmt = stmt.where(col(Notification.id).in_(ids))
    with ctx.db.write() as s:
        res = s.execute(stmt.values(read_at=ctx.now()))
        if rowcount(res):
            announce(s, [staff_id])  # this person's other consoles: the unread count
    return rowcount(res)
