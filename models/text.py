"""Untrusted text: refused on input when it carries control characters, stripped on display."""

from __future__ import annotations

import re
import unicodedata

from models.errors import DomainError

# C0/C1 controls (NEL among them), the line and paragraph separators, and the bidirectional
# overrides and isolates that reorder what a person sees.
_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class InvalidText(DomainError):
    pass


class InvalidAddress(DomainError):
    pass


def clean_text(value: str, field: str, *, max_len: int = 200, required: bool = True) -> str:
    """Validate a name-like field: no control or bidi characters, trimmed, bounded."""
    text = unicodedata.normalize("NFC", value).strip()
    if _BAD.search(text):
        raise InvalidText(f"{field} contains control characters; type it without them")
    if required and not text:
        raise InvalidText(f"{field} is required")
    if len(text) > max_len:
        raise InvalidText(f"{field} is longer than {max_len} characters")
    return text


def display(value: str | None) -> str:
    """For showing stored text: control and bidi characters removed, never markup-parsed."""
    return _BAD.sub("", value or "")


def quote(value: str, max_len: int = 80) -> str:
    """User text inside a message: quoted, with every control, line-break and bidi
    character written as an escape, so the message stays one honest line."""
    text = value if len(value) <= max_len else value[:max_len] + "…"
    shown = "".join(c if c.isprintable() and not _BAD.match(c) else
                    f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
                    for c in text)
    return f"'{shown}'"


def normalize_email(value: str) -> tuple[str, str]:
    """(normalized address, case-folded key) or InvalidAddress with the reason.

    The one rule for every address typed anywhere (console, CLI, settings): a plain mailbox
    that email-validator accepts, never a display name, a quoted local part, a line break
    or an RFC 2047 encoded word, which a mail reader would decode into something else."""
    raw = value.strip()
    if not raw:
        raise InvalidAddress("e-mail address is empty")
    if _BAD.search(raw):
        raise InvalidAddress(f"{quote(raw)} contains control or line-break characters")
    if "=?" in raw:
        raise InvalidAddress(f"{quote(raw)}: an address cannot hold an encoded word (=?…?=); "
                             "type the plain address")
    # Imported here: its rule tables cost ~20 ms, and the console's first frame needs
    # display() from this module but no address check.
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as err:
        raise InvalidAddress(f"{quote(raw)}: {err}") from None
    return info.normalized, info.normalized.casefold()
