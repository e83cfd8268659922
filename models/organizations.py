"""Client organizations."""

from __future__ import annotations

from models.audit import record
from models.context import Ctx
from models.products import DATA_CENTERS
from models.roles import acting
from models.tables import Organization
from models.text import InvalidText, clean_text, normalize_email
from models.views import StaffRef


def search_key(name: str, client_name: str, client_email: str) -> str:
    return f"{name} {client_name} {client_email}".casefold()


def create_organization(
    ctx: Ctx, actor: StaffRef, *, name: str, client_name: str, client_email: str,
    data_center: str = "us",
) -> int:
    name = clean_text(name, "organization name")
    client_name = clean_text(client_name, "client name")
    email, key = normalize_email(client_email)
    dc = data_center.strip().lower()
    if dc not in DATA_CENTERS:
        raise InvalidText(f"data centre must be one of {', '.join(DATA_CENTERS)}, not {dc!r}")
    now = ctx.now()
    with acting(ctx, actor, "organization.create") as s:
        org = Organization(
            name=name, name_key=name.casefold(), client_name=client_name, client_email=email,
            client_email_key=key, search_key=search_key(name, client_name, email),
            data_center=dc, created_at=now, created_by=actor.id,
        )
        s.add(org)
        s.flush()
        record(s, now, actor.email, "organization.created",
               f"created organization {name} for {client_name} <{email}>",
               organization_id=org.id)
        return org.id or 0
