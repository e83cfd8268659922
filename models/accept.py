"""The invitee's side of a link: look it up, accept it once."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models.audit import AuditText, record
from models.context import Ctx
from models.errors import TokenProblem
from models.notifications import notify
from models.passwords import MIN_LENGTH, hash_password
from models.products import OPEN_STATUSES, PRODUCTS, role_of
from models.tables import Account, Invitation, License, Organization, Staff
from models.text import clean_text
from models.tokens import hash_token
from models.views import AcceptResult, InvitationPublic

_MESSAGES = {
    "unknown": "This invitation link is not valid. It may have been replaced by a newer one.",
    "accepted": "This invitation was already used to create an account.",
    "revoked": "This invitation was withdrawn.",
    "expired": "This invitation has expired.",
}


def lookup(ctx: Ctx, token: str) -> InvitationPublic:
    """What a link is for; reads only (mail scanners open links)."""
    with ctx.db.read() as s:
        inv = s.execute(
            select(Invitation).where(col(Invitation.token_hash) == hash_token(token))
        ).scalar_one_or_none()
        if inv is None:
            return InvitationPublic(state="unknown")
        lic = s.get(License, inv.license_id)
        org = s.get(Organization, inv.organization_id)
        staff = s.get(Staff, inv.invited_by) if inv.invited_by else None
        assert lic is not None and org is not None
        state = inv.status if inv.status in ("accepted", "revoked", "expired") else "open"
        if state == "open" and inv.expires_at <= ctx.now():
            state = "expired"
        role = role_of(inv.role)
        return InvitationPublic(
            state=state, organization=org.name, product=PRODUCTS[lic.product].label,
            license_id=lic.id or 0, role=inv.role, role_meaning=role.meaning if role else "",
            email=inv.email, invited_by=staff.name if staff else "",
            invited_by_email=staff.email if staff else "", expires_at=inv.expires_at,
        )


def accepted_audit(name: str, email: str, role: str) -> AuditText:
    return AuditText(email, "invitation.accepted",
                     f"{name} <{email}> accepted and joined as {role}")


def problem(state: str) -> TokenProblem:
    return TokenProblem(state, _MESSAGES[state])


def accept(ctx: Ctx, token: str, name: str, password: str) -> AcceptResult:
    """Create the account and mark the invitation accepted; works once, even when raced."""
    name = clean_text(name, "name")
    if len(password) < MIN_LENGTH:
        raise TokenProblem("form", f"the password needs at least {MIN_LENGTH} characters")
    digest = hash_password(password)  # slow on purpose: outside the write lock
    now = ctx.now()
    try:
        with ctx.db.write() as s:
            # The conditional update is the gate: of two clicks at once, one matches.
            row = s.execute(
                update(Invitation)
                .where(
                    col(Invitation.token_hash) == hash_token(token),
                    col(Invitation.status).in_(OPEN_STATUSES),
                    col(Invitation.expires_at) > now,
                )
                .values(status="accepted", accepted_at=now)
                .returning(col(Invitation.id))
            ).first()
            if row is None:
                state = lookup(ctx, token).state
                raise problem("accepted" if state == "open" else state)
            inv = s.get(Invitation, row.id)
            assert inv is not None
            account = Account(
                license_id=inv.license_id, email=inv.email, email_key=inv.email_key, name=name,
                role=inv.role, password_hash=digest, invitation_id=inv.id, created_at=now,
            )
            s.add(account)
            s.flush()
            record(s, now, *accepted_audit(name, inv.email, inv.role),
                   organization_id=inv.organization_id, license_id=inv.license_id,
                   invitation_id=inv.id)
            notify(s, ctx, inv, "accepted", now)
            lic = s.get(License, inv.license_id)
            org = s.get(Organization, inv.organization_id)
            assert lic is not None and org is not None
            return AcceptResult(
                account_id=account.id or 0, license_id=lic.id or 0, organization=org.name,
                product=PRODUCTS[lic.product].label, role=inv.role, email=inv.email,
            )
    except IntegrityError:
        raise problem("accepted") from None
