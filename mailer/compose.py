"""Outbox row -> the bytes the relay sends (and the same mail as an EmailMessage): Jinja2 text
and HTML parts, headers that cannot be injected."""

from __future__ import annotations

import binascii
import functools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any, cast

import idna
from jinja2 import TemplateError

from mailer.headers import Folded, address_header, text_header
from mailer.i18n import format_when, gettext_for
from mailer.words import fill
from models.handover import signup_link
from models.languages import DEFAULT as DEFAULT_LANGUAGE
from models.languages import invitee_language
from models.notifications import in_words
from models.outbox import INVITE_KINDS, ClaimedMail
from models.settings import Settings
from models.text import CONTROL as _CTRL
from models.text import INVISIBLE_RUN as _INVISIBLE
from models.text import printable, quote

LINK_KINDS = (*INVITE_KINDS, "resend")
KINDS = (*LINK_KINDS, "notify_accepted", "notify_overdue", "notify_failed", "digest")

# _CTRL: controls (CR and LF above all), line and paragraph separators, bidi overrides;
# models.text.CONTROL is the one definition.


@dataclass(frozen=True)
class Outgoing:
    """A composed mail, flattened ahead of time so the connection only has to carry it."""

    mail_id: int
    sender: str
    recipient: str
    data: bytes
    utf8: bool
    # The same mail as an EmailMessage, built only for a server that needs it flattened
    # again (one without 8BITMIME).
    build: Callable[[], EmailMessage] = field(repr=False, compare=False)

    @property
    def message(self) -> EmailMessage:
        return self.build()


class ComposeError(Exception):
    """This row can never become a mail (unknown kind, token that no longer unseals)."""


def one_line(value: Any, max_len: int = 300) -> str:
    """Untrusted text for a header or a table cell: control runs become one space."""
    text = str(value if value is not None else "")
    # Every character _CTRL matches is non-printable: printable text has none to replace.
    if not text.isprintable():
        # Nobody sees an invisible character: dropped, as on screen (a soft hyphen in a name
        # stored before they were refused is no word break); a control run is one space.
        text = _CTRL.sub(" ", _INVISIBLE.sub("", text))
    return text.strip()[:max_len]


def language_of(mail: ClaimedMail) -> str:
    """The mail's language: the invitee's, as queued in the payload (models.languages), for
    an invitation, reminder or resend; English for anything else or a row without one."""
    if mail.kind not in LINK_KINDS:
        return DEFAULT_LANGUAGE
    return invitee_language(str(mail.payload.get("language") or ""), None)


