"""Licenses: created with their first invitations in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from models.audit import record
from models.context import Ctx
from models.errors import InviteRefused, NotFound, Refused
from models.invitations import issue_all, plan_invites
from models.products import ADMIN, DATA_CENTERS, OWNER, PAYERS, PLANS, product
from models.roles import acting
from models.tables import Account, License, Organization
from models.views import InviteRequest, InviteResult, StaffRef, Terms

MAX_SEATS = 100_000
TRIAL_DAYS = (14, 30)


def _number(raw: int | str | None) -> int | None:
    """A count as typed ("12", " 12 ") or given; None when it is not a whole number."""
    if raw is None or isinstance(raw, int):
        return raw
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def check_terms(
    *, product_key: str, paid: bool, trial_days: int | str | None = 14, plan: str | None = None,
    seats: int | str | None = None, payer: str = "partner", data_center: str | None = None,
) -> Terms:
    """The one place a license's terms are checked: every problem at once, per field
    (product, trial_days, plan, seats, payer, data_center), in one DomainError."""
    problems: dict[str, str] = {}
    try:
        key = product(product_key).key
    except KeyError as err:
        problems["product"], key = str(err.args[0]), product_key
    if payer not in PAYERS:
        problems["payer"] = f"payer must be one of {', '.join(PAYERS)}, not {payer!r}"
    days, count = _number(trial_days), _number(seats)
    if paid:
        if plan not in PLANS:
            problems["plan"] = f"a paid license needs a plan: one of {', '.join(PLANS)}"
        if count is None or count < 1:
            problems["seats"] = "a paid license needs at least 1 seat"
        days = None
    elif days is None or not TRIAL_DAYS[0] <= days <= TRIAL_DAYS[1]:
        problems["trial_days"] = f"a trial lasts from {TRIAL_DAYS[0]} to {TRIAL_DAYS[1]} days"
    if "seats" not in problems and count is not None and not 1 <= count <= MAX_SEATS:
        problems["seats"] = f"seats must be from 1 to {MAX_SEATS}"
    dc = data_center.strip().lower() if data_center else None
    if dc is not None and dc not in DATA_CENTERS:
        problems["data_center"] = f"data centre must be one of {', '.join(DATA_CENTERS)}"
    if problems:
        raise Refused(next(iter(problems.values())), fields=problems)
    return Terms(product_key=key, paid=paid, trial_days=days, plan=plan if paid else None,
                 seats=count if paid else (count or None), payer=payer, data_center=dc)


def create_license(
    ctx: Ctx, actor: StaffRef, *, organization_id: int, product_key: str,
    trial_days: int | None = 14, paid: bool = False, plan: str | None = None,
    seats: int | None = None, payer: str = "partner", data_center: str | None = None,
    invites: Sequence[InviteRequest] = (), add_me: bool = False,
) -> tuple[int, InviteResult]:
    """Returns the new license's id and what happened to each invitation."""
    t = check_terms(product_key=product_key, paid=paid, trial_days=trial_days, plan=plan,
                    seats=seats, payer=payer, data_center=data_center)
    prod, paid, plan, seats, trial_days = (product(t.product_key), t.paid, t.plan, t.seats,
                                           t.trial_days)
    now = ctx.now()
    with acting(ctx, actor, "license.create") as s:
        org = s.get(Organization, organization_id)
        if org is None:
            raise NotFound(f"no organization with id {organization_id}")
        dc = t.data_center or org.data_center
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
            rows.append(InviteRequest(actor.email, ADMIN.name, confirmed=True))
        s.flush()
        plan_ = plan_invites(s, ctx, lic, org, rows, now)
        if any(not o.ok for o in plan_.outcomes):
            raise InviteRefused(plan_.refusal_message(), plan_.outcomes)
        result = issue_all(s, ctx, actor, lic, org, plan_, now)
        return lic.id or 0, result


def preview_license(
    ctx: Ctx, actor: StaffRef, *, organization_id: int, terms: Terms,
    invites: Sequence[InviteRequest] = (), add_me: bool = False,
) -> InviteResult:
    """What `create_license` would do with these invitations, row by row, writing nothing:
    the same rules, with the client owner the new license will have counted as a member."""
    now = ctx.now()
    with ctx.db.read() as s:
        org = s.get(Organization, organization_id)
        if org is None:
            raise NotFound(f"no organization with id {organization_id}")
        lic = License(organization_id=organization_id, product=terms.product_key,
                      status="paid" if terms.paid else "trial", plan=terms.plan or "trial",
                      seats=terms.seats or 1, payer=terms.payer,
                      data_center=terms.data_center or org.data_center,
                      created_at=now, created_by=actor.id)
        owner = Account(license_id=0, email=org.client_email, email_key=org.client_email_key,
                        name=org.client_name, role=OWNER.name, created_at=now)
        rows = ([*invites, InviteRequest(actor.email, ADMIN.name, confirmed=True)] if add_me
                else list(invites))
        result = plan_invites(s, ctx, lic, org, rows, now, also_members=(owner,)).result()
        s.expunge_all()  # the transient rows above are never written
        return result
