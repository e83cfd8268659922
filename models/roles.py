"""Staff roles and what each may do: the one table every console and CLI action is checked
against, inside the service that does it (so no front end can skip it).

| action                                                      | viewer | agent | lead |
|-------------------------------------------------------------|--------|-------|------|
| read every list, license and history; own alerts and profile | yes    | yes   | yes  |
| create organizations and licenses; invite, resend, remind   | no     | yes   | yes  |
| change an organization's domains; hand over a link by hand  | no     | yes   | yes  |
| revoke an invitation, change its role; load demo data       | no     | no    | yes  |
| add staff, change their role, disable them                  | no     | no    | yes  |
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlmodel import Session, col

from models.audit import record
from models.context import Ctx
from models.errors import Forbidden
from models.tables import Staff
from models.views import StaffRef

ROLES = ("viewer", "agent", "lead")
_RANK = {role: n for n, role in enumerate(ROLES)}

# action -> the least role that may do it
NEEDS = {
    "organization.create": "agent",
    "organization.domains": "agent",
    "organization.language": "agent",
    "license.create": "agent",
    "invitation.invite": "agent",
    "invitation.resend": "agent",
    "invitation.remind": "agent",
    "invitation.revoke": "lead",
    "invitation.change_role": "lead",
    "demo.load": "lead",
    "staff.manage": "lead",
}

WORDS = {
    "organization.create": "creating an organization",
    "organization.domains": "changing an organization's domains",
    "organization.language": "changing an organization's language",
    "license.create": "creating a license",
    "invitation.invite": "inviting users",
    "invitation.resend": "resending an invitation",
    "invitation.remind": "sending reminders",
    "invitation.revoke": "revoking an invitation",
    "invitation.change_role": "changing an invitation's role",
    "demo.load": "loading demo data",
    "staff.manage": "managing staff",
}


def allowed(role: str, action: str) -> bool:
    return _RANK.get(role, -1) >= _RANK[NEEDS[action]]


def check(session: Session, actor: StaffRef, action: str) -> None:
    """Refuse `action` unless the actor's *stored* role allows it and they are active.

    Read from the database in the caller's transaction, not from the StaffRef it was given:
    a console opened before a demotion or a disabling is refused from then on."""
    row = session.execute(select(col(Staff.role), col(Staff.active), col(Staff.login))
                          .where(col(Staff.id) == actor.id)).first()
    role, active = (row.role, row.active) if row else ("", False)
    if active and allowed(role, action):
        return
    need = NEEDS[action]
    who = row.login if row is not None and row.login else actor.email
    if not active:
        message = f"{WORDS[action]} is refused: the staff record of {who} is disabled"
    else:
        message = f"{WORDS[action]} needs the {need} role; {who} is {_a(role)}"
    raise Forbidden(message, action=action, actor=actor)


def refusal_audited(ctx: Ctx, err: Forbidden) -> None:
    """A refusal leaves a row of its own (the refused change's transaction rolled back)."""
    with ctx.db.write() as s:
        record(s, ctx.now(), err.actor.email, "refused", str(err))


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}" if role else "no role"


@contextmanager
def acting(ctx: Ctx, actor: StaffRef, action: str) -> Iterator[Session]:
    """A write transaction for `action`, refused (and the refusal audited) unless the
    actor may do it."""
    try:
        with ctx.db.write() as s:
            check(s, actor, action)
            yield s
    except Forbidden as err:
        refusal_audited(ctx, err)
        raise