@lru_cache(maxsize=64)
def _when(iso: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    if not iso:
        _ = gettext_for(lang)
        return _("it expires")
    return format_when(datetime.fromisoformat(iso), lang)


def subject_of(mail: ClaimedMail) -> str:
    """The Subject: as queued for English and for every mail but an invitee's; built anew in
    the invitee's language otherwise (the queued one is English)."""
    lang = language_of(mail)
    if lang == DEFAULT_LANGUAGE:
        return one_line(mail.subject)
    _ = gettext_for(lang)
    p = mail.payload
    subject = _("%(inviter)s invites you to %(organization)s on %(product)s") % {
        "inviter": p.get("inviter_name") or _("Your support partner"),
        "organization": p.get("organization", ""), "product": p.get("product", "")}
    if mail.kind == "reminder":
        subject = _("Reminder: %(subject)s") % {"subject": subject}
    return one_line(subject)


def render(mail: ClaimedMail, settings: Settings) -> tuple[str, str]:
    """(text, html) for a claimed row, in its language (language_of)."""
    lang, values = template_values(mail, settings)
    try:
        return fill(lang, mail.kind, values)
    except TemplateError as err:
        # A row written by an older version, missing what the template needs.
        raise ComposeError(f"cannot compose this {mail.kind} mail: {err}") from None


def template_values(mail: ClaimedMail, settings: Settings) -> tuple[str, dict[str, Any]]:
    """The row's language and what its templates are given."""
    if mail.kind not in KINDS:
        raise ComposeError(f"no template for mail kind {mail.kind!r}")
    lang = language_of(mail)
    values: dict[str, Any] = {
        k: [one_line(x, 1000) for x in v] if isinstance(v, list) else one_line(v, 1000)
        for k, v in mail.payload.items()}  # a list: lines (the digest's), each one line
    values["subject"] = subject_of(mail)
    values["overdue_span"] = in_words(settings.overdue_after)
    values.setdefault("reason", "")
    if mail.kind in LINK_KINDS:
        if not mail.token:
            raise ComposeError("the invitation link cannot be rebuilt (token key changed?); "
                               "resend the invitation")
        _ = gettext_for(lang)
        values["link"] = signup_link(settings, mail.token)
        values["expires"] = _when(mail.payload.get("expires_at"), lang)
        values["inviter"] = values.get("inviter_name") or _("Your support partner")
        email, name = values.get("inviter_email", ""), values.get("inviter_name", "")
        values["contact"] = f"{name} <{email}>" if name and email else email
    return lang, values


@lru_cache(maxsize=4)
def _date(second: datetime) -> str:
    """The Date header's text, made once per second rather than once per mail."""
    return format_datetime(second)


def _address(field: str, name: str, addr: str) -> Folded:
    try:
        return address_header(field, one_line(name, 200), addr)
    except ValueError:
        raise ComposeError(f"not a usable address: {quote(addr)}") from None


@lru_cache(maxsize=256)
def _reply_to(name: str, addr: str) -> Folded:
    return _address("Reply-To", name, addr)


@lru_cache(maxsize=8)
def _sender(mail_from: str) -> tuple[Folded, str]:
    """The From header and the envelope sender (its ASCII form where it has one)."""
    name, addr = parseaddr(mail_from)
    wire, _utf8 = _wire_address(addr)
    return _address("From", name, wire), wire


def sender_address(settings: Settings) -> str:
    return _sender(settings.mail_from)[1]


@lru_cache(maxsize=1024)
def _wire_address(addr: str) -> tuple[str, bool]:
    """(address as it goes on the wire, whether it needs SMTPUTF8): an international
    domain becomes its A-label (xn--...), which any server takes; only a non-ASCII local
    part needs SMTPUTF8."""
    if addr.isascii():
        return addr, False
    local, _, domain = addr.rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as err:
        raise ComposeError(f"not a usable address: {quote(addr)} ({err})") from None
    return f"{local}@{domain}", not local.isascii()


_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>")


def _message_id(value: str) -> Folded:
    if not _MESSAGE_ID.fullmatch(value):
        raise ComposeError(f"not a usable Message-ID: {quote(value)}")
    return Folded("Message-ID", value, f"Message-ID: {value}\r\n")


# Bodies are quoted-printable, where "=" is always escaped: this boundary cannot occur in them.
_BOUNDARY = "=_licensedesk_" + secrets.token_hex(12)


class _FoldOnce(EmailPolicy):
    """SMTP policy that folds a shared header (From, Date, MIME types) once, not once per
    mail. Typed text never comes here: it is written by mailer/headers.py."""

    def fold_binary(self, name: str, value: str) -> bytes:
        memo: dict[bool, bytes] | None = getattr(value, "_folded", None)
        if memo is None:
            return super().fold_binary(name, value)
        if self.utf8 not in memo:
            memo[self.utf8] = super().fold_binary(name, value)
        return memo[self.utf8]


class _Registry(HeaderRegistry):
    """The stdlib registry builds a new header class on every lookup; build each once."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


_WIRE = {utf8: _FoldOnce(linesep="\r\n", utf8=utf8, header_factory=_Registry())
         for utf8 in (False, True)}
POLICY = _WIRE[False]


@lru_cache(maxsize=512)
def _header(name: str, value: str) -> BaseHeader:
    """A parsed header, shared by every mail that carries the same one (From, MIME types,
    the inviter's Reply-To, the Date within a second): parsing and folding headers is most
    of the cost of composing. Built the way assignment builds a header, CR/LF refusal
    included, since these go in with set_raw."""
    header = cast(BaseHeader, POLICY.header_store_parse(name, value)[1])
    header._folded = {}  # type: ignore[attr-defined]
    return header


_NEWLINES = re.compile(rb"\r\n|\r|\n")


@lru_cache(maxsize=512)
def _line(name: str, value: str, utf8: bool) -> bytes:
    """A shared header's line: the very call the stdlib generator makes for it."""
    return _WIRE[utf8].fold_binary(name, _header(name, value))


def _body(text: str) -> bytes:
    """A part's body as the generator writes the quoted-printable payload _part sets."""
    qp = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return qp.replace(b"\n", b"\r\n") if b"\r" not in qp else _NEWLINES.sub(b"\r\n", qp)


class _Alternative(EmailMessage):
    """The root, whose boundary is known: the generator asks for it on every flatten, and
    the stdlib answers by parsing Content-Type's parameters again."""

    def get_boundary(self, failobj: Any = None) -> str:
        return _BOUNDARY


def _shared(msg: EmailMessage, name: str, value: str) -> None:
    """A header many mails carry, parsed once (_header); set_raw skips the second look
    that assignment gives a value which is already a parsed header of that name."""
    msg.set_raw(name, _header(name, value))


def _part(body: str, subtype: str) -> EmailMessage:
    part = EmailMessage(policy=POLICY)
    _shared(part, "Content-Type", f'text/{subtype}; charset="utf-8"')
    _shared(part, "Content-Transfer-Encoding", "quoted-printable")
    part.set_payload(binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii"))
    return part


def compose(mail: ClaimedMail, settings: Settings, now: datetime) -> EmailMessage:
    return _compose(mail, settings, now, _wire_address(mail.to_addr)[0])


def _compose(mail: ClaimedMail, settings: Settings, now: datetime, to_addr: str) -> EmailMessage:
    text, html = render(mail, settings)
    msg = _Alternative(policy=POLICY)
    # Typed text (names, subject, addresses) is written by mailer/headers.py, never parsed
    # by the email package (which would decode encoded words in it).
    msg.set_raw("From", _sender(settings.mail_from)[0])
    msg.set_raw("To", _address("To", mail.to_name, to_addr))
    if mail.reply_to:
        inviter = str(mail.payload.get("inviter_name", ""))
        msg.set_raw("Reply-To", _reply_to(inviter, _wire_address(mail.reply_to)[0]))
    msg.set_raw("Subject", text_header("Subject", subject_of(mail)))
    _shared(msg, "Date", _date(now.replace(microsecond=0)))
    # Fixed when the row was written, so a retried mail is recognisably the same one.
    msg.set_raw("Message-ID", _message_id(mail.message_id))
    _shared(msg, "Auto-Submitted", "auto-generated")
    _shared(msg, "X-Licensedesk-Kind", mail.kind)
    _shared(msg, "MIME-Version", "1.0")
    _shared(msg, "Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"')
    msg.set_payload([_part(text, "plain"), _part(html, "html")])
    return msg


def _data(mail: ClaimedMail, settings: Settings, now: datetime, to_addr: str,
          to_utf8: bool) -> tuple[bytes, bool]:
    """What _compose builds, flattened, written straight as bytes: the same checks in the
    same order, every header line by the same policy call the stdlib generator makes, and
    the multipart/alternative frame as the generator writes it (its `_handle_multipart`).
    No EmailMessage, parts or generator per mail: composing is on the relay's hot path.
    tests/mailer/test_compose_bytes.py holds these bytes to aiosmtplib's flatten of
    compose() on hostile input."""
    text, html = render(mail, settings)
    typed: list[tuple[str, Folded]] = [
        ("From", _sender(settings.mail_from)[0]), ("To", _address("To", mail.to_name, to_addr))]
    if mail.reply_to:
        inviter = str(mail.payload.get("inviter_name", ""))
        typed.append(("Reply-To", _reply_to(inviter, _wire_address(mail.reply_to)[0])))
    typed.append(("Subject", text_header("Subject", subject_of(mail))))
    date = _date(now.replace(microsecond=0))
    message_id = _message_id(mail.message_id)
    plain, rich = _body(text), _body(html)
    sender = sender_address(settings)
    # Any address with a non-ASCII local part (the inviter's Reply-To too) can only travel
    # in a UTF-8 (SMTPUTF8) mail.
    reply_utf8 = bool(mail.reply_to) and _wire_address(mail.reply_to or "")[1]
    utf8 = to_utf8 or reply_utf8 or not sender.isascii()
    policy = _WIRE[utf8]
    out = [policy.fold_binary(name, value) for name, value in typed]
    out += [_line("Date", date, utf8), policy.fold_binary("Message-ID", message_id),
            _line("Auto-Submitted", "auto-generated", utf8),
            _line("X-Licensedesk-Kind", mail.kind, utf8), _frame(utf8)]
    out += [plain, _between(utf8), rich, _CLOSE]
    return b"".join(out), utf8


_DELIMITER = b"--" + _BOUNDARY.encode("ascii")
_CLOSE = b"\r\n" + _DELIMITER + b"--\r\n"


def _part_head(subtype: str, utf8: bool) -> bytes:
    return (_line("Content-Type", f'text/{subtype}; charset="utf-8"', utf8)
            + _line("Content-Transfer-Encoding", "quoted-printable", utf8) + b"\r\n")


@lru_cache(maxsize=2)
def _frame(utf8: bool) -> bytes:
    """The root's last headers, the blank line, and the first part's delimiter and head."""
    return (_line("MIME-Version", "1.0", utf8)
            + _line("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"', utf8)
            + b"\r\n" + _DELIMITER + b"\r\n" + _part_head("plain", utf8))


@lru_cache(maxsize=2)
def _between(utf8: bool) -> bytes:
    return b"\r\n" + _DELIMITER + b"\r\n" + _part_head("html", utf8)


def prepare(mail: ClaimedMail, settings: Settings, now: datetime) -> Outgoing:
    """The mail and its envelope. Anything that stops this row from becoming a mail is a
    ComposeError: the relay fails that row alone and goes on with the rest."""
    try:
        to_addr, to_utf8 = _wire_address(mail.to_addr)
        data, utf8 = _data(mail, settings, now, to_addr, to_utf8)
        return Outgoing(mail.id, sender_address(settings), to_addr, data, utf8,
                        functools.partial(_compose, mail, settings, now, to_addr))
    except ComposeError:
        raise
    except Exception as err:  # a row no code path should produce; it must not stop the queue
        # Logged and stored: whatever the exception says, never the token (nor its link).
        said = str(err).replace(mail.token, "[token]") if mail.token else str(err)
        raise ComposeError(f"cannot build this mail: {type(err).__name__}: "
                           f"{printable(said, 200)}") from None
