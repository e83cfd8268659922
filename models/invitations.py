"""Invitations: invite many at once, remind, resend, revoke, change role.

Every change writes, in one transaction, the invitation row, its outbox mail and an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models.audit import AuditText, record
from models.context import Ctx
from models.domains import outside as outside_domains
from models.errors import DomainError, InviteRefused, NeedsConfirmation, NotFound, Refused
from models.languages import check_language, invitee_language
from models.outbox import count_recent_invite_mails, enqueue
from models.products import (
    ADMIN,
    OPEN_STATUSES,
    PRODUCTS,
    REMINDABLE_STATUSES,
    RESENDABLE_STATUSES,
    role_of,
)
from models.queries import billable_users
from models.roles import acting
from models.tables import Account, Invitation, License, Organization, OrganizationDomain, Staff
from models.text import InvalidAddress, normalize_email
from models.tokens import new_token
from models.typos import suggest
from models.views import ActionResult, InviteOutcome, InviteRequest, InviteResult, StaffRef


@dataclass(frozen=True)
class _Plan:
    outcomes: tuple[InviteOutcome, ...]
    keys: tuple[str, ...]
    languages: tuple[str | None, ...]  # each row's own language (None: the organization's)
    seats: int
    billable_before: int
    billable_after: int

    def refusal_message(self) -> str:
        bad = [o for o in self.outcomes if not o.ok]
        first = bad[0].message if bad else ""
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        return f"nothing sent: {first}{more}"

    def result(self) -> InviteResult:
        return InviteResult(
            outcomes=self.outcomes, seats_before=self.seats,
            seats_after=max(self.seats, self.billable_after),
            billable_before=self.billable_before, billable_after=self.billable_after,
        )


def plan_invites(
    session: Session, ctx: Ctx, lic: License, org: Organization,
    rows: Sequence[InviteRequest], now: datetime, also_members: Sequence[Account] = (),
) -> _Plan:
    """Check every row against the rules without writing; one outcome per row, in order.
    `also_members`: accounts the license will have that are not written yet (a new license's
    owner); they count as members and as billable users.

    Beside the verdict each outcome carries a typo suggestion (a domain one edit from a common
    provider or from the organization's own domains), whether the address is outside the
    organization's domains, and the invitee's language. A suggestion refuses the row, and so
    does an Administrator outside the domains, unless the row is `confirmed`."""
    prod = PRODUCTS[lic.product]
    if not ctx.db.is_sqlite:
        # Serialize invitations per organization so the rate limit holds across processes.
        session.execute(select(col(Organization.id)).where(col(Organization.id) == org.id)
                        .with_for_update())
    members = {
        a.email_key: a for a in session.execute(
            select(Account).where(col(Account.license_id) == lic.id)).scalars()
    } if lic.id is not None else {}
    members.update({a.email_key: a for a in also_members})
    open_inv = {
        i.email_key: i for i in session.execute(select(Invitation).where(
            col(Invitation.license_id) == lic.id,
            col(Invitation.status).in_(OPEN_STATUSES),
        )).scalars()
    }
    budget = ctx.settings.rate_limit_per_org - count_recent_invite_mails(
        session, org.id or 0, now - ctx.settings.rate_limit_window)
    own = _own_domains(session, org)
    seen: set[str] = set()
    outcomes: list[InviteOutcome] = []
    keys: list[str] = []
    langs: list[str | None] = []
    new_billable = 0
    for row in rows:
        email, key = row.email.strip(), ""
        role = prod.role(row.role)
        try:
            email, key = normalize_email(row.email)
        except InvalidAddress as err:
            outcomes.append(InviteOutcome(email, row.role, "invalid", str(err),
                                          suggestion=suggest(email, own)))
            lang = None
        else:
            lang, lang_problem = _language(row.language)
            hint = suggest(email, own)
            out = outside_domains(email, own)
            result, message = "invited", ""
            if role is None:
                result, message = "role", (f"{prod.label} has no role {row.role!r}; "
                                           f"choose {', '.join(prod.role_names)}")
            elif key in seen:
                result, message = "duplicate", f"{email} is listed twice"
            elif key in members:
                m = members[key]
                who = f"{m.name} <{m.email}>" if m.name else m.email
                result, message = "member", f"{who} is already on this license as {m.role}"
            elif key in open_inv:
                i = open_inv[key]
                result, message = "open", (
                    f"{email} already has an open invitation ({i.status}, as {i.role}); "
                    "resend it instead")
            elif lang_problem:
                result, message = "language", lang_problem
            elif hint and not row.confirmed:
                result, message = "typo", (f"did you mean {hint}? accept it, or confirm "
                                           f"{email} as typed")
            elif out and role.name == ADMIN.name and not row.confirmed:
                result, message = "outside", (
                    f"{email} is outside {org.name}'s domains ({', '.join(own)}); "
                    f"an {ADMIN.name} there needs a confirmation")
            elif budget <= 0:
                result, message = "rate", (
                    f"{org.name} reached its limit of {ctx.settings.rate_limit_per_org} "
                    "invitations per day; try again later")
            else:
                budget -= 1
                new_billable += 1 if role.billable else 0
                message = f"{email} will be invited as {role.name}"
            outcomes.append(InviteOutcome(
                email, role.name if role else row.role, result, message, suggestion=hint,
                outside=out, language=invitee_language(lang, org.language),
                confirmed=row.confirmed))
        seen.add(key)
        keys.append(key)
        langs.append(lang)
    prod_free = {r.name for r in prod.roles if not r.billable}
    before = (billable_users(session, lic.id, lic.product) if lic.id is not None else 0) + sum(
        1 for a in also_members if a.role not in prod_free)
    return _Plan(tuple(outcomes), tuple(keys), tuple(langs), lic.seats, before,
                 before + new_billable)


def _language(raw: str | None) -> tuple[str | None, str]:
    """(the row's checked language or None, what is wrong with it or "")."""
    if not raw or not raw.strip():
        return None, ""
    try:
        return check_language(raw), ""
    except DomainError as err:
        return None, str(err)


def _staff_name(session: Session, staff_id: int | None) -> tuple[str, str]:
    st = session.get(Staff, staff_id) if staff_id else None
    return (st.name or st.email, st.email) if st else ("", "")


def send_invitation(
    session: Session, ctx: Ctx, actor_email: str, inv: Invitation, now: datetime, kind: str
) -> None:
    """Issue a new link for `inv` and queue its mail: the 48 hours and the expiry restart."""
    lic = session.get(License, inv.license_id)
    org = session.get(Organization, inv.organization_id)
    assert lic is not None and org is not None
    token, digest = new_token()
    if inv.id is not None:
        inv.send_no += 1
        inv.times_sent += 1
    inv.token_hash = digest
    inv.status = "pending"
    inv.failed_reason = None
    inv.sent_at = now
    inv.auto_reminded = 0  # a send starts the automatic reminders again (models.reminders)
    inv.overdue_at = now + ctx.settings.overdue_after
    inv.expires_at = now + ctx.settings.invite_expiry
    session.add(inv)
    session.flush()
    inviter, inviter_email = _staff_name(session, inv.invited_by)
    mail = invitation_mail(
        kind, email=inv.email, role=inv.role, send_no=inv.send_no, organization=org.name,
        product=PRODUCTS[lic.product].label, license_id=lic.id, inviter_name=inviter,
        inviter_email=inviter_email, expires_at=inv.expires_at,
        language=invitee_language(inv.language, org.language))
    enqueue(
        session, ctx, kind=kind, to_addr=inv.email, subject=mail.subject, now=now,
        reply_to=mail.reply_to, token=token, invitation_id=inv.id,
        send_no=inv.send_no, organization_id=org.id, payload=mail.payload,
    )
    record(session, now, actor_email, mail.event, mail.detail,
           organization_id=org.id, license_id=lic.id, invitation_id=inv.id)


class InvitationMail(NamedTuple):
    """What one send of an invitation writes beside the row: its mail and its audit line."""

    subject: str
    reply_to: str | None
    payload: dict[str, Any]
    event: str  # the audit row's kind
    detail: str  # the audit row's text


_SEND_WORDS = {
    "invitation": ("invited", "invitation.sent"),
    "reminder": ("reminded", "invitation.reminded"),
}


def invitation_mail(
    kind: str, *, email: str, role: str, send_no: int, organization: str, product: str,
    license_id: int | None, inviter_name: str, inviter_email: str, expires_at: datetime,
    language: str = "en",
) -> InvitationMail:
    """The one wording of an invitation's mail (subject, reply-to, template data) and of its
    audit line, for `kind` invitation, reminder or resend. send_invitation writes it; the
    demo data builds its rows from it, so the two cannot drift apart."""
    subject = f"{inviter_name} invites you to {organization} on {product}"
    if kind == "reminder":
        subject = f"Reminder: {subject}"
    verb, event = _SEND_WORDS.get(kind, ("sent again to", "invitation.resent"))
    return InvitationMail(
        subject[:300], inviter_email or None,
        {"invitee_email": email, "role": role, "role_meaning": _meaning(role),
         "organization": organization, "product": product, "license_id": license_id,
         "inviter_name": inviter_name, "inviter_email": inviter_email,
         "expires_at": expires_at.isoformat(), "language": language},
        event, f"{verb} {email} as {role} (send #{send_no})")


@cache
def _meaning(role: str) -> str:
    found = role_of(role)
    return found.meaning if found else ""


def revoked_audit(actor_email: str, email: str) -> AuditText:
    return AuditText(actor_email, "invitation.revoked", f"revoked {email}")


def issue_all(
    session: Session, ctx: Ctx, actor: StaffRef, lic: License, org: Organization,
    plan: _Plan, now: datetime,
) -> InviteResult:
    seats_after = plan.result().seats_after
    if seats_after > lic.seats:
        # The seat change the preview showed becomes the license's, in this transaction.
        record(session, now, actor.email, "license.seats",
               f"seats {lic.seats} -> {seats_after} for the new users",
               organization_id=org.id, license_id=lic.id)
        lic.seats = seats_after
        session.add(lic)
    issued: list[InviteOutcome] = []
    for outcome, key, lang in zip(plan.outcomes, plan.keys, plan.languages, strict=True):
        inv = Invitation(
            license_id=lic.id or 0, organization_id=org.id or 0, email=outcome.email,
            email_key=key, role=outcome.role, status="pending", token_hash="", send_no=1,
            times_sent=1, sent_at=now, overdue_at=now, expires_at=now,
            invited_by=actor.id, created_at=now, language=lang,
        )
        send_invitation(session, ctx, actor.email, inv, now, "invitation")
        _record_confirmed(session, actor, outcome, inv, now)
        issued.append(replace(outcome, invitation_id=inv.id,
                              message=f"invited {outcome.email} as {outcome.role}"))
    return replace(plan, outcomes=tuple(issued)).result()


def _record_confirmed(session: Session, actor: StaffRef, outcome: InviteOutcome,
                      inv: Invitation, now: datetime) -> None:
    """The audit line of what the person confirmed on this row (the staff member's own
    add-me row needs none)."""
    if not outcome.confirmed or outcome.email.casefold() == actor.email.casefold():
        return
    who = actor.name or actor.email
    said = []
    if outcome.outside and outcome.role == ADMIN.name:
        said.append(f"{who} confirmed {outcome.email} as {ADMIN.name} outside the "
                    "organization's domains")
    if outcome.suggestion:
        said.append(f"{who} kept {outcome.email} as typed (suggested {outcome.suggestion})")
    if said:
        record(session, now, actor.email, "invitation.confirmed", "; ".join(said),
               organization_id=inv.organization_id, license_id=inv.license_id,
               invitation_id=inv.id)


def _load(session: Session, license_id: int) -> tuple[License, Organization]:
    lic = session.get(License, license_id)
    if lic is None:
        raise NotFound(f"no license with id {license_id}")
    org = session.get(Organization, lic.organization_id)
    assert org is not None
    return lic, org


def preview_invites(
    ctx: Ctx, actor: StaffRef, license_id: int, rows: Sequence[InviteRequest],
    add_me: bool = False,
) -> InviteResult:
    """What `invite` would do, row by row, without writing anything."""
    with ctx.db.read() as s:
        lic, org = _load(s, license_id)
        rows = ([*rows, InviteRequest(actor.email, ADMIN.name, confirmed=True)] if add_me
                else list(rows))
        return plan_invites(s, ctx, lic, org, rows, ctx.now()).result()


def invite(
    ctx: Ctx, actor: StaffRef, license_id: int, rows: Sequence[InviteRequest],
    add_me: bool = False,
) -> InviteResult:
    """Invite every row, or nothing: InviteRefused says per row what is wrong."""
    if add_me:
        rows = [*rows, InviteRequest(actor.email, ADMIN.name, confirmed=True)]
    if not rows:
        raise Refused("no addresses to invite")
    now = ctx.now()
    try:
        with acting(ctx, actor, "invitation.invite") as s:
            lic, org = _load(s, license_id)
            plan = plan_invites(s, ctx, lic, org, rows, now)
            if any(not o.ok for o in plan.outcomes):
                raise InviteRefused(plan.refusal_message(), plan.outcomes)
            return issue_all(s, ctx, actor, lic, org, plan, now)
    except IntegrityError:
        # Another console invited the same address a moment ago.
        raise Refused("someone else just invited one of these addresses; look again") from None


def _pick(session: Session, ids: Sequence[int]) -> list[Invitation]:
    rows = session.execute(
        select(Invitation).where(col(Invitation.id).in_(list(ids)))
        .order_by(col(Invitation.id))
    ).scalars().all()
    found = {r.id for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no invitation with id {', '.join(map(str, missing))}")
    return list(rows)


def _check_rate(session: Session, ctx: Ctx, org_ids: set[int], wanted: int, now: datetime) -> None:
    for org_id in org_ids:
        if not ctx.db.is_sqlite:
            session.execute(select(col(Organization.id)).where(col(Organization.id) == org_id)
                            .with_for_update())
        used = count_recent_invite_mails(session, org_id, now - ctx.settings.rate_limit_window)
        if used + wanted > ctx.settings.rate_limit_per_org:
            raise Refused(
                f"this would pass the limit of {ctx.settings.rate_limit_per_org} invitations "
                f"per organization per day ({used} sent already); try again later")


def resend(ctx: Ctx, actor: StaffRef, ids: Sequence[int], kind: str = "resend") -> ActionResult:
    """A new link for each chosen invitation; accepted and revoked ones are skipped, with why."""
    now = ctx.now()
    action = "invitation.remind" if kind == "reminder" else "invitation.resend"
    try:
        with acting(ctx, actor, action) as s:
            invs = _pick(s, ids)
            todo = [i for i in invs if i.status in RESENDABLE_STATUSES]
            skipped = tuple((i.id or 0, f"{i.email} is {i.status}")
                            for i in invs if i.status not in RESENDABLE_STATUSES)
            _check_rate(s, ctx, {i.organization_id for i in todo}, len(todo), now)
            for inv in todo:
                send_invitation(s, ctx, actor.email, inv, now, kind)
            return ActionResult(tuple(i.id or 0 for i in todo), skipped)
    except IntegrityError:
        raise Refused("an expired invitation's address was invited again since; "
                      "resend the newer invitation instead") from None


def remind(ctx: Ctx, actor: StaffRef, license_id: int) -> ActionResult:
    """Send a reminder to every invitation of the license not yet picked up."""
    with ctx.db.read() as s:
        _load(s, license_id)
        ids = list(s.execute(select(col(Invitation.id)).where(
            col(Invitation.license_id) == license_id,
            col(Invitation.status).in_(REMINDABLE_STATUSES),
        )).scalars())
    if not ids:
        return ActionResult(())
    return resend(ctx, actor, [i for i in ids if i is not None], kind="reminder")


def remindable_count(ctx: Ctx, license_id: int) -> int:
    with ctx.db.read() as s:
        return s.execute(select(func.count()).select_from(Invitation).where(
            col(Invitation.license_id) == license_id,
            col(Invitation.status).in_(REMINDABLE_STATUSES),
        )).scalar_one()


def revoke(ctx: Ctx, actor: StaffRef, ids: Sequence[int]) -> ActionResult:
    now = ctx.now()
    with acting(ctx, actor, "invitation.revoke") as s:
        invs = _pick(s, ids)
        done, skipped = [], []
        for inv in invs:
            if inv.status not in (*OPEN_STATUSES, "expired"):
                skipped.append((inv.id or 0, f"{inv.email} is {inv.status}"))
                continue
            inv.status = "revoked"
            s.add(inv)
            record(s, now, *revoked_audit(actor.email, inv.email),
                   organization_id=inv.organization_id, license_id=inv.license_id,
                   invitation_id=inv.id)
            done.append(inv.id or 0)
        return ActionResult(tuple(done), tuple(skipped))


def _own_domains(session: Session, org: Organization) -> tuple[str, ...]:
    return tuple(session.execute(select(col(OrganizationDomain.domain)).where(
        col(OrganizationDomain.organization_id) == org.id)).scalars()) if org.id else ()


def change_role(ctx: Ctx, actor: StaffRef, invitation_id: int, role_name: str,
                confirmed: bool = False) -> str:
    """Change the role of an open invitation; returns the role's canonical name. Making
    someone outside the client's domains an Administrator needs `confirmed`, as inviting them
    as one does (NeedsConfirmation otherwise), and the confirmation is audited."""
    now = ctx.now()
    with acting(ctx, actor, "invitation.change_role") as s:
        (inv,) = _pick(s, [invitation_id])
        if inv.status not in OPEN_STATUSES:
            raise Refused(f"{inv.email} is {inv.status}; only an open invitation can change role")
        lic, org = _load(s, inv.license_id)
        prod = PRODUCTS[lic.product]
        role = prod.role(role_name)
        if role is None:
            raise Refused(f"{prod.label} has no role {role_name!r}; "
                          f"choose {', '.join(prod.role_names)}")
        own = _own_domains(s, org)
        if role.name == ADMIN.name != inv.role and outside_domains(inv.email, own):
            if not confirmed:
                raise NeedsConfirmation(
                    f"{inv.email} is outside {org.name}'s domains ({', '.join(own)}); "
                    f"an {ADMIN.name} there needs a confirmation")
            record(s, now, actor.email, "invitation.confirmed",
                   f"{actor.name or actor.email} confirmed {inv.email} as {ADMIN.name} "
                   "outside the organization's domains", organization_id=inv.organization_id,
                   license_id=inv.license_id, invitation_id=inv.id)
        if role.name != inv.role:
            record(s, now, actor.email, "invitation.role_changed",
                   f"changed {inv.email} from {inv.role} to {role.name}",
                   organization_id=inv.organization_id, license_id=inv.license_id,
                   invitation_id=inv.id)
            inv.role = role.name
            s.add(inv)
        return role.name
