"""The license wizard's first step: pick the client organization (search as you type), or
create a new one with the organization form. Posts `StepOrg.Chosen` when one is settled."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from models.text import display
from models.views import OrgPage, OrgRow
from tui.widgets.org_form import OrgForm
from tui.widgets.safe_input import SafeInput
from tui.widgets.wizard_fields import Field
from tui.work import DeskNode

SEARCH_LIMIT = 30
# Quiet typing before the search runs: the next keystroke cancels a search not yet begun.
TYPING_PAUSE = 0.2


def org_line(org: OrgRow) -> Text:
    """One organization as plain text (names are untrusted: never markup)."""
    return Text(f"{display(org.name)} — {display(org.client_name)} "
                f"<{display(org.client_email)}> · {org.data_center.upper()} · "
                f"{org.licenses} license(s)")


class StepOrg(VerticalScroll, DeskNode):
    DEFAULT_CSS = """
    StepOrg TabbedContent { height: auto; }
    StepOrg #org-list { height: auto; max-height: 12; }
    """

    @dataclass
    class Chosen(Message):
        org: OrgRow

    @dataclass
    class _Found(Message, bubble=False):
        page: OrgPage

    @dataclass
    class _Loaded(Message, bubble=False):
        org: OrgRow

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chosen: OrgRow | None = None
        self._orgs: dict[str, OrgRow] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(id="org-mode"):
            with TabPane("Pick an organization", id="org-pick"):
                yield Field("Search (name, client name or e-mail)",
                            SafeInput(placeholder="type to search", id="org-search"),
                            id="field-org-search")
                yield OptionList(id="org-list", markup=False)
                yield Static("", id="org-pick-error", classes="field-error -empty",
                             markup=False)
            with TabPane("Create a new one", id="org-new"):
                yield OrgForm(id="org-form")

    def on_mount(self) -> None:
        self.search("", pause=0)

    @property
    def form(self) -> OrgForm:
        return self.query_one(OrgForm)

    @property
    def picking(self) -> bool:
        return (self.query_one("#org-mode", TabbedContent).active or "org-pick") == "org-pick"

    def focus_first(self) -> None:
        if self.picking:
            self.query_one("#org-search", Input).focus()
        else:
            self.form.focus_first()

    def show(self, org: OrgRow) -> None:
        """`org` is the chosen one: the search finds it, highlighted, if the person comes
        back to this step."""
        self.chosen = org
        self.query_one("#org-search", Input).value = org.name

    @work(thread=True, exclusive=True, group="org-load", exit_on_error=False)
    def load(self, org_id: int) -> None:
        """Start with this organization chosen (the wizard was opened for it)."""
        self.reply(self._Loaded(self.desk.organization(org_id)))

    @on(_Loaded)
    def _loaded(self, event: _Loaded) -> None:
        self.show(event.org)
        self.post_message(self.Chosen(event.org))

    # searching -------------------------------------------------------------------------

    @on(Input.Changed, "#org-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value, pause=TYPING_PAUSE)

    @work(exclusive=True, group="org-search", exit_on_error=False)
    async def search(self, text: str, pause: float) -> None:
        await asyncio.sleep(pause)
        page = await asyncio.to_thread(self.desk.clients, text, 0, SEARCH_LIMIT)
        self.reply(self._Found(page))

    @on(_Found)
    def _found(self, event: _Found) -> None:
        page = event.page
        options = self.query_one("#org-list", OptionList)
        keep = self.chosen.id if self.chosen else None
        self._orgs = {str(o.id): o for o in page.rows}
        options.clear_options()
        options.add_options([Option(org_line(o), id=str(o.id)) for o in page.rows])
        if not page.rows:
            self._say("No organization matches; create one in “Create a new one”.")
        elif page.total > len(page.rows):
            self._say(f"{len(page.rows)} of {page.total} shown; type to narrow.")
        else:
            self._say("")
        if keep is not None and str(keep) in self._orgs:
            options.highlighted = list(self._orgs).index(str(keep))
        elif page.rows:
            options.highlighted = 0

    def _say(self, message: str) -> None:
        line = self.query_one("#org-pick-error", Static)
        line.update(Text(message))
        line.set_class(not message, "-empty")

    @on(Input.Submitted, "#org-search")
    def _to_list(self) -> None:
        self.query_one("#org-list", OptionList).focus()

    # leaving ---------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#org-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.leave()

    @on(OrgForm.Finished)
    def _form_finished(self, event: OrgForm.Finished) -> None:
        event.stop()
        self.leave()

    def leave(self) -> None:
        """Settle the organization: the highlighted one, or a new one created now."""
        if not self.picking:
            self.form.submit()
            return
        options = self.query_one("#org-list", OptionList)
        index = options.highlighted
        option = options.get_option_at_index(index) if index is not None else None
        if option is None or option.id not in self._orgs:
            self._say("✗ Choose an organization: type to search, ↓ to the list, enter; or "
                      "create a new one.")
            self.query_one("#org-search", Input).focus()
            return
        self.chosen = self._orgs[option.id]
        self.post_message(self.Chosen(self.chosen))

    @on(OrgForm.Created)
    def _created(self, event: OrgForm.Created) -> None:
        event.stop()
        self.show(event.org)
        self.post_message(self.Chosen(event.org))
