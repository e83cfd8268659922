"""Untrusted text: refused on input when it carries control characters, stripped on display."""

from __future__ import annotations

import re
import unicodedata

from models.errors import DomainError
from models.invisible import CONTEXTUAL, INVISIBLE, needed

# The one rule for characters that must not reach a terminal or a header: C0/C1 controls
# (NEL among them), the line and paragraph separators, and the bidirectional marks,
# overrides and isolates that reorder what a person sees (the Arabic letter mark U+061C is
# one of the marks). A run of them is one match (mail subjects put one space where a run was).
# Then the characters nobody sees that no writing needs (models.invisible).
CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
    + INVISIBLE + "]+")


# The invisible ones alone: what mail drops where a control run becomes a space.
INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")

# Invisible characters some writing needs: allowed only beside it (models.invisible).
_CONTEXTUAL = re.compile(f"[{CONTEXTUAL}]")


def misplaced(text: str) -> int | None:
    """Where the first invisible character outside the writing that needs it is, or None."""
    if text.isascii():
        return None
    for found in _CONTEXTUAL.finditer(text):
        if not needed(text, found.start()):
            return found.start()
    return None


class InvalidText(DomainError):
    pass


class InvalidAddress(DomainError):
    pass


def _trim(text: str) -> str:
    """White space off both ends, except what is refused anyway (a line break or a tab at
    either end is refused like one in the middle, not silently dropped)."""
    start, end = 0, len(text)
    while start < end and text[start].isspace() and not CONTROL.match(text[start]):
        start += 1
    while end > start and text[end - 1].isspace() and not CONTROL.match(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_text(value: str, field: str, *, max_len: int = 200, required: bool = True) -> str:
    """Validate a name-like field: no control or bidi characters, trimmed, bounded."""
    text = _trim(unicodedata.normalize("NFC", value))
    found = CONTROL.search(text)
    at = found.start() if found else misplaced(text)
    if at is not None:
        what = _what(text[at])
        hint = "them" if what == CONTROLS else "that character"
        raise InvalidText(f"{field} contains {what}; type it without {hint}")
    if required and not text:
        raise InvalidText(f"{field} is required")
    if len(text) > max_len:
        raise InvalidText(f"{field} is longer than {max_len} characters")
    return text


CONTROLS = "control characters"


def _what(c: str) -> str:
    """A refused character, named: an invisible one cannot be pointed at otherwise."""
    if INVISIBLE_RUN.fullmatch(c) or _CONTEXTUAL.fullmatch(c):
        name = unicodedata.name(c, "")
        return f"an invisible character (U+{ord(c):04X}{' ' + name if name else ''})"
    return CONTROLS


def unseen(text: str) -> str | None:
    """The first control or invisible character in `text` that no address or domain may hold,
    named as a message says it; None when there is none."""
    found = CONTROL.search(text) or _CONTEXTUAL.search(text)
    return _what(found.group()[0]) if found else None


def display(value: str | None) -> str:
    """For showing stored text: control and bidi characters removed, never markup-parsed."""
    return CONTROL.sub("", value or "")


def printable(value: str, max_len: int = 2000) -> str:
    """Text from outside (a server's reply, a stored row) for a log line, a message or a
    column: every control, line-break, bidi and lone-surrogate character (bytes that were
    not UTF-8) written as an escape, so it is one honest line that any encoder takes."""
    text = value if len(value) <= max_len else value[:max_len] + "…"
    if text.isprintable() and (text.isascii() or not _CONTEXTUAL.search(text)):
        return text
    return "".join(_escaped(text, i) for i in range(len(text)))


def _escaped(text: str, i: int) -> str:
    """The character at `i`, or its escape: a control, bidi or invisible one always, one
    that only some writing needs unless that writing is beside it (❤️ stays ❤️)."""
    c = text[i]
    if _CONTEXTUAL.match(c):
        if needed(text, i):
            return c
    elif c.isprintable() and not CONTROL.match(c):
        return c
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{n - 0xDC00:02x}"
    if n < 0x100:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}" if n <= 0xFFFF else f"\\U{n:08x}"


def quote(value: str, max_len: int = 80) -> str:
    """User text inside a message: quoted, with every control, line-break and bidi
    character written as an escape, so the message stays one honest line."""
    text = value if len(value) <= max_len else value[:max_len] + "…"
    return f"'{printable(text, max_len + 1)}'"


def mapped_domain(domain: str) -> str | None:
    """What IDNA makes of a typed domain when that is not the domain as typed (case, composed
    accents and A-labels aside): an invisible character dropped, a fullwidth letter or an
    ideographic full stop mapped. None when it stays what was typed, or is no domain."""
    import idna

    try:
        mapped = idna.encode(domain, uts46=True)
    except (idna.IDNAError, UnicodeError):
        return None  # no domain at all: the caller says so
    plain = unicodedata.normalize("NFC", domain).lower()
    if any(dot in plain for dot in "\u3002\uff0e\uff61"):  # full stops IDNA reads as "."
        return re.sub("[\u3002\uff0e\uff61]", ".", plain)
    try:
        if idna.encode(plain) == mapped:  # IDNA 2008 itself, which maps nothing
            return None
    except (idna.IDNAError, UnicodeError):
        pass
    try:
        shown = str(idna.decode(mapped))
    except (idna.IDNAError, UnicodeError):
        return mapped.decode("ascii")
    # A difference of case only, by whichever folding (Cherokee's differ): no change.
    return None if shown.casefold() == plain.casefold() else shown


def normalize_email(value: str) -> tuple[str, str]:
    """(normalized address, case-folded key) or InvalidAddress with the reason.

    The one rule for every address typed anywhere (console, CLI, settings): a plain mailbox
    that email-validator accepts, never a display name, a quoted local part, a line break
    or an RFC 2047 encoded word, which a mail reader would decode into something else."""
    raw = _trim(value)
    if not raw:
        raise InvalidAddress("e-mail address is empty")
    what = unseen(raw)
    if what is not None:
        # No writing needs an invisible character in an address: the domain's IDNA mapping
        # would drop it silently, the mailbox's would keep a lookalike.
        if what == CONTROLS:
            what = "control or line-break characters"
        raise InvalidAddress(f"{quote(raw)} contains {what}")
    plain = unicodedata.normalize("NFKC", raw)
    if plain != unicodedata.normalize("NFC", raw):
        odd = next((c for c in raw if unicodedata.normalize("NFKC", c) != c), raw[0])
        folded = unicodedata.normalize("NFKC", odd)
        fix = "remove it" if not folded.strip() else f"type {quote(folded)} instead"
        raise InvalidAddress(f"{quote(raw)} contains {quote(odd)} (U+{ord(odd):04X} "
                             f"{unicodedata.name(odd, '')}); {fix}")
    if "@" in raw:
        changed = mapped_domain(raw.rpartition("@")[2])
        if changed is not None:
            raise InvalidAddress(f"{quote(raw)}: its domain would be read as {quote(changed)}, "
                                 "a character in it dropped or changed; type the domain as "
                                 "it is meant")
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
