"""Automatic reminders (LICENSEDESK_AUTO_REMIND, e.g. "24h,72h"), safe in many processes.

The rule, in one place: at each age of the schedule, measured from the invitation's last
send (`sent_at`), an open (pending or overdue) invitation not past its expiry, on a license
that did not opt out, gets one reminder mail, once per step per send. A send (invite,
resend, manual reminder, link by hand) starts the schedule again: it sets `auto_reminded`
back to 0. When a scan finds several steps due at once (the workers were stopped), one mail
goes and every due step counts as done: the invitee is reminded, not flooded.

Exactly once: the step is claimed with a compare-and-set on `auto_reminded` (and the send
number) in the transaction that queues the mail and writes the audit row, so two scanners
that race for it write one mail. Per organization, the rows are handled with the
organization locked (PostgreSQL; SQLite's writes are serialized anyway), as every other
invitation mail is, so the per-organization rate limit holds across processes; a reminder
that would pass it waits for a later scan.

An automatic reminder issues a new link (only a token's hash is stored, so the old link's
text is gone) but keeps the send: its time, its 48 hours and its expiry do not move. It is
audited as sent by the system on behalf of the inviter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session, col

from models.audit import AuditText, record
from models.context import Ctx
from models.db import rowcount
from models.errors import NotFound
from models.languages import invitee_language
from models.notifications import in_words
from models.outbox import count_recent_invite_mails, enqueue
from models.products import PRODUCTS, REMINDABLE_STATUSES
from models.tables import Invitation, License, Organization
from models.timeutil import parse_duration
from models.views import StaffRef

BATCH = 500
MAX_STEPS = 10
SYSTEM = "system"


def parse_schedule(value: Any) -> tuple[timedelta, ...]:
    """"24h,72h" -> (24 h, 72 h); "", "off", "none", None -> () (off). Each age more than 0,
    at most the longest setting (3650 days), strictly increasing, at most ten of them;
    ValueError saying which part is wrong otherwise."""
    if value is None:
        return ()
    if isinstance(value, timedelta):
        value = (value,)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "off", "none", "no", "0"):
            return ()
        parts: list[Any] = text.split(",")
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise ValueError(f"not a list of ages: {value!r} (use e.g. 24h,72h, or off)")
    ages: list[timedelta] = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            raise ValueError("has an empty age between commas (use e.g. 24h,72h, or off)")
        age = parse_duration(part)
        if age <= timedelta(0):
            raise ValueError(f"age {part!r} must be more than 0 (use e.g. 24h,72h, or off)")
        if age > timedelta(days=3650):
            raise ValueError(f"age {part!r} is longer than 3650 days")
        if ages and age <= ages[-1]:
            raise ValueError(f"ages must grow: {part!r} comes after {in_words(ages[-1])} "
                             "(use e.g. 24h,72h)")
        ages.append(age)
    if len(ages) > MAX_STEPS:
        raise ValueError(f"has {len(ages)} ages; at most {MAX_STEPS}")
    return tuple(ages)


def auto_audit(email: str, step: int, age: timedelta, inviter: str, send_no: int) -> AuditText:
    on_behalf = f" on behalf of {inviter}" if inviter else ""
    return AuditText(SYSTEM, "invitation.auto_reminded",
                     f"reminded {email} automatically{on_behalf} "
                     f"({in_words(age)} after send #{send_no}, reminder {step})")


def _steps_due(schedule: tuple[timedelta, ...], sent_at: datetime, now: datetime) -> int:
    return sum(1 for age in schedule if sent_at + age <= now)


def _due_where(schedule: tuple[timedelta, ...], now: datetime) -> Any:
    """An invitation whose next step is due: step k not yet done and k's age reached."""
    return and_(
        col(Invitation.status).in_(REMINDABLE_STATUSES),
        col(Invitation.expires_at) > now,
        col(Invitation.auto_reminded) < len(schedule),
        or_(*(and_(col(Invitation.auto_reminded) == k, col(Invitation.sent_at) <= now - age)
              for k, age in enumerate(schedule))),
    )


def scan_auto_remind(ctx: Ctx) -> int:
    """Send every due automatic reminder; how many this process sent."""
    schedule = ctx.settings.auto_remind
    if not schedule:
        return 0
    total = 0
    skip: set[int] = set()  # organizations at their rate limit in this scan
    while True:
        now = ctx.now()
        with ctx.db.read() as s:
            q = (select(col(Invitation.organization_id), col(Invitation.id))
                 .join(License, col(License.id) == col(Invitation.license_id))
                 .where(_due_where(schedule, now), col(License.auto_remind).is_(True)))
            if skip:
                q = q.where(col(Invitation.organization_id).not_in(skip))
            rows = s.execute(q.order_by(col(Invitation.id)).limit(BATCH)).all()
        by_org: dict[int, list[int]] = {}
        for org_id, inv_id in rows:
            by_org.setdefault(org_id, []).append(inv_id)
        for org_id, ids in by_org.items():
            sent, full = _remind_org(ctx, org_id, ids, schedule)
            total += sent
            if full:
                skip.add(org_id)
        if len(rows) < BATCH:
            return total


