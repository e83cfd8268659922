"""How staff hear of their invitations: a mail each, a daily digest, or the console only;
and "since you were last here".

What happened to a person's invitations in a span is one query (`changes_since`): the
notifications the services already write for them (accepted, overdue, failed) and their
invitations that expired in it. The digest mail, the console's since-view and
`licensedesk digest` all read it.

The digest goes once a day per person, at `digest_hour` in `digest_zone` (an IANA zone;
UTC by default), with what happened since the previous digest (the first covers 24 hours).
Exactly once across processes: the day is claimed with a compare-and-set on `digest_at` in
the transaction that queues the mail. A day with nothing to say sends nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, or_, select, update
from sqlmodel import Session, col

from models.audit import record
from models.context import Ctx
from models.db import rowcount
from models.errors import Refused
from models.outbox import enqueue
from models.tables import Invitation, Notification, Staff
from models.views import NotifyPrefs, SinceItem, SinceReport, StaffRef

NOTIFY_CHOICES = ("each", "digest", "none")
KINDS = ("accepted", "overdue", "failed", "expired")
MAX_ITEMS = 200
FIRST_SPAN = timedelta(hours=24)


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone named; Refused with the reason when there is none by that name."""
    try:
        if not name or not name.isprintable() or ".." in name or name.startswith("/"):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"no time zone {name[:64]!r}; use a name like UTC or Europe/Warsaw"
        raise Refused(msg, fields={"digest_zone": msg}) from None


def prefs_of(row: Staff) -> NotifyPrefs:
    return NotifyPrefs(row.notify, row.digest_hour, row.digest_zone)


def get_prefs(ctx: Ctx, staff_id: int) -> NotifyPrefs:
    with ctx.db.read() as s:
        row = s.get(Staff, staff_id)
        assert row is not None
        return prefs_of(row)


def check_prefs(notify: str | None = None, hour: int | str | None = None,
                zone_name: str | None = None) -> tuple[str | None, int | None, str | None]:
    """The preferences as `set_prefs` stores them, or the Refused it would raise, writing
    nothing: a command that changes more than these checks them before any write."""
    if isinstance(hour, str):
        typed = hour
        try:
            hour = int(typed.strip())
        except ValueError:
            msg = f"the digest hour is a whole number from 0 to 23; got {typed[:20]!r}"
            raise Refused(msg, fields={"digest_hour": msg}) from None
    if notify is not None and notify not in NOTIFY_CHOICES:
        msg = f"notify is one of {', '.join(NOTIFY_CHOICES)}; got {notify[:20]!r}"
        raise Refused(msg, fields={"notify": msg})
    if hour is not None and not 0 <= hour <= 23:
        msg = f"the digest hour is 0 to 23; got {hour}"
        raise Refused(msg, fields={"digest_hour": msg})
    if zone_name is not None:
        zone_name = zone_name.strip()
        zone(zone_name)
    return notify, hour, zone_name


def set_prefs(ctx: Ctx, actor: StaffRef, notify: str | None = None,
              hour: int | str | None = None, zone_name: str | None = None) -> NotifyPrefs:
    """Change your own notification preferences (audited); what is not given stays. The hour
    may be text as typed in a form."""
    notify, hour, zone_name = check_prefs(notify, hour, zone_name)
    with ctx.db.write() as s:
        row = s.get(Staff, actor.id)
        if row is None or not row.active:
            raise Refused("only your own active profile can be changed")
        before = prefs_of(row)
        if notify == "digest" and row.notify != "digest":
            row.digest_at = ctx.now()  # the first digest covers from now, at the next hour
        row.notify = notify if notify is not None else row.notify
        row.digest_hour = hour if hour is not None else row.digest_hour
        row.digest_zone = zone_name if zone_name is not None else row.digest_zone
        after = prefs_of(row)
        if after != before:
            s.add(row)
            record(s, ctx.now(), actor.email, "staff.notify", _words(after))
        return after


def _words(p: NotifyPrefs) -> str:
    if p.notify == "digest":
        return f"notifications: a daily digest at {p.digest_hour:02d}:00 {p.digest_zone}"
    return {"each": "notifications: a mail for each", "none": "notifications: console only"}[
        p.notify]


# what happened -----------------------------------------------------------------------------

