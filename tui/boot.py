"""What the console loads after its first frame, in a thread: settings, database, identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.context import Ctx
    from models.desk import Desk
    from models.views import StaffRef


@dataclass(frozen=True)
class Booted:
    ctx: Ctx
    staff: StaffRef | None  # None: this login is not registered (see `refusal`)
    refusal: str | None = None  # why this login may not use it; None: first start, ask


def boot() -> Booted:
    """Identity is this process's login: registered, or the first lead of a new database
    (with LICENSEDESK_STAFF_EMAIL set, at once; else the console asks), or refused."""
    from models.context import Ctx
    from models.desk import claim_first_lead, desk_for, has_lead
    from models.errors import NoStaffIdentity
    from models.settings import load_settings

    ctx = Ctx.open(load_settings())
    try:
        return Booted(ctx, desk_for(ctx).staff)
    except NoStaffIdentity as err:
        if has_lead(ctx):
            return Booted(ctx, None, str(err))
    if ctx.settings.staff_email:
        return Booted(ctx, claim_first_lead(ctx).staff)
    return Booted(ctx, None)


def demo_on_first_start(desk: Desk) -> dict[str, int] | None:
    """The embedded default (SQLite) with no organizations yet gets demo data to look at.

    Run once the staff identity is known, so the demo fills this person's Alerts too.
    """
    ctx = desk.ctx
    if not ctx.db.is_sqlite or ctx.settings.database_url or not desk.may("demo.load"):
        return None
    if desk.clients(limit=1, with_total=False).rows:
        return None
    return dict(desk.load_demo(orgs=200, seed=1))


def first_lead(ctx: Ctx, name: str, email: str) -> StaffRef:
    """The first-start dialog's answer: this login becomes the database's first lead."""
    from models.desk import claim_first_lead

    return claim_first_lead(ctx, name, email).staff
