"""Whatever a person typed into a name or an organization, the mail carries exactly the
expected headers, and each one reads back as what was typed (after one_line's documented
cleaning: control and line-break characters become one space, ends trimmed, length cut).

The strategy is built around what breaks mail: RFC 2047 encoded words (ours, other
charsets, malformed), every Unicode line break, controls, quotes and backslashes, runs of
spaces, non-ASCII and astral characters, and long text that must be folded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_string, policy
from email.errors import NonASCIILocalPartDefect
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mailer.compose import ComposeError, one_line, prepare
from mailer.headers import address_header, text_header
from models.outbox import ClaimedMail
from models.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LINE_BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
               "\u2028", "\u2029"]
ENCODED_WORDS = [
    "=?utf-8?q?A=0D=0ABcc:_e@evil.example?=", "=?utf-8?q?Al=0D=0AX-Evil:_1?=",
    "=?UTF-8?B?QQ0KQmNjOiBlQGV2aWwuZXhhbXBsZQ==?=", "=?iso-8859-1?q?caf=E9?=",
    "=?utf-8?q?", "?=", "=?", "=?x?y?z?=", "=?utf-8*en?q?hi?=",
]
PIECES = st.sampled_from([
    *ENCODED_WORDS, *LINE_BREAKS, "\t", "\x00", "\x1b[31m", "\u202e", "\u200f",
    '"', "\\", "<", ">", "@", ",", ";", ":", "(", ")", "[", "]", " ", "  ", "ü", "Ж",
    "漢字", "🎉", "\U0001f468\u200d\U0001f469", "Bcc: spy@evil.example", "X-I: 1",
])
TYPED = st.lists(PIECES | st.text(max_size=12), max_size=40).map("".join)
EXPECTED = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "Auto-Submitted",
            "X-Licensedesk-Kind", "MIME-Version", "Content-Type"]


def _mail(subject: str, to_name: str, inviter: str, to_addr: str) -> ClaimedMail:
    return ClaimedMail(
        id=1, kind="notify_accepted", to_addr=to_addr, to_name=to_name,
        reply_to="sam@partner.example", subject=subject,
        message_id="<0123abcd@partner.example>",
        payload={"invitee_email": "x@y.example", "role": "Agent", "organization": subject,
                 "product": "HelpDesk", "license_id": 1, "inviter_name": inviter,
                 "staff_name": inviter},
        token=None, attempts=1, created_at=NOW, lease_until=NOW)


def _read(data: bytes) -> EmailMessage:
    # Header bytes are ASCII, or UTF-8 in an SMTPUTF8 mail (RFC 6532).
    msg = message_from_string(data.decode("utf-8"), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _unfolded(raw_header_block: bytes, name: str) -> str:
    old = message_from_string(raw_header_block.decode("utf-8"), policy=policy.compat32)
    return str(old[name]).replace("\r\n", "").replace("\n", "")


def _rfc2047(text: str) -> str:
    """RFC 2047 decoding (the compat32 decoder): white space between adjacent encoded
    words is dropped. The newer parser keeps it inside a display name, against the RFC,
    so display names are read with this one."""
    return str(make_header(decode_header(text)))


def _display_name(raw_header_block: bytes, name: str) -> tuple[str, str]:
    phrase, addr = parseaddr(_unfolded(raw_header_block, name))
    return _rfc2047(phrase), addr


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TYPED, to_name=TYPED, inviter=TYPED,
       to_addr=st.sampled_from(["bob@acme.example", "anna@bücher.example",
                                "jöhn@acme.example"]))
@example(subject="=?utf-8?q?A=0D=0ABcc:_e@evil.example?=",
         to_name="=?utf-8?q?Al=0D=0AX-Evil:_1?=", inviter="=?utf-8?q?Al=0D=0AX-Evil:_1?=",
         to_addr="bob@acme.example")
@example(subject="a  b " * 40, to_name='"\\"' * 30, inviter="x" * 500, to_addr="bob@acme.example")
def test_typed_text_reaches_the_reader_literally(
        subject: str, to_name: str, inviter: str, to_addr: str) -> None:
    out = prepare(_mail(subject, to_name, inviter, to_addr),
                  Settings(mail_from="Licensedesk <noreply@partner.example>"), NOW)
    head = out.data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    msg = _read(out.data)
    assert list(msg.keys()) == EXPECTED
    assert msg["Subject"] == one_line(subject)
    assert _rfc2047(_unfolded(head, "Subject")) == one_line(subject)
    (to,) = msg["To"].addresses
    assert to.addr_spec == out.recipient
    assert _display_name(head, "To") == (one_line(to_name, 200), out.recipient)
    (reply,) = msg["Reply-To"].addresses
    assert reply.addr_spec == "sam@partner.example"
    assert _display_name(head, "Reply-To") == (one_line(inviter, 200), "sam@partner.example")
    # The parser predates RFC 6532 and flags a UTF-8 local part; nothing else may be off.
    assert not [d for d in msg["To"].defects if not isinstance(d, NonASCIILocalPartDefect)]
    assert not msg["Subject"].defects and not msg["Reply-To"].defects


def test_international_addresses_go_as_a_label_or_smtputf8() -> None:
    s = Settings(mail_from="Licensedesk <noreply@partner.example>")
    idn = prepare(_mail("Hi", "Anna", "Sam", "anna@bücher.example"), s, NOW)
    assert (idn.recipient, idn.utf8) == ("anna@xn--bcher-kva.example", False)
    assert idn.data.isascii()
    utf8 = prepare(_mail("Hi", "Jöhn", "Sam", "jöhn@acme.example"), s, NOW)
    assert (utf8.recipient, utf8.utf8) == ("jöhn@acme.example", True)
    assert _read(utf8.data)["To"].addresses[0].addr_spec == "jöhn@acme.example"


@pytest.mark.parametrize("addr", [
    "=?utf-8?q?a=0D=0AX-I=3Ay?=@plain.example", "a b@x.example", "Ann <a@x.example>",
    "a@x.example, b@y.example", "a\r\nBcc: c@d.example@x.example", "", "no-at-sign",
    "a@x.example\u2028", '"quoted"@x.example',
])
def test_a_row_with_an_unusable_address_is_refused_alone(addr: str) -> None:
    with pytest.raises(ComposeError, match="not a usable address"):
        prepare(_mail("Hi", "Ann", "Sam", addr), Settings(), NOW)


@given(display=TYPED)
@settings(max_examples=300, deadline=None)
def test_from_header_keeps_a_hostile_display_name_literal(display: str) -> None:
    """The From setting is checked when settings load; its writer holds on its own too."""
    cleaned = one_line(display, 200)
    block = (address_header("From", cleaned, "noreply@partner.example").folded
             + text_header("Subject", "x").folded + "\r\n").encode("ascii")
    msg = _read(block)
    assert list(msg.keys()) == ["From", "Subject"]
    assert msg["From"].addresses[0].addr_spec == "noreply@partner.example"
    assert _display_name(block, "From") == (cleaned, "noreply@partner.example")


def test_an_idn_from_domain_gives_an_ascii_message_id_and_sends() -> None:
    from models.outbox import _id_domain

    s = Settings(mail_from="\"Bücher Desk\" <desk@bücher.example>")
    assert _id_domain(s.mail_from) == "xn--bcher-kva.example"
    mail = _mail("Hi", "Ann", "Sam", "ann@acme.example")
    mail = ClaimedMail(**{**mail.__dict__, "message_id": "<ab12@xn--bcher-kva.example>"})
    out = prepare(mail, s, NOW)
    assert out.sender == "desk@xn--bcher-kva.example" and not out.utf8
    assert _display_name(out.data.split(b"\r\n\r\n")[0] + b"\r\n\r\n", "From") == (
        "Bücher Desk", "desk@xn--bcher-kva.example")


def test_an_inviter_with_a_utf8_local_part_makes_a_utf8_mail() -> None:
    mail = _mail("Hi", "Ann", "Jöhn", "ann@acme.example")
    mail = ClaimedMail(**{**mail.__dict__, "reply_to": "jöhn@partner.example"})
    out = prepare(mail, Settings(), NOW)
    assert out.utf8  # needs SMTPUTF8; built, not "cannot build this mail"
    assert _read(out.data)["Reply-To"].addresses[0].addr_spec == "jöhn@partner.example"


@pytest.mark.parametrize("name", ["Zoë Ünal-Çelik " * 6, "x" * 150, "Müller & Söhne " * 8])
def test_the_mailbox_shows_a_long_name_as_typed(tmp_path: Path, name: str) -> None:
    """The console's Mailbox reads display names as RFC 2047 says (the stdlib's newer
    parser puts a space between two encoded words in a name)."""
    from mailer.mailbox import get_mail

    out = prepare(_mail("Hi", name, "Sam", "bob@acme.example"), Settings(), NOW)
    new = tmp_path / "mailbox" / "new"
    new.mkdir(parents=True)
    (new / "1.mail").write_bytes(out.data)
    shown = get_mail(tmp_path, "1.mail").to
    assert one_line(name, 200) in shown.replace('\\"', '"'), shown