def changes_since(s: Session, staff_id: int, since: datetime | None,
                  until: datetime) -> SinceReport:
    """This person's accepted, overdue and failed notifications and expired invitations in
    (since, until]; `since` None: nothing (a first visit has no "since")."""
    if since is None or since >= until:
        return SinceReport(since, until, 0, 0, 0, 0, ())
    note_where = (col(Notification.staff_id) == staff_id, col(Notification.created_at) > since,
                  col(Notification.created_at) <= until)
    counts = dict(s.execute(select(col(Notification.kind), func.count())
                            .where(*note_where).group_by(col(Notification.kind))).all())
    exp_where = (col(Invitation.invited_by) == staff_id, col(Invitation.status) == "expired",
                 col(Invitation.expires_at) > since, col(Invitation.expires_at) <= until)
    expired = s.execute(select(func.count()).select_from(Invitation)
                        .where(*exp_where)).scalar_one()
    items = [SinceItem(n.kind, n.created_at, n.text, n.license_id, n.invitation_id)
             for n in s.execute(select(Notification).where(*note_where)
                                .order_by(col(Notification.id).desc()).limit(MAX_ITEMS))
             .scalars()]
    items += [SinceItem("expired", i.expires_at, f"the link for {i.email} expired",
                        i.license_id, i.id)
              for i in s.execute(select(Invitation).where(*exp_where)
                                 .order_by(col(Invitation.expires_at).desc())
                                 .limit(MAX_ITEMS)).scalars()]
    items.sort(key=lambda it: it.at, reverse=True)
    return SinceReport(since, until, counts.get("accepted", 0), counts.get("overdue", 0),
                       counts.get("failed", 0), expired, tuple(items[:MAX_ITEMS]))


def report(ctx: Ctx, staff_id: int, span: timedelta) -> SinceReport:
    now = ctx.now()
    with ctx.db.read() as s:
        return changes_since(s, staff_id, now - span, now)


def welcome(ctx: Ctx, staff_id: int) -> SinceReport:
    """What changed since this person last had the console open; the console is open now
    (last_seen_at moves to now in the same transaction, so two consoles started at once
    each show it once at most)."""
    now = ctx.now()
    with ctx.db.write() as s:
        row = s.get(Staff, staff_id)
        assert row is not None
        since = row.last_seen_at
        row.last_seen_at = now
        s.add(row)
        return changes_since(s, staff_id, since, now)


def seen(ctx: Ctx, staff_id: int) -> None:
    """The console is still open (called now and then, and on the way out): one UPDATE."""
    with ctx.db.write() as s:
        s.execute(update(Staff).where(col(Staff.id) == staff_id)
                  .values(last_seen_at=ctx.now()))


# the daily digest --------------------------------------------------------------------------

def digest_due_at(now: datetime, hour: int, zone_name: str) -> datetime:
    """The most recent digest time at or before `now` (UTC): today's `hour` in the zone, or
    yesterday's when today's has not come yet."""
    try:
        tz = zone(zone_name)
    except Refused:
        tz = ZoneInfo("UTC")
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), time(hour), tzinfo=tz)
    if at > local:
        at = datetime.combine(local.date() - timedelta(days=1), time(hour), tzinfo=tz)
    return at.astimezone(UTC)


def digest_subject(r: SinceReport) -> str:
    return (f"licensedesk digest: {r.accepted} accepted, {r.overdue} overdue, "
            f"{r.failed} failed, {r.expired} expired")


def scan_digests(ctx: Ctx) -> int:
    """Queue every due digest mail; how many this process queued."""
    now = ctx.now()
    with ctx.db.read() as s:
        people = s.execute(select(col(Staff.id), col(Staff.digest_hour), col(Staff.digest_zone),
                                  col(Staff.digest_at))
                           .where(col(Staff.notify) == "digest",
                                  col(Staff.active).is_(True))).all()
    queued = 0
    for staff_id, hour, zone_name, last in people:
        due = digest_due_at(now, hour, zone_name)
        if last is not None and last >= due:
            continue
        queued += _claim_digest(ctx, staff_id, due, now)
    return queued


def _claim_digest(ctx: Ctx, staff_id: int, due: datetime, now: datetime) -> int:
    with ctx.db.write() as s:
        row = s.get(Staff, staff_id)
        if row is None or row.notify != "digest":
            return 0
        last = row.digest_at
        claimed = rowcount(s.execute(
            update(Staff).where(col(Staff.id) == staff_id,
                                or_(col(Staff.digest_at).is_(None), col(Staff.digest_at) < due))
            .values(digest_at=now).execution_options(synchronize_session=False)))
        if claimed != 1:
            return 0  # another process sent today's
        r = changes_since(s, staff_id, last if last is not None else now - FIRST_SPAN, now)
        if not r.total:
            return 0
        enqueue(s, ctx, kind="digest", to_addr=row.email, to_name=row.name,
                subject=digest_subject(r), now=now, payload=digest_payload(row.name, r))
        return 1


def digest_payload(staff_name: str, r: SinceReport) -> dict[str, object]:
    return {
        "staff_name": staff_name, "since": r.since.isoformat() if r.since else "",
        "until": r.until.isoformat(), **r.counts(),
        "lines": [f"{it.at:%Y-%m-%d %H:%M} UTC  {it.kind:<8}  {it.text}"
                  + (f"  (license #{it.license_id})" if it.license_id else "")
                  for it in r.items],
    }
