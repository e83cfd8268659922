"""Read side: paged, filtered in SQL, handed out as plain values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from models.context import Ctx
from models.errors import NotFound
from models.org_search import few_matches
from models.products import (
    INVITATION_STATUSES,
    NEEDS_ATTENTION_STATUSES,
    OPEN_STATUSES,
    PRODUCTS,
)
from models.tables import Account, AuditEvent, Invitation, License, Organization, Staff
from models.views import (
    AuditRow,
    InvitationRow,
    LicenseRow,
    LicenseSummary,
    OrgPage,
    OrgRow,
    UserRow,
)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _org_columns() -> list[Any]:
    licenses = (select(func.count()).select_from(License)
                .where(col(License.organization_id) == Organization.id).scalar_subquery())
    attention = (select(func.count()).select_from(Invitation).where(
        col(Invitation.organization_id) == Organization.id,
        col(Invitation.status).in_(NEEDS_ATTENTION_STATUSES),
    ).scalar_subquery())
    return [Organization.id, Organization.name, Organization.client_name,
            Organization.client_email, Organization.data_center,
            licenses.label("licenses"), attention.label("attention")]


def _org_row(r: Any) -> OrgRow:
    return OrgRow(r.id, r.name, r.client_name, r.client_email, r.data_center,
                  r.licenses, r.attention)


def list_orgs(ctx: Ctx, search: str = "", offset: int = 0, limit: int = 50,
              with_total: bool = True) -> OrgPage:
    term = search.strip().casefold()
    cond: list[ColumnElement[bool]] = []
    by_name: Any = col(Organization.name_key)
    few = few_matches(ctx.db) if term else None
    if term:
        cond.append(col(Organization.search_key).like(_like(term), escape="\\"))
        known = few.within(term) if few is not None else None
        if known is not None:  # a shorter filter's every match: only those, or newer ones
            ids, top = known
            newer = col(Organization.id) > top
            cond.append(or_(col(Organization.id).in_(ids), newer) if ids else newer)
            # Sorting those few beats walking the name index past every organization.
            by_name = by_name.concat("")
    q = (select(*_org_columns()).where(*cond)
         .order_by(by_name, col(Organization.id)).offset(offset).limit(limit))
    with ctx.db.read() as s:
        # Read first, in the same snapshot: any match the page misses has a higher id.
        top_now = s.execute(select(func.max(Organization.id))).scalar() \
            if few is not None and offset == 0 and limit > 0 else None
        rows = tuple(_org_row(r) for r in s.execute(q))
        total = -1
        if with_total:
            total = s.execute(select(func.count()).select_from(Organization).where(*cond)
                              ).scalar_one()
    if few is not None and top_now is not None and len(rows) < limit:
        few.remember(term, tuple(r.id for r in rows), top_now)
    return OrgPage(rows, total, offset)


def get_org(ctx: Ctx, org_id: int) -> OrgRow:
    with ctx.db.read() as s:
        r = s.execute(select(*_org_columns()).where(col(Organization.id) == org_id)).first()
    if r is None:
        raise NotFound(f"no organization with id {org_id}")
    return _org_row(r)


def _license_query() -> Any:
    users = (select(func.count()).select_from(Account)
             .where(col(Account.license_id) == License.id).scalar_subquery())
    open_inv = (select(func.count()).select_from(Invitation).where(
        col(Invitation.license_id) == License.id,
        col(Invitation.status).in_(OPEN_STATUSES),
    ).scalar_subquery())
    return select(License, col(Organization.name).label("org_name"), users.label("users"),
                  open_inv.label("open_inv")).join(
        Organization, col(Organization.id) == License.organization_id)


def _license_row(r: Any) -> LicenseRow:
    lic: License = r[0]
    return LicenseRow(
        id=lic.id or 0, organization_id=lic.organization_id, organization=r.org_name,
        product=lic.product, product_label=PRODUCTS[lic.product].label, status=lic.status,
        plan=lic.plan, seats=lic.seats, users=r.users, open_invitations=r.open_inv,
        trial_ends_at=lic.trial_ends_at, payer=lic.payer, data_center=lic.data_center,
    )


def list_licenses(ctx: Ctx, org_id: int) -> list[LicenseRow]:
    with ctx.db.read() as s:
        return [_license_row(r) for r in s.execute(
            _license_query().where(col(License.organization_id) == org_id)
            .order_by(col(License.id)))]


def get_license(ctx: Ctx, license_id: int) -> LicenseRow:
    with ctx.db.read() as s:
        r = s.execute(_license_query().where(col(License.id) == license_id)).first()
    if r is None:
        raise NotFound(f"no license with id {license_id}")
    return _license_row(r)


def find_licenses(ctx: Ctx, text: str, limit: int = 20) -> list[LicenseRow]:
    """For the palette: licenses whose organization or id matches."""
    q = _license_query()
    t = text.strip()
    if t.isdigit():
        q = q.where(or_(col(License.id) == int(t),
                        col(Organization.search_key).like(_like(t), escape="\\")))
    elif t:
        q = q.where(col(Organization.search_key).like(_like(t), escape="\\"))
    with ctx.db.read() as s:
        return [_license_row(r) for r in s.execute(q.order_by(col(License.id)).limit(limit))]


def billable_users(session: Session, license_id: int, product: str) -> int:
    """The users a license pays for: its accounts and open invitations in a billable role
    (not a free one such as HelpDesk's Viewer). The one count the seats follow."""
    free = [r.name for r in PRODUCTS[product].roles if not r.billable]
    accounts = session.execute(select(func.count()).select_from(Account).where(
        col(Account.license_id) == license_id, col(Account.role).not_in(free),
    )).scalar_one()
    invites = session.execute(select(func.count()).select_from(Invitation).where(
        col(Invitation.license_id) == license_id,
        col(Invitation.status).in_(OPEN_STATUSES),
        col(Invitation.role).not_in(free),
    )).scalar_one()
    return int(accounts) + int(invites)


def license_summary(ctx: Ctx, license_id: int) -> LicenseSummary:
    row = get_license(ctx, license_id)
    with ctx.db.read() as s:
        org = s.get(Organization, row.organization_id)
        lic = s.get(License, license_id)
        assert org is not None and lic is not None
        counts = dict.fromkeys(INVITATION_STATUSES, 0)
        for status, n in s.execute(
            select(col(Invitation.status), func.count())
            .where(col(Invitation.license_id) == license_id).group_by(col(Invitation.status))
        ):
            counts[status] = n
        billable = billable_users(s, license_id, row.product)
        return LicenseSummary(row, org.client_name, org.client_email, counts, billable,
                              lic.created_at)


def license_users(ctx: Ctx, license_id: int, status: str | None = None) -> list[UserRow]:
    """Accounts and the invitations not yet accepted, in one list (accounts first).

    Plain columns, not ORM entities: a license with 1,000 users loads in a third of the time.
    """
    staff = aliased(Staff)
    out: list[UserRow] = []
    with ctx.db.read() as s:
        if status in (None, "", "active", "accepted"):
            for r in s.execute(
                select(col(Account.id), col(Account.email), col(Account.name),
                       col(Account.role), col(Account.created_at), col(Account.invitation_id),
                       col(staff.email).label("by"), col(Invitation.sent_at),
                       col(Invitation.times_sent))
                .outerjoin(Invitation, col(Invitation.id) == Account.invitation_id)
                .outerjoin(staff, col(staff.id) == Invitation.invited_by)
                .where(col(Account.license_id) == license_id).order_by(col(Account.id))
            ):
                out.append(UserRow(
                    kind="account", id=r.id or 0, email=r.email, name=r.name, role=r.role,
                    status="active", invited_by=r.by or "", sent_at=r.sent_at,
                    times_sent=r.times_sent or 0,
                    accepted_at=r.created_at if r.invitation_id else None,
                ))
        if status in ("active", "accepted"):
            return out
        q: Select[*tuple[Any, ...]] = (  # eleven columns: past select()'s typed overloads
            select(col(Invitation.id), col(Invitation.email), col(Invitation.role),
                   col(Invitation.status), col(staff.email).label("by"),
                   col(Invitation.sent_at), col(Invitation.times_sent),
                   col(Invitation.accepted_at), col(Invitation.overdue_at),
                   col(Invitation.expires_at), col(Invitation.failed_reason))
            .outerjoin(staff, col(staff.id) == Invitation.invited_by)
            .where(col(Invitation.license_id) == license_id, col(Invitation.status) != "accepted")
            .order_by(col(Invitation.id)))
        if status:
            q = q.where(col(Invitation.status) == status)
        for r in s.execute(q):
            out.append(UserRow(
                kind="invitation", id=r.id or 0, email=r.email, name="", role=r.role,
                status=r.status, invited_by=r.by or "", sent_at=r.sent_at,
                times_sent=r.times_sent, accepted_at=r.accepted_at,
                overdue_at=r.overdue_at, expires_at=r.expires_at,
                failed_reason=r.failed_reason,
            ))
    return out


def license_history(ctx: Ctx, license_id: int, limit: int = 500) -> list[AuditRow]:
    q = (select(AuditEvent).where(col(AuditEvent.license_id) == license_id)
         .order_by(col(AuditEvent.id).desc()).limit(limit))
    with ctx.db.read() as s:
        return [AuditRow(e.id or 0, e.at, e.actor, e.kind, e.detail, e.invitation_id, e.login)
                for e in s.execute(q).scalars()]


def license_version(ctx: Ctx, license_id: int) -> int:
    """Grows with every change to the license: a cheap poll for screens that stay open."""
    with ctx.db.read() as s:
        return s.execute(select(func.coalesce(func.max(col(AuditEvent.id)), 0))
                         .where(col(AuditEvent.license_id) == license_id)).scalar_one()


def _invitation_rows(ctx: Ctx, q: Any) -> list[InvitationRow]:
    staff = aliased(Staff)
    q = q.add_columns(col(Organization.name), col(License.product), col(staff.email)).join(
        License, col(License.id) == Invitation.license_id).join(
        Organization, col(Organization.id) == Invitation.organization_id).outerjoin(
        staff, col(staff.id) == Invitation.invited_by)
    with ctx.db.read() as s:
        return [InvitationRow(
            id=i.id or 0, license_id=i.license_id, organization_id=i.organization_id,
            organization=org_name, product=PRODUCTS[product].label, email=i.email, role=i.role,
            status=i.status, invited_by=by or "", sent_at=i.sent_at, times_sent=i.times_sent,
            overdue_at=i.overdue_at, expires_at=i.expires_at, accepted_at=i.accepted_at,
            failed_reason=i.failed_reason,
        ) for i, org_name, product, by in s.execute(q)]


def list_invitations(ctx: Ctx, license_id: int | None = None, status: str | None = None,
                     limit: int = 1000, offset: int = 0) -> list[InvitationRow]:
    q = select(Invitation)
    if license_id is not None:
        q = q.where(col(Invitation.license_id) == license_id)
    if status:
        q = q.where(col(Invitation.status) == status)
    q = q.order_by(col(Invitation.id)).offset(offset).limit(limit)
    return _invitation_rows(ctx, q)


def needs_attention(ctx: Ctx, limit: int = 500) -> list[InvitationRow]:
    """Every overdue or failed invitation, oldest send first.

    One ordered index walk per status, merged here: `status IN (...) ORDER BY sent_at` would
    sort every such row (170,000 in the 1,000,000-invitation demo) to return the first 500.
    """
    keyed: list[tuple[Any, int]] = []
    with ctx.db.read() as s:
        for status in NEEDS_ATTENTION_STATUSES:
            keyed += [(r.sent_at, r.id) for r in s.execute(
                select(col(Invitation.sent_at), col(Invitation.id))
                .where(col(Invitation.status) == status)
                .order_by(col(Invitation.sent_at), col(Invitation.id)).limit(limit))]
    ids = [i for _, i in sorted(keyed)[:limit]]
    if not ids:
        return []
    q = (select(Invitation).where(col(Invitation.id).in_(ids))
         .order_by(col(Invitation.sent_at), col(Invitation.id)))
    return _invitation_rows(ctx, q)
