"""What the console loads after its first frame, in a thread: settings, database, identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import StaffRef


@dataclass(frozen=True)
class Booted:
    ctx: Ctx
    staff: StaffRef | None  # None: no identity configured yet; the console asks


def boot(staff_email: str | None = None) -> Booted:
    from models.context import Ctx
    from models.settings import load_settings

    settings = load_settings(staff_email=staff_email)
    ctx = Ctx.open(settings)
    staff = None
    if settings.staff_email:
        from models.staff import ensure_staff

        staff = ensure_staff(ctx)
    return Booted(ctx, staff)


def demo_on_first_start(ctx: Ctx) -> dict[str, int] | None:
    """The embedded default (SQLite) with no organizations yet gets demo data to look at.

    Run once the staff identity is known, so the demo fills this person's Alerts too.
    """
    if not ctx.db.is_sqlite or ctx.settings.database_url:
        return None
    from models.queries import list_orgs

    if list_orgs(ctx, limit=1, with_total=False).rows:
        return None
    from models.demo import make_demo_data

    return dict(make_demo_data(ctx, orgs=200, seed=1))


def remember_identity(ctx: Ctx, name: str, email: str) -> StaffRef:
    """Validate, create the staff row and write both into the config file."""
    from models.settings import remember
    from models.staff import ensure_staff
    from models.text import clean_text, normalize_email

    name = clean_text(name, "your name")
    addr, _key = normalize_email(email)
    staff = ensure_staff(ctx, addr, name)
    remember(staff_email=addr, staff_name=name)
    ctx.settings.staff_email = addr
    ctx.settings.staff_name = name
    return staff
