"""Needs attention's chart: the open invitations (pending, overdue, failed) by the age of
their last send, three labelled bars of block characters with their counts. Each bar is a
filter: its key (declared in tui.commands) or a click chooses it; the chosen bar is marked
with ▶ and said in words, so it reads without colour.

Read through the desk in a worker when the screen loads and every half minute (invitations
age on their own); painted only when the figures differ from those shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from tui.work import DeskNode

if TYPE_CHECKING:
    from models.views import AgeBucket, OpenAges

BUCKETS = (1, 2, 3)
BAR = 32  # cells of the longest bar
REREAD = 30.0  # seconds
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(count: int, most: int, width: int = BAR) -> str:
    """`count` of `most` as a bar of `width` cells, to an eighth of a cell; a count above
    zero shows at least an eighth."""
    if most <= 0 or count <= 0:
        return " " * width
    eighths = max(1, round(count * width * 8 / most))
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


@dataclass
class _Read(Message, bubble=False):
    view: OpenAges


class AgeBar(Horizontal):
    """One bar: its number and words, the bar, the count; a click chooses it as the filter."""

    def __init__(self, number: int) -> None:
        super().__init__(id=f"age-{number}", classes="age-bar")
        self.number = number

    def compose(self) -> ComposeResult:
        yield Static("", classes="age-label", markup=False)
        yield Static(" " * BAR, classes="age-fill", markup=False)
        yield Static("", classes="age-count", markup=False)

    def show(self, bucket: AgeBucket, most: int, width: int, chosen: bool) -> None:
        mark = "▶" if chosen else " "
        self.query_one(".age-label", Static).update(f"{mark} {bucket.number} "
                                                     f"{bucket.label:<{width}} ")
        self.query_one(".age-fill", Static).update(bar(bucket.count, most))
        self.query_one(".age-count", Static).update(f"{bucket.count:>6}")
        self.set_class(chosen, "-chosen")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(AgeBars.Chosen(self.number))


class AgeBars(Vertical, DeskNode):
    DEFAULT_CSS = f"""
    AgeBars {{ height: auto; }}
    AgeBars > AgeBar {{ height: 1; }}
    AgeBar > Static {{ width: auto; }}
    AgeBar > .age-fill {{ width: {BAR}; }}
    """

    @dataclass
    class Chosen(Message):
        """A bar was clicked: filter by it."""

        number: int

    def __init__(self, hint: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hint = hint
        self.view: OpenAges | None = None
        self.chosen: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="age-heading", markup=False)
        for number in BUCKETS:
            yield AgeBar(number)

    def on_mount(self) -> None:
        self.set_interval(REREAD, self._reread, name="age-bars")

    def load(self) -> None:
        self._read()

    def _reread(self) -> None:
        if self.ready and not self.busy("age-bars"):
            self._read()

    @work(thread=True, exclusive=True, group="age-bars", exit_on_error=False)
    def _read(self) -> None:
        self.reply(_Read(self.desk.open_ages()))

    @on(_Read)
    def _read_done(self, message: _Read) -> None:
        if message.view != self.view:
            self.view = message.view
            self._paint()

    def choose(self, number: int | None) -> None:
        """Mark bar `number` as the filter (None: no filter)."""
        if number != self.chosen:
            self.chosen = number
            self._paint()

    def label(self, number: int) -> str:
        return self.view.label(number) if self.view else f"age {number}"

    def _paint(self) -> None:
        view = self.view
        if view is None:
            return
        heading = Text(f"Open invitations by age of the last send: {view.total}",
                       style="bold")
        if self.hint:
            heading.append(f"  {self.hint}")
        self.query_one(".age-heading", Static).update(heading)
        most = max((b.count for b in view.buckets), default=0)
        width = max((len(b.label) for b in view.buckets), default=0)
        for row, bucket in zip(self.query(AgeBar), view.buckets, strict=True):
            row.show(bucket, most, width, bucket.number == self.chosen)
