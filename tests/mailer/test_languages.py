"""Invitation mails in the invitee's language, delivered to a real aiosmtpd through the
relay and read back; and every catalog translating every message the templates use."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from mailer.i18n import (
    DOMAIN,
    catalog_path,
    extract_messages,
    format_when,
    negotiate,
    translations,
)
from models.context import Ctx
from models.languages import LANGUAGES
from models.organizations import create_organization
from models.outbox import enqueue, list_outbox
from models.staff import ensure_staff
from models.tokens import new_token
from tests.mailer.conftest import Handler
from tests.mailer.test_compose import parts, relay_drain

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "mailer" / "templates", ROOT / "signup" / "templates"]
PYTHON = [ROOT / "signup" / "app.py", ROOT / "mailer" / "compose.py"]
LINK = re.compile(r"https://signup\.partner\.example/invite/([A-Za-z0-9_-]{43})")
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# The invitation's expiry in every test here: FixedClock's 2026-01-05 09:00 UTC + 7 days.
EXPECTED = {
    "en": {"words": ["invites you to join", "Your role", "Create your account"],
           "date": "January 12, 2026, 09:00 UTC", "subject": "Sam Support invites you to"},
    "de": {"words": ["lädt Sie ein", "Ihre Rolle", "Konto", "Fast alle Funktionen"],
           "date": "12. Januar 2026, 09:00 UTC", "subject": "Sam Support lädt Sie zu"},
    "fr": {"words": ["vous invite à rejoindre", "Votre rôle", "Presque toutes les fonctions"],
           "date": "12 janvier 2026, 09:00 UTC", "subject": "Sam Support vous invite"},
    "es": {"words": ["le invita a unirse", "Su rol", "Casi todas las funciones"],
           "date": "12 de enero de 2026, 09:00 UTC", "subject": "Sam Support le invita"},
    "pl": {"words": ["zaprasza Cię", "Twoja rola", "Niemal wszystkie funkcje"],
           "date": "12 stycznia 2026 09:00 UTC", "subject": "Sam Support zaprasza Cię"},
    "pt_BR": {"words": ["convida você", "Sua função", "Quase todos os recursos"],
              "date": "12 de janeiro de 2026 09:00 UTC", "subject": "Sam Support convida você"},
}
ENGLISH_ONLY = ["invites you", "Your role", "Create your account", "The link works once",
                "Questions?", "Hello,"]


def queue_invitation(ctx: Ctx, kind: str, language: str | None, to: str) -> str:
    """An invitee's mail as models.invitations.send_invitation queues it, with the
    invitee's language in the payload (absent: a row from before languages). The token."""
    staff = ensure_staff(ctx)
    org_id = create_organization(ctx, staff, name="Acme Rockets", client_name="Ann",
                                 client_email="ann@acme.example")
    token, _digest = new_token()
    payload = {
        "invitee_email": to, "role": "Administrator",
        "role_meaning": "Almost all features and settings, other than payments.",
        "organization": "Acme Rockets", "product": "HelpDesk", "license_id": 7,
        "inviter_name": "Sam Support", "inviter_email": "sam@partner.example",
        "expires_at": (ctx.now() + timedelta(days=7)).isoformat(),
    }
    if language is not None:
        payload["language"] = language
    subject = "Sam Support invites you to Acme Rockets on HelpDesk"
    with ctx.db.write() as s:
        enqueue(s, ctx, kind=kind, to_addr=to, now=ctx.now(), payload=payload, token=token,
                subject=f"Reminder: {subject}" if kind == "reminder" else subject,
                reply_to="sam@partner.example", organization_id=org_id)
    return token


def _one(handler: Handler) -> tuple[EmailMessage, str, str]:
    (msg,) = handler.accepted
    text, html = parts(msg)
    return msg, text, html


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_an_invitation_in_each_language(mctx: Ctx, smtp_handler: Handler,
                                              lang: str) -> None:
    token = queue_invitation(mctx, "invitation", lang, "bob@acme.example")
    await relay_drain(mctx)
    (row,) = list_outbox(mctx)
    assert row.status == "sent", row
    msg, text, html = _one(smtp_handler)
    want = EXPECTED[lang]
    for part in (text, html):
        for word in want["words"]:
            assert word in part, (lang, word)
        assert want["date"] in part, (lang, part)
        assert LINK.findall(part) == [token] * len(LINK.findall(part)) and LINK.search(part)
        if lang != "en":
            for english in ENGLISH_ONLY:
                assert english not in part, (lang, english)
    assert str(msg["Subject"]).startswith(want["subject"])
    assert "Acme Rockets" in str(msg["Subject"]) and "HelpDesk" in str(msg["Subject"])
    assert f'<html lang="{lang.replace("_", "-")}">' in html
    assert f'href="https://signup.partner.example/invite/{token}"' in html


@pytest.mark.parametrize(("kind", "says"), [
    ("reminder", "Zur Erinnerung: Sam Support hat Sie eingeladen"),
    ("resend", "Er ersetzt jeden Link, den Sie zuvor erhalten haben."),
])
async def test_reminders_and_resends_are_in_the_language_too(
        mctx: Ctx, smtp_handler: Handler, kind: str, says: str) -> None:
    queue_invitation(mctx, kind, "de", "bob@acme.example")
    await relay_drain(mctx)
    msg, text, html = _one(smtp_handler)
    assert says in text and says in html
    if kind == "reminder":
        assert str(msg["Subject"]).startswith("Erinnerung: Sam Support lädt Sie zu")


async def test_a_row_without_a_language_is_english(mctx: Ctx, smtp_handler: Handler) -> None:
    queue_invitation(mctx, "invitation", None, "bob@acme.example")
    await relay_drain(mctx)
    msg, text, _html = _one(smtp_handler)
    assert msg["Subject"] == "Sam Support invites you to Acme Rockets on HelpDesk"
    assert "Sam Support invites you to join Acme Rockets on HelpDesk." in text
    assert "until January 12, 2026, 09:00 UTC" in text


