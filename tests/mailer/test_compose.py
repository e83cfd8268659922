"""A delivered invitation, read back from a real aiosmtpd: headers, both parts, the link."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

from sqlalchemy import select

from mailer.compose import one_line
from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.accept import lookup
from models.context import Ctx
from models.outbox import enqueue, list_outbox
from models.tables import Invitation
from models.timeutil import FixedClock
from models.tokens import hash_token
from tests.mailer.conftest import Handler
from tests.mailer.data import license_with_invites

LINK = re.compile(r"https://signup\.partner\.example/invite/([A-Za-z0-9_-]+)")
EXPECTED_HEADERS = {"from", "to", "reply-to", "subject", "date", "message-id",
                    "auto-submitted", "x-licensedesk-kind", "content-type", "mime-version"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


async def relay_drain(ctx: Ctx) -> Relay:
    relay = Relay(ctx, SmtpConfig.from_settings(ctx.settings))
    await relay.drain()
    for c in relay.clients:
        await c.quit()
    return relay


async def test_invitation_has_headers_both_parts_and_a_working_link(
        mctx: Ctx, smtp_handler: Handler) -> None:
    _staff, _lic, (inv_id,) = license_with_invites(
        mctx, ["bob@acme.example"], org="Zürich <script>alert(1)</script> [bold]AG[/bold]",
        staff_name="Sam [red]Support[/red] Ünal")
    await relay_drain(mctx)
    (msg,) = smtp_handler.accepted
    (row,) = list_outbox(mctx)
    assert row.status == "sent"
    with mctx.db.engine.connect() as conn:  # stored exactly as the ORM stores time
        created, sent = conn.exec_driver_sql(
            "SELECT created_at, sent_at FROM outbox_mail").one()
    assert sent == created
    assert {k.lower() for k in msg.keys()} == EXPECTED_HEADERS
    assert msg["Message-ID"] == row.message_id
    assert msg["To"].addresses[0].addr_spec == "bob@acme.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "sam@partner.example"
    assert msg["From"].addresses[0].addr_spec == "licensedesk@localhost"
    assert msg["Subject"] == ("Sam [red]Support[/red] Ünal invites you to "
                              "Zürich <script>alert(1)</script> [bold]AG[/bold] on HelpDesk")
    text, html = parts(msg)
    # The plain part is not escaped; the HTML part is.
    assert "Zürich <script>alert(1)</script> [bold]AG[/bold]" in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Agent" in text and "HelpDesk" in text and "license #" in text
    assert "until January 12, 2026, 09:00 UTC" in text  # Babel writes English dates too
    # The link works: its token is the invitation's, and the signup side knows it.
    (token,) = set(LINK.findall(text))
    links = _Links()
    links.feed(html)
    assert f"https://signup.partner.example/invite/{token}" in links.hrefs
    assert "script" not in links.tags
    with mctx.db.read() as s:
        inv = s.execute(select(Invitation).where(Invitation.id == inv_id)).scalar_one()
    assert inv.token_hash == hash_token(token)
    pub = lookup(mctx, token)
    assert pub.state == "open" and pub.email == "bob@acme.example"


async def test_hostile_header_values_cannot_add_headers(mctx: Ctx, smtp_handler: Handler) -> None:
    """Rows written around the domain's input checks still cannot inject a header."""
    evil = "Eve\r\nBcc: spy@evil.example\r\nX-Injected: 1\n\rSubject: owned"
    with mctx.db.write() as s:
        enqueue(s, mctx, kind="notify_failed", to_addr="sam@partner.example", to_name=evil,
                subject=f"Hello {evil}", now=mctx.now(), payload={
                    "kind": "failed", "text": evil, "invitee_email": "x@y.example",
                    "role": "Agent", "organization": f"<b>{evil}</b>", "product": "HelpDesk",
                    "license_id": 1, "staff_name": evil, "reason": "550 <i>no</i>"})
    await relay_drain(mctx)
    (msg,) = smtp_handler.accepted
    (raw,) = smtp_handler.raw
    keys = [k.lower() for k in msg.keys()]
    assert "bcc" not in keys and "x-injected" not in keys
    assert keys.count("subject") == 1 and keys.count("to") == 1
    assert b"\nBcc:" not in raw and b"\nX-Injected:" not in raw
    assert msg["Subject"] == one_line(f"Hello {evil}")
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    _text, html = parts(msg)
    assert "<b>" not in html and "&lt;b&gt;" in html and "&lt;i&gt;no&lt;/i&gt;" in html


async def test_message_id_is_the_rows_and_reused_on_retry(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    smtp_handler.plan = lambda _m, n: "451 try later" if n == 1 else "250"
    license_with_invites(mctx, ["bob@acme.example"])
    await relay_drain(mctx)
    clock.advance(timedelta(hours=2))
    await relay_drain(mctx)
    first, second = smtp_handler.attempts
    assert first["Message-ID"] == second["Message-ID"] == list_outbox(mctx)[0].message_id
    # The same row carries the same sealed token: a retry repeats the link, never mints one.
    assert LINK.findall(parts(first)[0]) == LINK.findall(parts(second)[0])


async def test_the_relays_bytes_are_aiosmtplibs_flatten_of_the_message(mctx: Ctx) -> None:
    """The relay writes a mail's bytes itself (no generator per mail): not one may differ
    from what aiosmtplib's flatten (the stdlib generator) makes of compose()'s message."""
    from aiosmtplib.email import flatten_message

    from mailer.compose import compose, prepare
    from models.outbox import claim

    license_with_invites(mctx, ["bob@acme.example"], org="Zürich <b>&</b> Söhne",
                         staff_name="Ünal Çelik")
    (mail,) = claim(mctx, "test", 5)
    out = prepare(mail, mctx.settings, mctx.now())
    msg = compose(mail, mctx.settings, mctx.now())
    assert out.data == flatten_message(msg)
    assert flatten_message(out.message) == out.data  # what a 7-bit server is sent instead


async def test_a_compose_fault_never_says_the_token(mctx: Ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A fault while composing becomes the row's logged and stored reason: whatever the
    exception says, the token (and so the link) must not be in it."""
    import mailer.compose as compose_module
    from mailer.compose import ComposeError, prepare
    from models.outbox import claim

    license_with_invites(mctx, ["bob@acme.example"])
    (mail,) = claim(mctx, "test", 5)
    assert mail.token

    def broken(settings: object, token: str) -> str:
        raise ValueError(f"cannot use https://desk.example/join/{token} here")

    monkeypatch.setattr(compose_module, "signup_link", broken)
    try:
        prepare(mail, mctx.settings, mctx.now())
    except ComposeError as err:
        said = str(err)
        assert mail.token not in said and "[token]" in said, said
        assert err.__cause__ is None
    else:
        raise AssertionError("composed despite the fault")


def test_an_invisible_character_in_a_stored_name_is_dropped_not_a_space() -> None:
    """Found by review: a soft hyphen stored before such names were refused became a space
    in a subject ("Donau dampf"), where the console shows "Donaudampf"."""
    from mailer.compose import one_line

    assert one_line("Donau\u00addampf\u200b AG") == "Donaudampf AG"
    assert one_line("Evil\r\nBcc: x") == "Evil Bcc: x"
