"""An organization's own mail domains: the client's e-mail domain to start with, more by
hand. An address outside them is marked on its invitation row; an Administrator outside
them needs an explicit confirmation.

The rule, in one place: a domain is kept in its case-folded A-label form (``bücher.de`` is
``xn--bcher-kva.de``), so one domain typed either way is one row; an address is *inside*
when its domain is one of them or a subdomain of one (``eu.acme.example`` is inside
``acme.example``); with no domains at all, no address is outside.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models.audit import record
from models.context import Ctx
from models.errors import DomainError, NotFound, Refused
from models.roles import acting
from models.tables import Organization, OrganizationDomain
from models.text import mapped_domain, quote, unseen
from models.views import StaffRef

MAX_DOMAINS = 50


class InvalidDomain(DomainError):
    pass


def domain_key(raw: str) -> str:
    """The stored form of a typed domain (or of an address's domain): case-folded A-label,
    no trailing dot; InvalidDomain says why not."""
    text = raw.strip()
    domain = text.rpartition("@")[2].rstrip(".")
    what = unseen(text)
    if what is not None:
        them = "them" if what.startswith("control") else "it"
        raise InvalidDomain(f"{quote(text[:80])} contains {what}; type the domain without {them}",
                            fields={"domain": "type a domain such as client.example"})
    if not domain or len(domain) > 253 or not text.isprintable() or " " in domain:
        raise InvalidDomain(f"{quote(text[:80])} is not a mail domain",
                            fields={"domain": "type a domain such as client.example"})
    try:
        import idna

        key = idna.encode(domain, uts46=True).decode("ascii").casefold()
    except (idna.IDNAError, UnicodeError) as err:
        raise InvalidDomain(f"{quote(text[:80])} is not a mail domain ({err})",
                            fields={"domain": "type a domain such as client.example"}) from None
    if "." not in key:
        raise InvalidDomain(f"{quote(text[:80])} is not a mail domain: it has no dot",
                            fields={"domain": "type a domain such as client.example"})
    changed = mapped_domain(domain)
    if changed is not None:
        raise InvalidDomain(f"{quote(text[:80])} would be read as {quote(changed)}: it holds a "
                            "character the domain name system drops or changes; type the "
                            "domain as it is meant",
                            fields={"domain": "type a domain such as client.example"})
    return key


def domain_of(email: str) -> str | None:
    """The stored form of an address's domain, or None when it has no usable one."""
    try:
        return domain_key(email.rpartition("@")[2]) if "@" in email else None
    except InvalidDomain:
        return None


def outside(email: str, domains: Iterable[str]) -> bool:
    """Whether the address is outside the organization's domains (see the module's rule)."""
    own = set(domains)
    if not own:
        return False
    domain = domain_of(email)
    if domain is None:
        return True
    labels = domain.split(".")
    return not any(".".join(labels[i:]) in own for i in range(len(labels) - 1))


def domains(ctx: Ctx, org_id: int) -> tuple[str, ...]:
    """The organization's domains, sorted."""
    with ctx.db.read() as s:
        if s.get(Organization, org_id) is None:
            raise NotFound(f"no organization with id {org_id}")
        return tuple(s.execute(
            select(col(OrganizationDomain.domain))
            .where(col(OrganizationDomain.organization_id) == org_id)
            .order_by(col(OrganizationDomain.domain))).scalars())


def add_domain(ctx: Ctx, actor: StaffRef, org_id: int, domain: str) -> str:
    """Add a domain (any case, U- or A-label); returns its stored form."""
    key = domain_key(domain)
    now = ctx.now()
    try:
        with acting(ctx, actor, "organization.domains") as s:
            org = s.get(Organization, org_id)
            if org is None:
                raise NotFound(f"no organization with id {org_id}")
            have = set(s.execute(select(col(OrganizationDomain.domain)).where(
                col(OrganizationDomain.organization_id) == org_id)).scalars())
            if key in have:
                raise Refused(f"{key} is already a domain of {org.name}")
            if len(have) >= MAX_DOMAINS:
                raise Refused(f"{org.name} has {MAX_DOMAINS} domains, the most it can have")
            s.add(OrganizationDomain(organization_id=org_id, domain=key))
            record(s, now, actor.email, "organization.domain_added",
                   f"added domain {key} to {org.name}", organization_id=org_id)
    except IntegrityError:
        raise Refused(f"{key} was just added to this organization by someone else") from None
    return key


def remove_domain(ctx: Ctx, actor: StaffRef, org_id: int, domain: str) -> str:
    """Remove a domain; returns its stored form."""
    key = domain_key(domain)
    now = ctx.now()
    with acting(ctx, actor, "organization.domains") as s:
        org = s.get(Organization, org_id)
        if org is None:
            raise NotFound(f"no organization with id {org_id}")
        left = s.execute(select(col(OrganizationDomain.domain)).where(
            col(OrganizationDomain.organization_id) == org_id)).scalars().all()
        if key not in left:
            raise Refused(f"{key} is not a domain of {org.name}")
        if len(left) == 1:
            # With no domains nobody is outside, and the Administrator guard would be off
            # without anyone having said so.
            raise Refused(f"{key} is {org.name}'s last domain: add the new one first, "
                          "then remove this one")
        s.execute(delete(OrganizationDomain).where(
            col(OrganizationDomain.organization_id) == org_id,
            col(OrganizationDomain.domain) == key))
        record(s, now, actor.email, "organization.domain_removed",
               f"removed domain {key} from {org.name}", organization_id=org_id)
    return key
