"""A bracketed paste is text, whatever it holds.

Textual 8.2's input parser reads an ESC inside a paste as the start of a key sequence and,
when the sequence is not one it knows, hands its characters to the app as key presses: a
pasted ESC followed by ctrl+r and ctrl+s removed a row and sent the invitations; coloured
`grep` output became junk rows; an OSC title ending in BEL opened the language picker (BEL
is ctrl+g) and the rest of the list went to it. Here everything between the terminal's
paste brackets is held until the closing bracket and given to the parser with every escape
sequence (and any lone ESC) taken out, so the parser sees plain text and makes one Paste of
it. Outside a paste, input passes unchanged, except a read that ends with the start of an
opening bracket (`ESC`, `ESC[2`, …): that is held until the next read completes or refutes it,
or for the parser's own escape delay (then it goes on as typed). Held there, a bracket split
between two reads over a slow link still opens a paste; the parser would have given up
after its delay and replayed it, and the paste after it, as keys. A lone Escape is decided
after the same delay as before.

What no program can tell from the bytes: a pasted text that itself holds the closing
bracket (a terminal that does not filter pastes, tmux's `paste-buffer -p`) ends the paste
there, and what follows it reads as typed keys.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from textual import constants
from textual._xterm_parser import XTermParser
from textual.message import Message

START = "\x1b[200~"
END = "\x1b[201~"
# CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST), DCS/SOS/PM/APC
# strings (ended by ST), other two-character escapes, then whatever ESC is left.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[@-Z\\-_]|\x1b")
# More than this without the closing bracket: pass on what is held (cleaned) meanwhile.
_HOLD_AT_MOST = 1 << 20
# How long the start of an opening bracket longer than a lone ESC waits for its end (no key
# a person types is `ESC[2` alone); a lone ESC waits the parser's delay, being Escape.
_SPLIT_WAIT = 1.0
# A lone ESC given up on as Escape, then the rest of an opening bracket this soon after:
# the paste is still taken as a paste (the Escape already acted).
_LATE_REST = 2.0


def without_escapes(text: str) -> str:
    return _ESCAPES.sub("", text)


class PasteSafeParser(XTermParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pasting = False
        self._partial = ""  # a read's last characters that may begin START
        self._partial_at = 0.0
        self._escape_at = -_LATE_REST  # when a held lone ESC went on as Escape
        self._held = ""  # the paste so far

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input: what is held goes first
            held = self._partial + self._flush()
            self._partial = ""
            return [*(super().feed(held) if held else ()), *super().feed("")]
        text = self._screen(self._partial + data)
        return super().feed(text) if text else ()

    def tick(self) -> Iterable[Message]:
        wait = constants.ESCAPE_DELAY if self._partial == "\x1b" else _SPLIT_WAIT
        if self._partial and time.monotonic() - self._partial_at >= wait:
            # Nothing came to complete it: it was typed (Escape, or the start of a key),
            # and it has waited the parser's delay already, so the parser decides at once.
            partial, self._partial = self._partial, ""
            if partial == "\x1b":
                self._escape_at = time.monotonic()
            events = list(super().feed(partial))
            self._timeout_time = 0.0
            return [*events, *super().tick()]
        return super().tick()

    def _screen(self, data: str) -> str:
        out: list[str] = []
        if data.startswith(START[1:]) and time.monotonic() - self._escape_at < _LATE_REST:
            data = "\x1b" + data  # the rest of the bracket its ESC was taken for Escape
        self._escape_at = -_LATE_REST
        while data:
            if not self._pasting:
                at = data.find(START)
                if at < 0:
                    keep = _start_of_start(data)
                    out.append(data[:len(data) - keep])
                    if keep:
                        self._partial = data[len(data) - keep:]
                        self._partial_at = time.monotonic()
                    else:
                        self._partial = ""
                    return "".join(out)
                out.append(data[:at + len(START)])
                data = data[at + len(START):]
                self._pasting, self._partial, self._held = True, "", ""
                continue
            self._held += data
            at = self._held.find(END)
            if at < 0:
                if len(self._held) > _HOLD_AT_MOST:
                    out.append(self._pass_on_part())
                return "".join(out)
            out.append(without_escapes(self._held[:at]) + END)
            data = self._held[at + len(END):]
            self._pasting, self._held = False, ""
        return "".join(out)

    def _pass_on_part(self) -> str:
        """Most of a very long paste, cleaned; an escape sequence near its end (or a split
        END) stays held whole, so it is not cut in two and half kept as text."""
        cut = len(self._held) - (len(END) - 1)
        last_escape = self._held.rfind("\x1b", 0, cut)
        if last_escape >= 0 and cut - last_escape < 512:
            cut = last_escape
        part, self._held = self._held[:cut], self._held[cut:]
        return without_escapes(part)

    def _flush(self) -> str:
        held, self._held = self._held, ""
        return without_escapes(held)


def _start_of_start(data: str) -> int:
    """How many of `data`'s last characters are the beginning of START (0: none)."""
    for size in range(min(len(START) - 1, len(data)), 0, -1):
        if data.endswith(START[:size]):
            return size
    return 0


def install() -> None:
    """Make the Linux driver read input with `PasteSafeParser` (it names XTermParser in its
    module when its input thread starts); tests/tui/test_paste.py fails if that moves."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
