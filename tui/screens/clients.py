"""Clients: every organization, paged and filtered in SQL as you type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from tui import early
from tui.cells import cell, clean, number
from tui.commands import bindings, key
from tui.early import PAGE
from tui.exporting import ExportKind
from tui.fit import Col, FitTable
from tui.messages import OpenOrganization
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.quiet import show
from tui.widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from models.views import OrgPage, OrgRow

# Narrower windows shrink the names, then cut the data centre, the client's name, the
# license count, the e-mail and the organization, in that order; Attn, the reason to come
# here, is never cut.
COLUMNS = (Col("Organization", keep=5, least=10), Col("Client", keep=2, least=8),
           Col("Client e-mail", keep=4, least=10), Col("DC", keep=1), Col("Lic", keep=3),
           Col("Attn", keep=6))


@dataclass
class PageRead(Message, bubble=False):
    page: OrgPage
    quick: bool = False  # read before the database layer was loaded


@dataclass
class TotalCounted(Message, bubble=False):
    search: str
    total: int


class ClientsScreen(BaseScreen):
    TITLE = "Clients"
    PLACE = "clients"
    AUTO_FOCUS = "#orgs"  # not the filter first: a focus moved twice restyles both twice
    BINDINGS = bindings(PLACE)

    def __init__(self) -> None:
        super().__init__()
        self.page_start = 0
        self.search = ""
        self.page: OrgPage | None = None
        self.total = -1
        self.rows: dict[str, OrgRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield SafeInput(placeholder=f"{key(self.PLACE, 'filter')} to filter by organization, "
                        "client name or e-mail",
                        id="filter", compact=True)
        yield FitTable(id="orgs", cursor_type="row", zebra_stripes=True)
        yield Static("Loading…", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#orgs", FitTable)
        table.add_fit_columns(*COLUMNS)
        table.focus()
        super().on_mount()
        if not self.ready:
            # The database layer is still importing: paint the first page without it.
            read = early.take()
            if read is not None and read.done.is_set():
                self._quick_page(read.page)  # read during the imports: in the first frame
            else:
                self._quick_first_page(read)

    @work(thread=True, group="quick-page", exit_on_error=False)
    def _quick_first_page(self, read: early.EarlyPage | None) -> None:
        if read is not None and read.done.wait(5):
            page = read.page
        else:
            from models.quickpage import first_page

            page = first_page(PAGE)
        if page is None:
            self.app.call_from_thread(self.desk_app.start_boot)
        else:
            self.reply(PageRead(page, quick=True))

    def _quick_page(self, page: OrgPage | None) -> None:
        if page is None:
            self.desk_app.start_boot()
        else:
            self._page_read(PageRead(page, quick=True))

    def load(self) -> None:
        self._read_page(self.search, self.page_start)

    @work(thread=True, exclusive=True, group="orgs", exit_on_error=False)
    def _read_page(self, search: str, start: int) -> None:
        self.reply(PageRead(self.desk.clients(search, start, PAGE, with_total=False)))

    @work(thread=True, exclusive=True, group="org-count", exit_on_error=False)
    def _count(self, search: str) -> None:
        self.reply(TotalCounted(search, self.desk.clients(search, 0, 0).total))

    @on(PageRead)
    def _page_read(self, message: PageRead) -> None:
        if not message.quick:
            self._show(message.page)
            # The count scans every match: it runs once the rows are on screen.
            search = self.search
            self.call_after_refresh(lambda: self._count(search))
            return
        if self.page is None and not self.search:  # the real load, or typing, came first
            self._show(message.page)
        self.call_after_refresh(self.desk_app.start_boot)

    def _show(self, page: OrgPage) -> None:
        self.page = page
        table = self.query_one("#orgs", FitTable)
        table.clear()
        self.rows = {}
        for r in page.rows:
            key = str(r.id)
            self.rows[key] = r
            table.add_row(cell(r.name), cell(r.client_name), cell(r.client_email),
                          cell(r.data_center.upper()),
                          cell(number(r.licenses)),
                          cell(f"⚠ {r.attention}" if r.attention else "-"), key=key)
        table.fit_before_layout(self.app.size.width)  # rows read during the imports
        self._status()

    @on(TotalCounted)
    def _show_total(self, message: TotalCounted) -> None:
        if message.search == self.search:  # a count for an older filter is of no use
            self.total = message.total
            self._status()

    def _status(self) -> None:
        page = self.page
        if page is None:
            return
        shown = len(page.rows)
        total = "…" if self.total < 0 else number(self.total)
        first = page.offset + 1 if shown else 0
        what = f"matching “{clean(self.search)}”" if self.search else "organizations"
        text = f"{first}-{page.offset + shown} of {total} {what}"
        if shown == 0:
            text = f"No organization matches “{clean(self.search)}”" if self.search else \
                f"No organizations yet: {key(self.PLACE, 'new_org')} makes one"
        show(self.query_one("#status", Static), text)

    def export_kind(self) -> ExportKind:
        title = f"clients matching “{self.search}”" if self.search else "clients"
        return ExportKind("clients", title, search=self.search)

    # filter ---------------------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        self.search = event.value
        self.page_start = 0
        self.total = -1
        self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#orgs", DataTable).focus()

    def on_key(self, event: Any) -> None:
        field = self.query_one("#filter", Input)
        if field.has_focus and event.key == "down":
            self.query_one("#orgs", DataTable).focus()
            event.stop()

    def clear_filter(self) -> bool:
        field = self.query_one("#filter", Input)
        if field.value:
            field.value = ""
            self.query_one("#orgs", DataTable).focus()
            return True
        if field.has_focus:
            self.query_one("#orgs", DataTable).focus()
            return True
        return False

    def action_page(self, step: int) -> None:
        if self.page is None:
            return
        start = self.page_start + step * PAGE
        if start < 0 or (step > 0 and len(self.page.rows) < PAGE):
            return
        self.page_start = start
        self.load()

    # open and create ------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value in self.rows:
            self.post_message(OpenOrganization(int(event.row_key.value)))

    def action_new_org(self) -> None:
        from tui.screens.new_org import NewOrgScreen

        def created(org_id: int | None) -> None:
            if org_id:
                self.load()
                self.post_message(OpenOrganization(org_id))

        self.app.push_screen(NewOrgScreen(), created)
