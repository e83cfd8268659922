"""A bracketed paste is text, whatever it holds.

Textual 8.2's input parser reads an ESC inside a paste as the start of a key sequence and,
when the sequence is not one it knows, hands its characters to the app as key presses: a
pasted ESC followed by ctrl+r and ctrl+s removed a row and sent the invitations; coloured
`grep` output became junk rows; an OSC title ending in BEL opened the language picker (BEL
is ctrl+g) and the rest of the list went to it. Here everything between the terminal's
paste brackets is held until the closing bracket and given to the parser with every escape
sequence (and any lone ESC) taken out, so the parser sees plain text and makes one Paste of
it. Outside a paste, input passes unchanged and at once (an Escape key is not delayed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from textual._xterm_parser import XTermParser
from textual.message import Message

START = "\x1b[200~"
END = "\x1b[201~"
# CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST), other two-character
# escapes, then whatever ESC is left.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[@-Z\\-_]|\x1b")
# More than this without the closing bracket: pass on what is held (cleaned) meanwhile.
_HOLD_AT_MOST = 1 << 20


def without_escapes(text: str) -> str:
    return _ESCAPES.sub("", text)


class PasteSafeParser(XTermParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pasting = False
        self._seen = ""  # the end of what passed, to find a START split between reads
        self._held = ""  # the paste so far

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input: what is held goes first, cleaned
            held = self._flush()
            return [*(super().feed(held) if held else ()), *super().feed("")]
        text = self._screen(data)
        return super().feed(text) if text else ()

    def _screen(self, data: str) -> str:
        out: list[str] = []
        while data:
            if not self._pasting:
                window = self._seen + data
                at = window.find(START)
                if at < 0:
                    out.append(data)
                    self._seen = window[-(len(START) - 1):]
                    return "".join(out)
                cut = at + len(START) - len(self._seen)  # START's end, within data
                out.append(data[:cut])
                data = data[cut:]
                self._pasting, self._seen, self._held = True, "", ""
                continue
            self._held += data
            at = self._held.find(END)
            if at < 0:
                if len(self._held) > _HOLD_AT_MOST:
                    keep = len(END) - 1  # a split END stays whole
                    out.append(without_escapes(self._held[:-keep]))
                    self._held = self._held[-keep:]
                return "".join(out)
            out.append(without_escapes(self._held[:at]) + END)
            data = self._held[at + len(END):]
            self._pasting, self._held = False, ""
        return "".join(out)

    def _flush(self) -> str:
        held, self._held = self._held, ""
        return without_escapes(held)


def install() -> None:
    """Make the Linux driver read input with `PasteSafeParser` (it names XTermParser in its
    module when its input thread starts); tests/tui/test_paste.py fails if that moves."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser  # type: ignore[misc]
