"""Untrusted text: refused on input when it carries control characters, stripped on display."""

from __future__ import annotations

import re
import unicodedata

from models.errors import DomainError

# The one rule for characters that must not reach a terminal or a header: C0/C1 controls
# (NEL among them), the line and paragraph separators, and the bidirectional marks,
# overrides and isolates that reorder what a person sees (the Arabic letter mark U+061C is
# one of the marks). A run of them is one match (mail subjects put one space where a run was).
# Then the format characters nobody sees (INVISIBLE): "Acme\u200bBooks" looks like "AcmeBooks"
# in every list, and terminals disagree on their width. Not here: the marks that print with
# the digits after them (U+0600-0605 and the like), and what some writing needs, which
# `misplaced` allows only there.
INVISIBLE = ("\u00ad\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
             "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001")
CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
    + INVISIBLE + "]+")


# Invisible characters some writing needs (Unicode's other default-ignorable ones): allowed
# only where that writing is, refused elsewhere, where they only make lookalikes.
_CONTEXTUAL = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200c\u200d\u3164"
                         "\ufe00-\ufe0f\uffa0\U000e0020-\U000e007f\U000e0100-\U000e01ef]")
_FLAG = "\U0001f3f4"  # a subdivision flag: this, tag letters, the cancel tag
_TAGS = range(0xE0020, 0xE0080)


def _needed(text: str, i: int) -> bool:
    """Whether the invisible character at `i` is where its writing needs it."""
    c, n = text[i], ord(text[i])
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if c in "\u200c\u200d":  # joiners: inside Arabic, Indic or emoji sequences, not Latin
        return bool(before and after) and ord(before) >= 0x600 and ord(after) >= 0x600
    if c == "\u034f":  # the grapheme joiner goes between combining marks
        return bool(before) and unicodedata.category(before).startswith("M")
    if 0xFE00 <= n <= 0xFE0F:  # an emoji's or a symbol's presentation; a keycap's digit
        return bool(before) and (ord(before) >= 0xA9 or (before in "0123456789#*"
                                                          and after == "\u20e3"))
    if 0xE0100 <= n <= 0xE01EF:  # an ideograph's variant
        return bool(before) and ord(before) >= 0x3400
    if 0x180B <= n <= 0x180F:  # Mongolian's selectors and vowel separator
        return bool(before) and 0x1800 <= ord(before) <= 0x18AF
    if n in _TAGS:
        start = i
        while start and ord(text[start - 1]) in _TAGS:
            start -= 1
        end = i
        while end + 1 < len(text) and ord(text[end + 1]) in _TAGS:
            end += 1
        return start > 0 and text[start - 1] == _FLAG and text[end] == "\U000e007f"
    return False  # the Hangul fillers, Khmer's two inherent vowels: never needed


def misplaced(text: str) -> int | None:
    """Where the first invisible character outside the writing that needs it is, or None."""
    if text.isascii():
        return None
    for found in _CONTEXTUAL.finditer(text):
        if not _needed(text, found.start()):
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
    if re.fullmatch(f"[{INVISIBLE}]", c) or _CONTEXTUAL.fullmatch(c):
        name = unicodedata.name(c, "")
        return f"an invisible character (U+{ord(c):04X}{' ' + name if name else ''})"
    return CONTROLS


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
    return "".join(map(_escaped, text))


def _escaped(c: str) -> str:
    if c.isprintable() and not CONTROL.match(c) and not _CONTEXTUAL.match(c):
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


def normalize_email(value: str) -> tuple[str, str]:
    """(normalized address, case-folded key) or InvalidAddress with the reason.

    The one rule for every address typed anywhere (console, CLI, settings): a plain mailbox
    that email-validator accepts, never a display name, a quoted local part, a line break
    or an RFC 2047 encoded word, which a mail reader would decode into something else."""
    raw = _trim(value)
    if not raw:
        raise InvalidAddress("e-mail address is empty")
    found = CONTROL.search(raw) or _CONTEXTUAL.search(raw)
    if found:
        # No writing needs an invisible character in an address: the domain's IDNA mapping
        # would drop it silently, the mailbox's would keep a lookalike.
        what = _what(found.group()[0])
        if what == CONTROLS:
            what = "control or line-break characters"
        raise InvalidAddress(f"{quote(raw)} contains {what}")
    plain = unicodedata.normalize("NFKC", raw)
    if plain != unicodedata.normalize("NFC", raw):
        odd = next(c for c in raw if unicodedata.normalize("NFKC", c) != c)
        raise InvalidAddress(f"{quote(raw)} contains {quote(odd)} (U+{ord(odd):04X} "
                             f"{unicodedata.name(odd, '')}); type "
                             f"{quote(unicodedata.normalize('NFKC', odd))} instead")
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
