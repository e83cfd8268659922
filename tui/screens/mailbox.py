"""Mailbox: what the local mail catcher received, newest first, readable here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, clean, clean_lines, when
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.context import Ctx


def mailbox_available(app: Any) -> bool:
    """The catcher is in use when no SMTP relay is configured."""
    return app.ctx is not None and not app.ctx.settings.smtp_host


def _data_dir(ctx: Ctx) -> Path:
    return Path(ctx.settings.data_dir)


class MailboxScreen(BaseScreen):
    TITLE = "Mailbox"

    def __init__(self) -> None:
        super().__init__()
        self.mails: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="mails", cursor_type="row", zebra_stripes=True)
        yield Static("", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#mails", DataTable)
        table.add_columns("Received", "To", "Subject")
        table.focus()
        super().on_mount()

    def load(self) -> None:
        def job(ctx: Ctx) -> list[Any]:
            from mailer.mailbox import list_mails

            return list_mails(_data_dir(ctx))[:500]

        self.db(job, self._show, group="mails", exclusive=True)

    def _show(self, mails: list[Any]) -> None:
        table = self.query_one("#mails", DataTable)
        table.clear()
        self.mails = {m.id: m for m in mails}
        width = max(self.app.size.width, 60)  # the terminal, known before layout
        for m in mails:
            table.add_row(cell(when(m.received_at)), cell(m.to, 30),
                          cell(m.subject, width - 50), key=m.id)
        self.query_one("#status", Static).update(
            f"{len(mails)} mail(s) caught on this machine · enter reads one")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        mail = self.mails.get(event.row_key.value or "")
        if mail is not None:
            self.app.push_screen(MailScreen(mail))

    def on_screen_resume(self) -> None:
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load()


class MailScreen(BaseScreen):
    TITLE = "Mail"

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
