"""Who is acting: staff members, found or created by e-mail."""

from __future__ import annotations

from sqlalchemy import select

from models.context import Ctx
from models.errors import NoStaffIdentity
from models.tables import Staff
from models.text import clean_text, normalize_email
from models.views import StaffRef


def ensure_staff(ctx: Ctx, email: str | None = None, name: str | None = None) -> StaffRef:
    """The acting staff member from the argument or settings, created on first use."""
    email = email or ctx.settings.staff_email
    if not email:
        raise NoStaffIdentity(
            "no staff identity: set LICENSEDESK_STAFF_EMAIL, staff_email in the config file, "
            "or pass --as EMAIL"
        )
    addr, key = normalize_email(email)
    name = clean_text(name or ctx.settings.staff_name or "", "staff name", required=False)
    with ctx.db.read() as s:
        found = s.execute(select(Staff).where(Staff.email_key == key)).scalar_one_or_none()
        if found and (not name or found.name == name):
            return StaffRef(found.id or 0, found.email, found.name)
    with ctx.db.write() as s:
        found = s.execute(select(Staff).where(Staff.email_key == key)).scalar_one_or_none()
        if found is None:
            found = Staff(email=addr, email_key=key, name=name or addr.split("@")[0],
                          created_at=ctx.now())
            s.add(found)
        elif name:
            found.name = name
        s.flush()
        return StaffRef(found.id or 0, found.email, found.name)
