"""The signup page in the invitee's language: the invitation's, else its organization's,
else English; pages with no invitation follow the browser."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from models.context import Ctx
from models.invitations import revoke
from models.languages import LANGUAGES
from models.scans import run_scans
from models.tables import Invitation, Organization
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.signup.conftest import GOOD_PASSWORD, Invited, form_of, new_invitation

# FixedClock's 2026-01-05 09:00 UTC + the 7-day expiry.
PAGE = {
    "en": {"words": ["Join Acme Dental on LiveChat", "Your role", "Create my account",
                     "Mostly chatting with the customer"],
           "date": "This invitation is valid until January 12, 2026, 09:00 UTC.",
           "done": "Your account is ready", "short": "Use at least 12 characters",
           "expired": "This invitation has expired"},
    "de": {"words": ["Acme Dental auf LiveChat beitreten", "Ihre Rolle", "Mein Konto erstellen",
                     "Vor allem Chats mit den Kunden des Kunden.", "Passwort wiederholen"],
           "date": "Diese Einladung gilt bis 12. Januar 2026, 09:00 UTC.",
           "done": "Ihr Konto ist bereit", "short": "Verwenden Sie mindestens 12 Zeichen",
           "expired": "Diese Einladung ist abgelaufen"},
    "fr": {"words": ["Rejoindre Acme Dental sur LiveChat", "Votre rôle", "Créer mon compte",
                     "Principalement discuter avec les clients du client.", "Mot de passe"],
           "date": "Cette invitation est valable jusqu\u2019au 12 janvier 2026, 09:00 UTC.",
           "done": "Votre compte est prêt", "short": "Utilisez au moins 12 caractères",
           "expired": "Cette invitation a expiré"},
    "es": {"words": ["Únase a Acme Dental en LiveChat", "Su rol", "Crear mi cuenta",
                     "Sobre todo chatear con los clientes del cliente.", "Contraseña"],
           "date": "Esta invitación es válida hasta el 12 de enero de 2026, 09:00 UTC.",
           "done": "Su cuenta está lista", "short": "Use al menos 12 caracteres",
           "expired": "Esta invitación ha caducado"},
    "pl": {"words": ["Dołącz do organizacji Acme Dental w LiveChat", "Twoja rola",
                     "Utwórz moje konto", "Głównie czatowanie z klientami klienta.", "Hasło"],
           "date": "To zaproszenie jest ważne do 12 stycznia 2026 09:00 UTC.",
           "done": "Twoje konto jest gotowe", "short": "Hasło musi mieć co najmniej 12 znaków",
           "expired": "To zaproszenie wygasło"},
    "pt_BR": {"words": ["Participe de Acme Dental no LiveChat", "Sua função",
                        "Criar minha conta", "Principalmente conversar com os clientes do cliente.",
                        "Senha"],
              "date": "Este convite é válido até 12 de janeiro de 2026 09:00 UTC.",
              "done": "Sua conta está pronta", "short": "Use pelo menos 12 caracteres",
              "expired": "Este convite expirou"},
}
ENGLISH_ONLY = ["Your role", "Create my account", "Password again", "valid until",
                "Invited by", "Sent on behalf of"]


def set_language(ctx: Ctx, inv: Invited, *, invitation: str | None = None,
                 organization: str | None = None) -> None:
    with ctx.db.write() as s:
        row = s.get(Invitation, inv.invitation_id)
        assert row is not None
        row.language = invitation
        if organization is not None:
            org = s.get(Organization, row.organization_id)
            assert org is not None
            org.language = organization


def assert_language(html: str, lang: str) -> None:
    assert f'<html lang="{lang.replace("_", "-")}">' in html
    if lang != "en":
        for english in ENGLISH_ONLY:
            assert english not in html, (lang, english)


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_the_signup_page_in_each_language(ctx: Ctx, staff: StaffRef,
                                                client: httpx.AsyncClient, lang: str) -> None:
    inv = new_invitation(ctx, staff)
    set_language(ctx, inv, invitation=lang)
    page = await client.get(inv.path)
    assert page.status_code == 200
    html = page.text
    want = PAGE[lang]
    for word in want["words"]:
        assert word in html, (lang, word)
    assert want["date"] in html
    assert inv.email in html and 'href="mailto:sam@partner.example"' in html
    assert_language(html, lang)

    # A refused form, then the account: both in the language.
    short = await client.post(inv.path, data={**form_of(html), "name": "Ines",
                                              "password": "short", "password2": "short"})
    assert short.status_code == 400 and want["short"] in short.text
    assert_language(short.text, lang)
    done = await client.post(inv.path, data={**form_of(short.text), "name": "Ines",
                                             "password": GOOD_PASSWORD,
                                             "password2": GOOD_PASSWORD})
    assert done.status_code == 200 and want["done"] in done.text, done.text
    assert_language(done.text, lang)


async def test_the_organizations_language_unless_the_invitation_has_one(
        ctx: Ctx, staff: StaffRef, client: httpx.AsyncClient) -> None:
    inv = new_invitation(ctx, staff)
    set_language(ctx, inv, invitation=None, organization="fr")
    assert "Votre rôle" in (await client.get(inv.path)).text
    set_language(ctx, inv, invitation="pl", organization="fr")
    assert "Twoja rola" in (await client.get(inv.path)).text
    set_language(ctx, inv, invitation=None, organization="en")
    assert "Your role" in (await client.get(inv.path)).text


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
async def test_expired_and_withdrawn_pages_in_the_language(
        ctx: Ctx, staff: StaffRef, client: httpx.AsyncClient, clock: FixedClock,
        lang: str) -> None:
    expired = new_invitation(ctx, staff)
    revoked = new_invitation(ctx, staff, org="Beta Dental")
    set_language(ctx, expired, invitation=lang)
    set_language(ctx, revoked, invitation=lang)
    revoke(ctx, staff, [revoked.invitation_id])
    clock.advance(ctx.settings.invite_expiry + timedelta(minutes=1))
    run_scans(ctx)
    page = await client.get(expired.path)
    assert page.status_code == 410 and PAGE[lang]["expired"] in page.text
    assert PAGE[lang]["date"].split("2026")[0].split()[-1] in page.text  # the month's name
    assert_language(page.text, lang)

    page = await client.get(revoked.path)
    assert page.status_code == 410
    assert_language(page.text, lang)


async def test_an_unknown_link_follows_the_browsers_language(client: httpx.AsyncClient) -> None:
    unknown = "/invite/" + "x" * 43
    de = await client.get(unknown, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert de.status_code == 404 and "Dieser Einladungslink funktioniert nicht" in de.text
    assert_language(de.text, "de")
    plain = await client.get(unknown)
    assert plain.status_code == 404 and "This invitation link does not work" in plain.text
    home = await client.get("/", headers={"Accept-Language": "pt-BR"})
    assert "Abra o link do seu e-mail de convite" in home.text