async def test_an_unknown_language_is_english(mctx: Ctx, smtp_handler: Handler) -> None:
    queue_invitation(mctx, "invitation", "tlh", "bob@acme.example")
    await relay_drain(mctx)
    _msg, text, _html = _one(smtp_handler)
    assert "invites you to join" in text


async def test_staff_notifications_stay_english(mctx: Ctx, smtp_handler: Handler) -> None:
    with mctx.db.write() as s:
        enqueue(s, mctx, kind="notify_accepted", to_addr="sam@partner.example",
                subject="bob@acme.example accepted", now=mctx.now(), payload={
                    "staff_name": "Sam", "invitee_email": "bob@acme.example",
                    "role": "Agent", "organization": "Acme", "product": "HelpDesk",
                    "license_id": 7, "language": "de"})
    await relay_drain(mctx)
    msg, text, _html = _one(smtp_handler)
    assert msg["Subject"] == "bob@acme.example accepted"
    assert "accepted the invitation" in text and "Hello Sam" in text


# The catalogs -----------------------------------------------------------------------------

# Where a language really writes a message as English does.
SAME_AS_ENGLISH = {("es", "Error"), ("es", "Error:")}


def catalog_problems(lang: str, path: Path, used: dict[str, list[str]]) -> list[str]:
    """Every way the catalog at `path` would leave an invitee with English or nothing."""
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    problems = []
    for msgid, where in used.items():
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"{lang}: no entry for {msgid!r} ({where[0]})")
        elif not message.string or not str(message.string).strip():
            problems.append(f"{lang}: empty translation of {msgid!r} ({where[0]})")
        elif message.fuzzy:
            problems.append(f"{lang}: fuzzy (unused at run time) {msgid!r}")
        elif message.string == msgid and (lang, msgid) not in SAME_AS_ENGLISH:
            problems.append(f"{lang}: {msgid!r} left in English")
        elif sorted(PLACEHOLDER.findall(str(message.string))) != sorted(
                PLACEHOLDER.findall(msgid)):
            problems.append(f"{lang}: placeholders of {msgid!r} differ")
        elif "%" in PLACEHOLDER.sub("", str(message.string)):
            problems.append(f"{lang}: a stray % in the translation of {msgid!r}")
    stale = [m.id for m in catalog if m.id and m.id not in used]
    problems += [f"{lang}: {m!r} is no longer used by any template" for m in stale]
    return problems


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    found = extract_messages(SOURCES, PYTHON)
    # The extraction sees the messages it should: a sample from each source.
    for msgid in ("Hello,", "Your role", "Create my account", "Enter your name.",
                  "This invitation link does not work", "Reminder: %(subject)s",
                  "Mostly chatting with the customer's clients."):
        assert msgid in found, msgid
    return found


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalog_translates_every_message(lang: str, used: dict[str, list[str]]) -> None:
    assert catalog_problems(lang, catalog_path(lang), used) == []


def test_a_missing_or_empty_translation_fails_the_check(
        tmp_path: Path, used: dict[str, list[str]]) -> None:
    doctored = tmp_path / "de.po"
    shutil.copy(catalog_path("de"), doctored)
    text = doctored.read_text(encoding="utf-8")
    text = text.replace('msgstr "Ihre Rolle"', 'msgstr ""')
    text = re.sub(r'msgid "Password again"\nmsgstr "[^"]*"\n', "", text)
    text = text.replace('msgstr "Fehler:"', 'msgstr "Error:"')
    doctored.write_text(text, encoding="utf-8")
    problems = catalog_problems("de", doctored, used)
    assert any("empty translation of 'Your role'" in p for p in problems), problems
    assert any("no entry for 'Password again'" in p for p in problems), problems
    assert any("'Error:' left in English" in p for p in problems), problems


def test_every_language_loads_and_translates() -> None:
    for lang in LANGUAGES:
        t = translations(lang)
        assert (t.gettext("Your role") == "Your role") is (lang == "en")


def test_dates_in_each_locale() -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    assert {lang: format_when(when, lang) for lang in LANGUAGES} == {
        lang: want["date"] for lang, want in EXPECTED.items()}


@pytest.mark.parametrize(("header", "lang"), [
    (None, "en"), ("", "en"), ("de-DE,de;q=0.9,en;q=0.8", "de"), ("fr-CA", "fr"),
    ("pt-BR", "pt_BR"), ("pt-PT,pt;q=0.9", "pt_BR"), ("en-US,pl;q=0.5", "en"),
    ("ja, pl;q=0.7, es;q=0.8", "es"), ("xx, *;q=0.1", "en"), ("de;q=0, fr;q=0.1", "fr"),
    ("de;q=bogus", "en"),
])
def test_a_page_without_an_invitation_follows_the_browser(header: str | None,
                                                           lang: str) -> None:
    assert negotiate(header) == lang


async def test_an_invitation_queued_by_the_services_carries_its_language(
        mctx: Ctx, smtp_handler: Handler) -> None:
    from models.licenses import create_license
    from models.views import InviteRequest

    staff = ensure_staff(mctx)
    org_id = create_organization(mctx, staff, name="Acme Rockets", client_name="Ann",
                                 client_email="ann@acme.example", language="de")
    create_license(mctx, staff, organization_id=org_id, product_key="helpdesk",
                   invites=[InviteRequest("bob@acme.example", "Agent")])
    await relay_drain(mctx)
    _msg, text, _html = _one(smtp_handler)
    assert "lädt Sie ein" in text and EXPECTED["de"]["date"] in text
