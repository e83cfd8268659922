"""An organization's own mail domains, to add and remove (each change audited by the desk).
An invitation to an address outside them is marked on its row; an Administrator there needs
a confirmation. The client's e-mail domain is the first; with none, no address is outside."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from models.errors import DomainError
from tui.cells import clean
from tui.commands import bindings, hint
from tui.messages import WorkFailed
from tui.widgets.safe_input import SafeInput
from tui.work import DeskNode

PLACE = "domains_dialog"


@dataclass
class _Domains(Message, bubble=False):
    domains: tuple[str, ...]
    said: str = ""


class DomainsDialog(ModalScreen[None], DeskNode):
    BINDINGS = bindings(PLACE)

    DEFAULT_CSS = """
    DomainsDialog #domains { height: auto; max-height: 10; }
    DomainsDialog #domains-error.-empty { display: none; }
    """

    def __init__(self, org_id: int, org_name: str) -> None:
        super().__init__()
        self.org_id = org_id
        self.org_name = org_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="domains"):
            yield Label(Text(f"Client domains — {clean(self.org_name)}"),
                        classes="dialog-title")
            yield OptionList(id="domains")
            yield Label("Add a domain (enter adds it)")
            yield SafeInput(placeholder="client.example", id="domain-input", compact=True)
            yield Static("", id="domains-error", classes="-empty", markup=False)
            yield Static(hint(PLACE, "remove", "close"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#domain-input", Input).focus()
        self._read()

    @work(thread=True, exclusive=True, group="domains", exit_on_error=False)
    def _read(self) -> None:
        self.reply(_Domains(self.desk.domains(self.org_id)))

    @work(thread=True, exclusive=True, group="domains", exit_on_error=False)
    def _change(self, domain: str, add: bool) -> None:
        desk = self.desk
        key = (desk.add_domain if add else desk.remove_domain)(self.org_id, domain)
        self.reply(_Domains(desk.domains(self.org_id), f"{'added' if add else 'removed'} {key}"))

    @on(_Domains)
    def _show(self, message: _Domains) -> None:
        listed = self.query_one("#domains", OptionList)
        listed.clear_options()
        listed.add_options([Option(Text(d), id=d) for d in message.domains] or
                           [Option(Text("no domains: no address is outside"), disabled=True)])
        if message.domains:
            listed.highlighted = 0
        self._say(message.said)
        if message.said.startswith("added"):
            self.query_one("#domain-input", Input).value = ""

    @on(Input.Submitted, "#domain-input")
    def _add(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self._say("")
            self._change(event.value.strip(), True)

    def action_remove(self) -> None:
        listed = self.query_one("#domains", OptionList)
        if listed.highlighted is None:
            return
        option = listed.get_option_at_index(listed.highlighted)
        if option.id:
            self._change(option.id, False)

    def action_close(self) -> None:
        self.dismiss(None)

    @on(WorkFailed)
    def _refused(self, event: WorkFailed) -> None:
        if isinstance(event.error, DomainError):
            event.stop()
            self._say(f"✗ {event.error}")

    def _say(self, message: str) -> None:
        line = self.query_one("#domains-error", Static)
        line.update(Text(clean(message)))
        line.set_class(not message, "-empty")
