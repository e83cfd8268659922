"""The languages invitees are written to: the invitation's own, else its organization's,
else English. Staff notifications stay English.

Codes are gettext locale names (``pt_BR``, not ``pt-BR``); `check_language` accepts either
spelling and any case, and is the one place a typed language is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.errors import DomainError

if TYPE_CHECKING:
    from models.context import Ctx

DEFAULT = "en"

# code -> the language's own name, in the order pickers list them.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pl": "Polski",
    "pt_BR": "Português (Brasil)",
}

_BY_KEY = {code.casefold().replace("_", "-"): code for code in LANGUAGES}


class InvalidLanguage(DomainError):
    pass


def check_language(raw: str) -> str:
    """The canonical code for a typed language (``de``, ``pt-br``, ``PT_BR``), or
    InvalidLanguage naming the choices."""
    code = _BY_KEY.get(raw.strip().casefold().replace("_", "-"))
    if code is None:
        raise InvalidLanguage(
            f"no language {raw.strip()[:20]!r}; choose {', '.join(LANGUAGES)}",
            fields={"language": f"choose {', '.join(LANGUAGES)}"})
    return code


def invitee_language(invitation_language: str | None, organization_language: str | None) -> str:
    """The language an invitee is written to; a code no longer offered falls back to English."""
    for code in (invitation_language, organization_language):
        if code in LANGUAGES:
            return code
    return DEFAULT


def language_for_token(ctx: Ctx, token: str) -> str | None:
    """The language of the invitee a link was made for (None: no invitation has it). Reads
    only; the signup page asks it beside models.accept.lookup."""
    from sqlalchemy import select
    from sqlmodel import col

    from models.tables import Invitation, Organization
    from models.tokens import hash_token

    with ctx.db.read() as s:
        row = s.execute(
            select(col(Invitation.language), col(Organization.language))
            .join(Organization, col(Organization.id) == col(Invitation.organization_id))
            .where(col(Invitation.token_hash) == hash_token(token))
        ).first()
    return invitee_language(row[0], row[1]) if row else None
