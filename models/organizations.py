"""Client organizations."""

from __future__ import annotations

from models.audit import record
from models.context import Ctx
from models.domains import domain_of
from models.errors import NotFound
from models.languages import DEFAULT as DEFAULT_LANGUAGE
from models.languages import check_language
from models.products import DATA_CENTERS
from models.roles import acting
from models.tables import Organization, OrganizationDomain
from models.text import InvalidAddress, InvalidText, clean_text, normalize_email
from models.views import OrgDraft, StaffRef


def search_key(name: str, client_name: str, client_email: str) -> str:
    return f"{name} {client_name} {client_email}".casefold()


def check_org(*, name: str, client_name: str, client_email: str,
              data_center: str = "us") -> OrgDraft:
    """The one place a new organization's fields are checked: every problem at once, per
    field (name, client_name, client_email, data_center), in one DomainError."""
    problems: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, raw, label in (("name", name, "organization name"),
                              ("client_name", client_name, "client name")):
        try:
            values[field] = clean_text(raw, label)
        except InvalidText as err:
            problems[field] = str(err)
    email = key = ""
    try:
        email, key = normalize_email(client_email)
    except InvalidAddress as err:
        problems["client_email"] = str(err)
    dc = data_center.strip().lower()
    if dc not in DATA_CENTERS:
        problems["data_center"] = (f"data centre must be one of {', '.join(DATA_CENTERS)}, "
                                   f"not {dc!r}")
    if problems:
        raise InvalidText(next(iter(problems.values())), fields=problems)
    return OrgDraft(name=values["name"], client_name=values["client_name"],
                    client_email=email, client_email_key=key, data_center=dc)


def create_organization(
    ctx: Ctx, actor: StaffRef, *, name: str, client_name: str, client_email: str,
    data_center: str = "us", language: str = DEFAULT_LANGUAGE,
) -> int:
    """The organization, with the client's e-mail domain as its first own domain and
    `language` as its invitees' language."""
    d = check_org(name=name, client_name=client_name, client_email=client_email,
                  data_center=data_center)
    lang = check_language(language)
    name, client_name, email, key, dc = (d.name, d.client_name, d.client_email,
                                         d.client_email_key, d.data_center)
    now = ctx.now()
    with acting(ctx, actor, "organization.create") as s:
        org = Organization(
            name=name, name_key=name.casefold(), client_name=client_name, client_email=email,
            client_email_key=key, search_key=search_key(name, client_name, email),
            data_center=dc, created_at=now, created_by=actor.id, language=lang,
        )
        s.add(org)
        s.flush()
        domain = domain_of(email)
        if domain:
            s.add(OrganizationDomain(organization_id=org.id or 0, domain=domain))
        record(s, now, actor.email, "organization.created",
               f"created organization {name} for {client_name} <{email}>",
               organization_id=org.id)
        return org.id or 0


def language_of(ctx: Ctx, org_id: int) -> str:
    """The organization's invitees' language (a code of models.languages.LANGUAGES)."""
    with ctx.db.read() as s:
        org = s.get(Organization, org_id)
        if org is None:
            raise NotFound(f"no organization with id {org_id}")
        return org.language


def set_language(ctx: Ctx, actor: StaffRef, org_id: int, language: str) -> str:
    """Set the organization's default language for its invitees (audited); returns its code.
    Invitations that chose their own language keep it."""
    lang = check_language(language)
    now = ctx.now()
    with acting(ctx, actor, "organization.language") as s:
        org = s.get(Organization, org_id)
        if org is None:
            raise NotFound(f"no organization with id {org_id}")
        if org.language != lang:
            record(s, now, actor.email, "organization.language",
                   f"set the language of {org.name} from {org.language} to {lang}",
                   organization_id=org_id)
            org.language = lang
            s.add(org)
    return lang
