"""Figures for the console's charts, counted in SQL (issue 13).

- `status_history`: a license's invitation events by status, one count per UTC day for the
  last `days` days (today included), from the audit trail (`GROUP BY` kind and day). "sent"
  counts every send of a link: the first, a resend, a reminder (by hand or automatic), a link
  handed over by hand.
- `open_ages`: the open invitations (pending, overdue, failed) by the age of their last send,
  in three buckets cut at the settings' overdue time and expiry (48 hours and 7 days by
  default): not yet overdue, overdue but not expired, older. An invitation exactly 48 hours
  old is in the second bucket, as the overdue scan sees it.
- `open_aged`: one bucket's invitations, oldest send first (the Needs attention filter).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlmodel import col

from models.context import Ctx
from models.notifications import in_words
from models.products import OPEN_STATUSES
from models.tables import AuditEvent, Invitation
from models.views import AgeBucket, InvitationRow, OpenAges, StatusHistory, StatusSeries

# Each series of the status chart, with the audit kinds that count for it.
SERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sent", ("invitation.sent", "invitation.resent", "invitation.reminded",
              "invitation.auto_reminded", "invitation.handed_over")),
    ("accepted", ("invitation.accepted",)),
    ("overdue", ("invitation.overdue",)),
    ("failed", ("invitation.failed",)),
)
_SERIES_OF = {kind: name for name, kinds in SERIES for kind in kinds}
BUCKETS = (1, 2, 3)


def _day(ctx: Ctx, column: Any) -> Any:
    """The UTC calendar day of a time column, in SQL. SQLite holds UTC text; PostgreSQL a
    timestamptz, whose date would follow the session's time zone without `timezone('UTC')`."""
    if ctx.db.is_sqlite:
        return func.date(column)
    return func.date(func.timezone("UTC", column))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def status_history(ctx: Ctx, license_id: int, days: int = 30) -> StatusHistory:
    days = max(1, days)
    today = ctx.now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(0), UTC)
    until = since + timedelta(days=days)
    day = _day(ctx, col(AuditEvent.at)).label("day")
    q = (select(col(AuditEvent.kind), day, func.count())
         .where(col(AuditEvent.license_id) == license_id,
                col(AuditEvent.kind).in_(_SERIES_OF),
                col(AuditEvent.at) >= since, col(AuditEvent.at) < until)
         .group_by(col(AuditEvent.kind), day))
    counts = {name: [0] * days for name, _ in SERIES}
    with ctx.db.read() as s:
        for kind, on, n in s.execute(q):
            index = (_as_date(on) - first).days
            if 0 <= index < days:
                counts[_SERIES_OF[kind]][index] += int(n)
    return StatusHistory(license_id, since, days,
                         tuple(StatusSeries(name, tuple(counts[name])) for name, _ in SERIES))


def _cuts(ctx: Ctx) -> tuple[timedelta, timedelta]:
    overdue = ctx.settings.overdue_after
    return overdue, max(ctx.settings.invite_expiry, overdue)


def bucket_labels(ctx: Ctx) -> dict[int, str]:
    overdue, expiry = _cuts(ctx)
    return {1: f"under {in_words(overdue)}", 2: f"{in_words(overdue)} to {in_words(expiry)}",
            3: f"over {in_words(expiry)}"}


def _bounds(ctx: Ctx, now: datetime, number: int) -> tuple[datetime | None, datetime | None]:
    """(sent after, sent at or before) of a bucket; None: unbounded."""
    overdue, expiry = _cuts(ctx)
    newest, oldest = now - overdue, now - expiry
    return {1: (newest, None), 2: (oldest, newest), 3: (None, oldest)}[number]


def _within(lo: datetime | None, hi: datetime | None) -> list[ColumnElement[bool]]:
    sent = col(Invitation.sent_at)
    return [*([sent > lo] if lo else []), *([sent <= hi] if hi else [])]


def open_ages(ctx: Ctx) -> OpenAges:
    now = ctx.now()
    sums = [func.coalesce(func.sum(case((and_(*_within(*_bounds(ctx, now, n))), 1),
                                        else_=0)), 0) for n in BUCKETS]
    with ctx.db.read() as s:
        row = s.execute(select(*sums).where(col(Invitation.status).in_(OPEN_STATUSES))).one()
    labels = bucket_labels(ctx)
    return OpenAges(tuple(AgeBucket(n, labels[n], int(row[i])) for i, n in enumerate(BUCKETS)))


def open_aged(ctx: Ctx, number: int, limit: int = 500) -> list[InvitationRow]:
    """The open invitations of bucket `number`, oldest send first: one ordered walk of the
    (status, sent_at) index per open status, merged here, as `needs_attention` does."""
    from models.queries import _invitation_rows

    if number not in BUCKETS:
        raise ValueError(f"no age bucket {number}; choose one of {BUCKETS}")
    lo, hi = _bounds(ctx, ctx.now(), number)
    sent = col(Invitation.sent_at)
    keyed: list[tuple[Any, int]] = []
    with ctx.db.read() as s:
        for status in OPEN_STATUSES:
            q = select(sent, col(Invitation.id)).where(col(Invitation.status) == status,
                                                        *_within(lo, hi))
            keyed += [(r.sent_at, r.id) for r in s.execute(
                q.order_by(sent, col(Invitation.id)).limit(limit))]
    ids = [i for _, i in sorted(keyed)[:limit]]
    if not ids:
        return []
    return _invitation_rows(ctx, select(Invitation).where(col(Invitation.id).in_(ids))
                            .order_by(sent, col(Invitation.id)))
