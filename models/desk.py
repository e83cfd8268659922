"""The desk: the one door from the console and the CLI into the domain.

A `Desk` is bound to the acting staff member. It offers every operation the front ends need:
reads that return frozen views, and each change as a *preview* (what would happen, with a
verdict per field and per row, writing nothing) and a *commit*. Both run the same rules, so
a form that shows the preview's verdicts never re-implements one. Every refusal is a
`DomainError` whose `fields` and `rows` say where the problem is.

Role checks: `may(action)` answers from the role the desk was bound with (to grey out a key
or refuse early with a clear message); each commit is checked again, from the role stored in
the database, inside the transaction that does it (`models.roles.acting`), so no front end
can skip it and a role changed meanwhile counts.

The operations live in mixins by area (models/desk_reads.py, desk_changes.py, desk_reach.py,
desk_volume.py; the role checks in desk_seat.py); front ends import this module only.

Every method blocks on the database: call it off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from models.context import Ctx
from models.db import lasting, unreachable
from models.desk_reach import Reach
from models.desk_reads import Reads
from models.desk_volume import Volume
from models.products import ADMIN, PRODUCTS, Product, Role
from models.roles import NEEDS, ROLES, WORDS
from models.views import StaffRef

__all__ = ["ADMIN", "PRODUCTS", "Desk", "Product", "Role", "claim_first_lead", "desk_for",
           "has_lead", "staff_roles", "unreachable"]


# who sits at the desk ----------------------------------------------------------------------

def desk_for(ctx: Ctx) -> Desk:
    """The desk of this process's login, as the staff registry knows it (NoStaffIdentity
    when it is not on the staff: nothing on the command line or in the environment chooses
    who acts)."""
    from models.staff import current_staff

    return Desk(ctx, current_staff(ctx))


def has_lead(ctx: Ctx) -> bool:
    from models.staff import has_lead as any_lead

    return any_lead(ctx)


def claim_first_lead(ctx: Ctx, name: str | None = None, email: str | None = None) -> Desk:
    """A database with no lead yet: this login becomes its first lead."""
    from models.staff import claim_first_lead as claim

    return Desk(ctx, claim(ctx, name, email))


def staff_roles() -> tuple[Role, ...]:
    """The staff roles, each with what it may do, from the one table in models.roles."""
    out: list[Role] = []
    for below, role in zip((None, *ROLES), ROLES, strict=False):
        gains = [WORDS[action] for action, need in NEEDS.items() if need == role]
        meaning = (f"as {_a(below)}, and: {', '.join(gains)}" if below and gains else
                   "read only: every list, license and history")
        out.append(Role(role, meaning, billable=False))
    return tuple(out)


def _a(word: str | None) -> str:
    return f"an {word}" if word and word[0] in "aeiou" else f"a {word}"


@dataclass(frozen=True)
class Desk(Reads, Reach, Volume):
    ctx: Ctx
    staff: StaffRef

    # who ---------------------------------------------------------------------------------

    def as_(self, staff: StaffRef) -> Desk:
        """The same desk for this staff member's record as it is now (after a profile or
        role change)."""
        return replace(self, staff=staff)

    def lasting_problem(self, error: BaseException | None) -> str | None:
        """What a person has to fix before a write can work (a full disk, a read-only file),
        as one line; None when a retry may do, or when it is no database problem."""
        problem = lasting(error, self.ctx.settings.resolved_database_url)
        return str(problem) if problem is not None else None

    def listen(self, wake: Callable[[bool], None],
               state: Callable[[bool], None]) -> Callable[[], None] | None:
        """On PostgreSQL, a thread LISTENing for notifications committed anywhere: `wake(mine)`
        on each (`mine`: for this staff member), `state(healthy)` when its connection is made
        or lost; both called on that thread. Returns how to stop it; None on SQLite, where
        polling is the only way. Does not block."""
        from models.live import listen

        return listen(self.ctx.db, self.staff.id, wake, state)
