"""The Summary tab's chart: a license's invitation events of the last 30 days, one row per
status (sent, accepted, overdue, failed), each a word, a total and a Sparkline of a column a
day, so it reads without colour (NO_COLOR) as well as with it.

Read through the desk in a worker whenever the license screen reloads (anything audited on
the license changed) and every few minutes (a new day begins); painted only when the figures
differ from those shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Sparkline, Static

from tui.cells import STATUS_GLYPH
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.views import StatusHistory

SERIES = ("sent", "accepted", "overdue", "failed")
GLYPH = {**STATUS_GLYPH, "sent": "→"}
LABEL = 16  # "→ sent      123 "
DAYS = 30
WIDTH = DAYS  # a column a day
REREAD = 300.0  # seconds: the window moves on at midnight UTC


def label(status: str, total: int) -> str:
    return f"{GLYPH.get(status, '·')} {status:<9}{total:>4} "


def peak(total: int, most: int) -> str:
    return f"  most {most} a day" if total else "  none"


@dataclass
class _Read(Message, bubble=False):
    view: StatusHistory


class StatusChart(Vertical, DeskNode):
    DEFAULT_CSS = f"""
    StatusChart {{ height: auto; }}
    StatusChart > .chart-row {{ height: 1; }}
    StatusChart .chart-label {{ width: {LABEL}; }}
    StatusChart Sparkline {{ width: {WIDTH}; }}
    StatusChart .chart-peak {{ width: auto; }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.license_id: int | None = None
        self.view: StatusHistory | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="chart-heading", markup=False)
        for status in SERIES:
            with Horizontal(classes=f"chart-row chart-{status}"):
                yield Static(label(status, 0), classes="chart-label", markup=False)
                yield Sparkline([], id=f"chart-{status}")
                yield Static("", classes="chart-peak", markup=False)

    def on_mount(self) -> None:
        self.set_interval(REREAD, self._reread, name="status-chart")

    def show_for(self, license_id: int) -> None:
        """Read the license's figures again (painted only if they changed)."""
        self.license_id = license_id
        self._read(license_id)

    def _reread(self) -> None:
        if self.license_id is not None and self.ready and not self.busy("status-chart"):
            self._read(self.license_id)

    @work(thread=True, exclusive=True, group="status-chart", exit_on_error=False)
    def _read(self, license_id: int) -> None:
        self.reply(_Read(self.desk.status_history(license_id, DAYS)))

    @on(_Read)
    def _read_done(self, message: _Read) -> None:
        if message.view != self.view:
            self.view = message.view
            self._paint(message.view)

    def _paint(self, view: StatusHistory) -> None:
        first = view.since
        last = first + timedelta(days=view.days - 1)
        heading = Text(f"{'Last ' + str(view.days) + ' days':<{LABEL}}", style="bold")
        span = f"{first:%d %b}"
        heading.append(span + f"{last:%d %b}".rjust(WIDTH - len(span)))
        heading.append("  a column a day (UTC)")
        self.query_one(".chart-heading", Static).update(heading)
        for series in view.series:
            row = self.query_one(f".chart-{series.status}", Horizontal)
            row.query_one(".chart-label", Static).update(label(series.status, series.total))
            row.query_one(Sparkline).data = list(series.daily)
            row.query_one(".chart-peak", Static).update(peak(series.total, series.peak))
