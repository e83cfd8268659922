"""Mailbox: what the local mail catcher received, newest first, readable here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, clean, clean_lines, when
from tui.commands import key
from tui.exporting import ExportKind
from tui.fit import Col, FitTable
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

# Cut as the window narrows: when it came, then the subject; who it went to stays.
COLUMNS = (Col("Received", keep=1), Col("To", keep=3, least=14), Col("Subject", keep=2, least=12))


@dataclass
class _Read(Message, bubble=False):
    mails: list[Any]


class MailboxScreen(BaseScreen):
    TITLE = "Mailbox"
    PLACE = "mailbox"

    def __init__(self) -> None:
        super().__init__()
        self.mails: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield FitTable(id="mails", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#mails", FitTable)
        table.add_fit_columns(*COLUMNS)
        table.focus()
        super().on_mount()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="mails", exit_on_error=False)
    def _read(self) -> None:
        from mailer.mailbox import list_mails

        self.reply(_Read(list_mails(Path(self.desk.ctx.settings.data_dir))[:500]))

    @on(_Read)
    def _show(self, message: _Read) -> None:
        mails = message.mails
        table = self.query_one("#mails", DataTable)
        table.clear()
        self.mails = {m.id: m for m in mails}
        for m in mails:
            table.add_row(cell(when(m.received_at)), cell(m.to, 30),
                          cell(m.subject), key=m.id)
        self.query_one("#status", Static).update(
            f"{len(mails)} mail(s) caught on this machine · "
            f"{key(self.PLACE, 'select_cursor')} reads one")

    def export_kind(self) -> ExportKind:
        """The outbox: every mail the console queued, sent or not (the database's side of
        what the catcher shows)."""
        return ExportKind("outbox", "the outbox")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        mail = self.mails.get(event.row_key.value or "")
        if mail is not None:
            self.app.push_screen(MailScreen(mail))

    def on_screen_resume(self) -> None:
        self.reload_on_resume()


class MailScreen(BaseScreen):
    TITLE = "Mail"
    PLACE = "mailbox"

    def __init__(self, mail: Any) -> None:
        super().__init__()
        self.mail = mail

    def compose(self) -> ComposeResult:
        m = self.mail
        yield Header()
        with VerticalScroll(id="mail-body"):
            yield Static(f"From:    {clean(m.sender)}\nTo:      {clean(m.to)}\n"
                         f"Date:    {when(m.received_at)}\nSubject: {clean(m.subject)}\n",
                         markup=False, classes="mail-headers")
            yield Static(clean_lines(m.text_body or "(no plain-text part)"), markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#mail-body").focus()