def _remind_org(ctx: Ctx, org_id: int, ids: list[int],
                schedule: tuple[timedelta, ...]) -> tuple[int, bool]:
    """(reminders sent, whether the organization reached its rate limit)."""
    now = ctx.now()
    sent = 0
    with ctx.db.write() as s:
        if not ctx.db.is_sqlite:
            # The lock every invitation mail of the organization takes first (rate limit).
            s.execute(select(col(Organization.id)).where(col(Organization.id) == org_id)
                      .with_for_update())
        budget = ctx.settings.rate_limit_per_org - count_recent_invite_mails(
            s, org_id, now - ctx.settings.rate_limit_window)
        # Again inside the transaction: a license may have opted out since the look.
        invs = s.execute(select(Invitation)
                         .join(License, col(License.id) == col(Invitation.license_id))
                         .where(col(Invitation.id).in_(ids), _due_where(schedule, now),
                                col(License.auto_remind).is_(True))
                         .order_by(col(Invitation.id))).scalars().all()
        for inv in invs:
            if budget <= 0:
                return sent, True
            if _claim_and_queue(s, ctx, inv, schedule, now):
                sent += 1
                budget -= 1
    return sent, False


def _claim_and_queue(s: Session, ctx: Ctx, inv: Invitation, schedule: tuple[timedelta, ...],
                     now: datetime) -> bool:
    from models.invitations import _staff_name, invitation_mail
    from models.tokens import new_token

    step_before = inv.auto_reminded
    step_after = _steps_due(schedule, inv.sent_at, now)
    token, digest = new_token()
    claimed = rowcount(s.execute(
        update(Invitation)
        .where(col(Invitation.id) == inv.id,
               col(Invitation.auto_reminded) == step_before,
               col(Invitation.send_no) == inv.send_no,
               col(Invitation.status).in_(REMINDABLE_STATUSES),
               col(Invitation.expires_at) > now)
        .values(auto_reminded=step_after, token_hash=digest,
                times_sent=col(Invitation.times_sent) + 1)
        .execution_options(synchronize_session=False)))
    if claimed != 1:
        return False  # another scanner took this step, or the invitation moved on
    lic = s.get(License, inv.license_id)
    org = s.get(Organization, inv.organization_id)
    assert lic is not None and org is not None
    inviter, inviter_email = _staff_name(s, inv.invited_by)
    mail = invitation_mail(
        "reminder", email=inv.email, role=inv.role, send_no=inv.send_no,
        organization=org.name, product=PRODUCTS[lic.product].label, license_id=lic.id,
        inviter_name=inviter, inviter_email=inviter_email, expires_at=inv.expires_at,
        language=invitee_language(inv.language, org.language))
    enqueue(s, ctx, kind="reminder", to_addr=inv.email, subject=mail.subject, now=now,
            reply_to=mail.reply_to, token=token, invitation_id=inv.id, send_no=inv.send_no,
            organization_id=org.id, payload=mail.payload)
    record(s, now, *auto_audit(inv.email, step_after, schedule[step_after - 1], inviter,
                               inv.send_no),
           organization_id=org.id, license_id=lic.id, invitation_id=inv.id)
    return True


def set_auto_remind(ctx: Ctx, actor: StaffRef, license_id: int, on: bool) -> bool:
    """Opt a license in or out of automatic reminders (audited when it changes); an agent's
    action, as sending reminders is."""
    from models.roles import acting

    now = ctx.now()
    with acting(ctx, actor, "invitation.remind") as s:
        lic = s.get(License, license_id)
        if lic is None:
            raise NotFound(f"no license with id {license_id}")
        if lic.auto_remind != on:
            lic.auto_remind = on
            s.add(lic)
            record(s, now, actor.email, "license.auto_remind",
                   f"automatic reminders {'on' if on else 'off'}",
                   organization_id=lic.organization_id, license_id=lic.id)
        return on


def auto_remind_of(ctx: Ctx, license_id: int) -> bool:
    with ctx.db.read() as s:
        value = s.execute(select(col(License.auto_remind))
                          .where(col(License.id) == license_id)).scalar_one_or_none()
    if value is None:
        raise NotFound(f"no license with id {license_id}")
    return bool(value)
