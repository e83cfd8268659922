"""A bracketed paste reaches the app as one Paste of plain text, whatever bytes it holds;
keys outside a paste are untouched (tui/paste.py)."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from textual import constants, events
from textual._xterm_parser import XTermParser

from tui.paste import END, START, PasteSafeParser, without_escapes

NASTY = [
    "\x1b\x12\x13",                                       # ESC, ctrl+r, ctrl+s: removed + sent
    "\x1b[01;31m\x1b[Kbob\x1b[m\x1b[K@zed.example\n",     # grep --color
    "\x1b]0;PWNED\x07ann@zed.example\n",                  # an OSC title ended by BEL
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n",         # an OSC 8 link ended by ST
    "\x1b[201",                                           # half a closing bracket
    "\x1bOP\x1bx\x1b",                                    # SS3, alt+x, a lone ESC at the end
    "h\x1bPq#0;2;0;0;0\x1b\\i\x1b_apc\x1b\\",                # DCS (sixel) and APC strings
]


def events_of(parser: XTermParser, *chunks: str) -> list[Any]:
    got: list[Any] = []
    for chunk in chunks:
        got.extend(parser.feed(chunk))
    got.extend(parser.tick())
    return got


def pastes_and_keys(got: list[Any]) -> tuple[list[str], list[str]]:
    return ([e.text for e in got if isinstance(e, events.Paste)],
            [e.key for e in got if isinstance(e, events.Key)])


def test_the_stock_parser_turns_a_pasted_escape_into_keys() -> None:
    """Why the filter exists; when this fails, Textual fixed it and `tui.paste` can go."""
    _pastes, keys = pastes_and_keys(events_of(XTermParser(), START + "\x1b\x12\x13" + END))
    assert "ctrl+s" in keys


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NASTY) | st.text(max_size=12), max_size=6),
       st.lists(st.integers(1, 40), max_size=8))
@example(["\x1b\x12\x13"], [])
@example(["\x1b]0;PWNED\x07ann@zed.example\n"], [3, 1, 1])
def test_a_paste_is_one_paste_of_its_text_without_escapes(pieces: list[str],
                                                           cuts: list[int]) -> None:
    body = "".join(pieces).replace(END, "")
    stream = "a" + START + body + END + "b"
    chunks, at = [], 0
    for n in cuts:  # the terminal's bytes arrive in reads of any size
        chunks.append(stream[at:at + n])
        at += n
    chunks.append(stream[at:])
    pastes, keys = pastes_and_keys(events_of(PasteSafeParser(), *[c for c in chunks if c]))
    text = without_escapes(body).replace("\x00", "")
    assert keys == ["a", "b"]  # nothing in the paste acted as a key
    assert pastes == [text]
    assert all("\x1b" not in p for p in pastes)


def test_coloured_grep_output_pastes_as_its_addresses() -> None:
    pastes, keys = pastes_and_keys(events_of(
        PasteSafeParser(), START + "\x1b[01;31m\x1b[Kbob\x1b[m\x1b[K@zed.example\n"
        "\x1b[01;31mann\x1b[m@zed.example" + END))
    assert pastes == ["bob@zed.example\nann@zed.example"] and keys == []


def test_keys_outside_a_paste_are_as_textual_reads_them() -> None:
    stream = ["x", "\x1b", "[A", "\x12", "\x1b[1;5C", "é"]
    ours = pastes_and_keys(events_of(PasteSafeParser(), *stream))
    stock = pastes_and_keys(events_of(XTermParser(), *stream))
    assert ours == stock and ours[1]


def test_the_console_reads_its_terminal_with_it() -> None:
    from textual.drivers import linux_driver

    from tui.paste import install

    install()
    assert linux_driver.XTermParser is PasteSafeParser


def fed_like_the_driver(parser: XTermParser, *reads: str, pause: float) -> list[Any]:
    """Reads `pause` apart, the parser ticked meanwhile as the driver ticks it (each 0.1 s
    at most), then ticked until everything held has been decided."""
    got: list[Any] = []
    for data in reads:
        got.extend(parser.feed(data))
        end = time.monotonic() + pause
        while time.monotonic() < end:
            got.extend(parser.tick())
            time.sleep(0.02)
    end = time.monotonic() + 3 * constants.ESCAPE_DELAY
    while time.monotonic() < end:
        got.extend(parser.tick())
        time.sleep(0.02)
    return got


SPLIT = ("\x1b[2", "00~\x12x@evil.example\x13\x1b[201~")  # found by attack: it sent


def test_the_stock_parser_replays_an_opening_bracket_split_over_a_slow_link() -> None:
    _pastes, keys = pastes_and_keys(fed_like_the_driver(XTermParser(), *SPLIT, pause=0.25))
    assert "ctrl+s" in keys


def test_an_opening_bracket_split_over_a_slow_link_still_opens_a_paste() -> None:
    for cut in range(1, len(START)):
        reads = ("a" + START[:cut], START[cut:] + "\x12x@evil.example\x13" + END)
        pastes, keys = pastes_and_keys(fed_like_the_driver(PasteSafeParser(), *reads,
                                                           pause=0.25))
        # Cut after the ESC alone and late, the ESC was Escape (as a person pressing it
        # is); the paste after it is a paste all the same.
        assert (pastes, keys) == (["\x12x@evil.example\x13"],
                                  ["a", "escape"] if cut == 1 else ["a"]), cut


def test_a_lone_escape_is_decided_after_the_parsers_delay_not_twice_it() -> None:
    parser = PasteSafeParser()
    assert list(parser.feed("\x1b")) == []
    started = time.monotonic()
    keys: list[str] = []
    while not keys and time.monotonic() - started < 1:
        keys += [e.key for e in parser.tick() if isinstance(e, events.Key)]
        time.sleep(0.005)
    waited = time.monotonic() - started
    assert keys == ["escape"]
    assert constants.ESCAPE_DELAY <= waited < 1.8 * constants.ESCAPE_DELAY


def test_a_paste_longer_than_what_is_held_keeps_no_half_escape() -> None:
    body = "\x1b[31mab\x1b[m" * 120_000  # 1.4 MB, an escape every few characters
    reads = [START] + [body[i:i + 4096] for i in range(0, len(body), 4096)] + [END]
    pastes, keys = pastes_and_keys(events_of(PasteSafeParser(), *reads))
    assert keys == [] and "".join(pastes) == "ab" * 120_000
