"""Header lines that carry typed text (names, subjects, addresses), written so that the
reader sees exactly what was typed, whatever it was.

Why not the email package's own header classes: they *parse* the value they are given and
decode RFC 2047 encoded words in it. An organization named
`=?utf-8?q?A=0D=0ABcc:_e@evil.example?=` becomes "A", a line break and a Bcc header on the
wire (seen on CPython 3.11.7; in a quoted display name too). So typed text never goes
through that parser. The one rule, the same on every Python:

- printable ASCII with no `=?` is written as it is (folded at its spaces, which unfolding
  gives back exactly); in a display name, as a quoted string;
- anything else is written as UTF-8 base64 encoded words, which a reader decodes back to
  exactly the text, `=?` and all.

Line breaks of every kind and other controls were already turned into spaces by
`one_line()`; `check_mailbox()` refuses an address that is not a plain mailbox.
"""

from __future__ import annotations

import base64
import re
from typing import Any

MAX_LINE = 76          # below RFC 5322's 78, leaving room for the CRLF
_EW_OVERHEAD = len("=?utf-8?b??=")
# A plain mailbox as the domain layer admits it: no quoting, no comments, no spaces.
_MAILBOX = re.compile(r"[^\s\"(),:;<>@\[\\\]]+@[^\s\"(),:;<>@\[\\\]]+")
_PLAIN = re.compile(r"[\x20-\x7e]*")
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+( [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_TOKENS = re.compile(r" *[^ ]+")


class Folded(str):
    """A finished header value. The generator asks a value with a `name` for its folded
    form (EmailPolicy._fold), so these are written as built here, never re-parsed."""

    name: str
    folded: str  # "Name: value\r\n", continuation lines included

    def __new__(cls, name: str, shown: str, folded: str) -> Folded:
        value = super().__new__(cls, shown)
        value.name = name
        value.folded = folded
        return value

    def fold(self, *, policy: Any) -> str:
        return self.folded.replace("\r\n", policy.linesep)


def _plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and "=?" not in text


def _fold_plain(start: int, text: str) -> str:
    """Greedy fold before a space; unfolding (removing each CRLF) restores the text."""
    lines: list[str] = []
    line, width = "", start
    for token in _TOKENS.findall(text):
        if line and width + len(token) > MAX_LINE:
            lines.append(line)
            line, width = "", 0
        line += token
        width += len(token)
    lines.append(line)
    return "\r\n".join(lines)


def _encoded_words(start: int, text: str) -> str:
    """Base64 UTF-8 encoded words, each within its line, never splitting a character.
    Decoders ignore the folding white space between adjacent encoded words."""
    lines: list[str] = []
    chunk = b""
    room = _room(MAX_LINE - start)
    for ch in text:
        b = ch.encode("utf-8")
        if chunk and len(chunk) + len(b) > room:
            lines.append(_word(chunk))
            chunk, room = b"", _room(MAX_LINE - 1)
        chunk += b
    lines.append(_word(chunk))
    return "\r\n ".join(lines)


def _room(width: int) -> int:
    """Bytes whose encoded word fits in `width` columns (at least one 4-byte character)."""
    return max(4, (width - _EW_OVERHEAD) // 4 * 3)


def _word(data: bytes) -> str:
    return "=?utf-8?b?" + base64.b64encode(data).decode("ascii") + "?="


def text_header(name: str, text: str) -> Folded:
    """An unstructured header (Subject) holding `text` exactly."""
    start = len(name) + 2
    body = _fold_plain(start, text) if _plain(text) else _encoded_words(start, text)
    return Folded(name, text, f"{name}: {body}\r\n")


def check_mailbox(addr: str) -> str:
    """`addr` if it is one plain mailbox, else ValueError (never an encoded word, a space,
    a line break, a display name or a second address)."""
    if not _MAILBOX.fullmatch(addr) or "=?" in addr or not addr.isprintable():
        raise ValueError(f"not a plain mailbox: {addr!r}")
    return addr


def address_header(name: str, display: str, addr: str) -> Folded:
    """`display <addr>` (or the bare address): the display name exactly as typed."""
    check_mailbox(addr)
    start = len(name) + 2
    if not display:
        return Folded(name, addr, f"{name}: {addr}\r\n")
    quoted = display if _ATOMS.fullmatch(display) else (
        '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"')
    if _plain(display):
        # A quoted string folds at its spaces and unfolds exactly; encoded words would
        # not do for a long name: Python's reader puts a space between two of them in a
        # display name (RFC 2047 says to drop the white space between them).
        phrase = _fold_plain(start, quoted)
    else:
        phrase = _encoded_words(start, display)
    width = len(phrase.rsplit("\r\n", 1)[-1]) + (0 if "\r\n" in phrase else start)
    angle = f"<{addr}>"
    sep = " " if width + 1 + len(angle) <= MAX_LINE else "\r\n "
    shown = f"{quoted} <{addr}>"
    return Folded(name, shown, f"{name}: {phrase}{sep}{angle}\r\n")
