"""The bare Textual equivalents the console's speed is measured against: stock widgets, the
same sizes, the data already in memory, nothing of licensedesk's.

- `BareClients`: Header, a filter Input, a DataTable of one Clients page (`PAGE` rows), a
  status line and a Footer; typing filters an in-memory list of every organization.
- `BareLicense`: a screen with Header, TabbedContent (Summary, Users, History) and Footer, its
  Users tab a DataTable filled with 1,000 rows on mount.
- `BarePaste`: a screen with one Input; a pasted list of addresses mounts one Input per
  address in a scrolling list (or, for comparison, one `ShapedRow` of stock widgets laid out
  as the wizard's row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any

from textual import events, on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Static, TabbedContent, TabPane

CLIENT_COLUMNS = ("Organization", "Client", "Client e-mail", "DC", "Lic", "Attn")
USER_COLUMNS = ("✓", "E-mail", "Role", "Status", "Invited by", "Last sent", "Sent", "Accepted")

Stamp = Callable[[], None]


def client_rows(n: int) -> list[tuple[str, ...]]:
    return [(f"Org {i}", "Client Name", f"client{i}@example.com", "US", "1", "-")
            for i in range(n)]


def user_rows(n: int) -> list[tuple[str, ...]]:
    return [(" ", f"user{i:04d}@thousand.example", "Agent", "○ pending",
             "bench@partner.example", "30 Nov 09:20", "1", "-") for i in range(n)]


class BareStart(App[None]):
    """Start-up: the first page of rows painted, then `painted()` is called."""

    def __init__(self, page: int, painted: Stamp) -> None:
        super().__init__()
        self.page, self.painted = page, painted

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*CLIENT_COLUMNS)
        table.add_rows(client_rows(self.page))
        table.focus()
        self.call_after_refresh(self.painted)


class BareClients(App[None]):
    """`orgs`: (search text, row cells) for every organization, in the list's order. Each
    repaint after the list changed appends a time to `stamps`."""

    def __init__(self, orgs: Sequence[tuple[str, tuple[str, ...]]], page: int,
                 stamps: list[float], clock: Callable[[], float]) -> None:
        super().__init__()
        self.orgs, self.page, self.stamps, self.clock = orgs, page, stamps, clock

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="/ to filter", id="filter", compact=True)
        yield DataTable(id="orgs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*CLIENT_COLUMNS)
        self._show("")
        table.focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "slash":
            self.query_one(Input).focus()

    @on(Input.Changed)
    def _filtered(self, event: Input.Changed) -> None:
        self._show(event.value.strip().casefold())

    def _show(self, term: str) -> None:
        rows = [cells for text, cells in
                islice((o for o in self.orgs if term in o[0]), self.page)]
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows(rows)
        self.query_one(Static).update(f"1-{len(rows)} of … matching {term}")
        self.call_after_refresh(lambda: self.stamps.append(self.clock()))


class BareLicense(Screen[None]):
    def __init__(self, rows: Sequence[tuple[str, ...]], painted: Stamp) -> None:
        super().__init__()
        self.rows, self.painted = rows, painted

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="users"):
            with TabPane("Summary", id="summary"):
                yield Static("HelpDesk license", markup=False)
            with TabPane("Users", id="users"):
                yield Static("", markup=False)
                yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
            with TabPane("History", id="history"):
                yield DataTable(id="history-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#users-table", DataTable)
        table.add_columns(*USER_COLUMNS)
        table.add_rows(self.rows)
        table.focus()
        self.query_one("#users Static", Static).update(f"Showing all: {len(self.rows)} row(s)")
        self.call_after_refresh(self.painted)


class ListInput(Input):
    """A stock Input that hands a pasted list to its screen instead of keeping line one."""

    def _on_paste(self, event: events.Paste) -> None:
        if "\n" in event.text:
            event.prevent_default()
            event.stop()
            self.screen.post_message(Pasted(event.text.split()))
        else:
            super()._on_paste(event)


class Pasted(Message):
    def __init__(self, addresses: list[str]) -> None:
        super().__init__()
        self.addresses = addresses


class ShapedRow(Vertical):
    """A stock-widget row laid out as the wizard's: mark, address, role, language and the
    role's meaning on one line, an (empty, hidden) message below."""

    DEFAULT_CSS = """
    ShapedRow { height: auto; }
    ShapedRow > Horizontal { height: 1; }
    ShapedRow .glyph { width: 2; }
    ShapedRow Input { width: 2fr; min-width: 24; max-width: 44; }
    ShapedRow .role { width: 17; margin-left: 1; }
    ShapedRow .lang { width: 9; margin-left: 1; }
    ShapedRow .meaning { width: 3fr; padding: 0 0 0 2; text-wrap: nowrap; }
    ShapedRow .message { height: auto; display: none; }
    """

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(" ", classes="glyph", markup=False)
            yield ListInput(self.address, compact=True)
            yield Static("Agent ▾", classes="role", markup=False)
            yield Static("en ▾", classes="lang", markup=False)
            yield Static("Chats with customers", classes="meaning", markup=False)
        yield Static("", classes="message", markup=False)


class BarePaste(Screen[None]):
    """One Input; a pasted list becomes one Input per address (`shaped`: one `ShapedRow`
    per address), then `painted()`."""

    def __init__(self, painted: Stamp, shaped: bool = False) -> None:
        super().__init__()
        self.painted, self.shaped = painted, shaped

    def compose(self) -> ComposeResult:
        yield Static("Invite users", markup=False)
        yield VerticalScroll(ListInput(placeholder="name@example.com", compact=True),
                             id="rows")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ListInput).focus()

    async def on_pasted(self, event: Pasted) -> None:
        first = self.query_one(ListInput)
        first.value = event.addresses[0]
        rest = event.addresses[1:]
        rows: list[Widget] = [ShapedRow(a) for a in rest] if self.shaped else \
            [ListInput(a, compact=True) for a in rest]
        await self.query_one("#rows", VerticalScroll).mount_all(rows)
        (rows[-1].query_one(ListInput) if self.shaped else rows[-1]).focus()
        self.call_after_refresh(self.painted)


def bare_app() -> App[Any]:
    """An app with nothing on it, to push a bare screen onto."""
    return App()
