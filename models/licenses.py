"""Licenses: created with their first invitations in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from models.audit import record
from models.context import Ctx
from models.errors import InviteRefused, NotFound, Refused
from models.invitations import issue_all, plan_invites
from models.products import DATA_CENTERS, OWNER, PAYERS, PLANS, product
from models.roles import acting
from models.tables import Account, License, Organization
from models.views import InviteRequest, InviteResult, StaffRef

MAX_SEATS = 100_000


def create_license(
    ctx: Ctx, actor: StaffRef, *, organization_id: int, product_key: str,
    trial_days: int | None = 14, paid: bool = False, plan: str | None = None,
    seats: int | None = None, payer: str = "partner", data_center: str | None = None,
    invites: Sequence[InviteRequest] = (), add_me: bool = False,
) -> tuple[int, InviteResult]:
    """Returns the new license's id and what happened to each invitation."""
    try:
        prod = product(product_key)
    except KeyError as err:
        raise Refused(str(err.args[0])) from None
    if payer not in PAYERS:
        raise Refused(f"payer must be one of {', '.join(PAYERS)}, not {payer!r}")
    if paid:
        if plan not in PLANS:
            raise Refused(f"a paid license needs a plan: one of {', '.join(PLANS)}")
        if not seats or seats < 1:
            raise Refused("a paid license needs at least 1 seat")
        trial_days = None
    elif trial_days is None or not 14 <= trial_days <= 30:
        raise Refused("a trial lasts from 14 to 30 days")
    if seats is not None and not 1 <= seats <= MAX_SEATS:
        raise Refused(f"seats must be from 1 to {MAX_SEATS}")
    now = ctx.now()
    with acting(ctx, actor, "license.create") as s:
        org = s.get(Organization, organization_id)
        if org is None:
            raise NotFound(f"no organization with id {organization_id}")
        dc = (data_center or org.data_center).lower()
        if dc not in DATA_CENTERS:
            raise Refused(f"data centre must be one of {', '.join(DATA_CENTERS)}")
        lic = License(
            organization_id=org.id or 0, product=prod.key, status="paid" if paid else "trial",
            plan=plan if paid else "trial", seats=seats or 1,
            trial_ends_at=None if paid else now + timedelta(days=trial_days or 14),
            payer=payer, data_center=dc, created_at=now, created_by=actor.id,
        )
        s.add(lic)
        s.flush()
        s.add(Account(
            license_id=lic.id or 0, email=org.client_email, email_key=org.client_email_key,
            name=org.client_name, role=OWNER.name, created_at=now,
        ))
        terms = f"paid, {plan}, {seats} seats" if paid else f"trial of {trial_days} days"
        record(s, now, actor.email, "license.created",
               f"created {prod.label} license ({terms}, payer {payer}, {dc.upper()})",
               organization_id=org.id, license_id=lic.id)
        rows = list(invites)
        if add_me:
            rows.append(InviteRequest(actor.email, "Administrator"))
        s.flush()
        plan_ = plan_invites(s, ctx, lic, org, rows, now)
        if any(not o.ok for o in plan_.outcomes):
            raise InviteRefused(plan_.refusal_message(), plan_.outcomes)
        result = issue_all(s, ctx, actor, lic, org, plan_, now)
        return lic.id or 0, result
