"""The one form for a new organization: the license wizard's first step and the New
organization dialog both use it.

It creates through the desk; a refused value is marked at its field with the desk's words
(`DomainError.fields`), and nothing typed is lost. What to do with other failures (a role
refused, the database away) is the host's: the `WorkFailed` goes on up to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Select

from models.errors import DomainError
from models.products import DATA_CENTERS
from models.views import OrgRow
from tui import typeahead
from tui.messages import WorkFailed
from tui.widgets.safe_input import SafeInput
from tui.widgets.wizard_fields import Field, mark_fields
from tui.work import DeskNode

# The desk's field names, in the order of the form.
NAMES = ("name", "client_name", "client_email", "data_center")
LABELS = ("Organization name", "Client name (the owner)", "Client e-mail", "Data centre")


class OrgForm(Vertical, DeskNode):
    DEFAULT_CSS = """
    OrgForm { height: auto; }
    """

    @dataclass
    class Created(Message):
        """The organization exists (just created, or created from these very values a
        moment ago)."""

        org: OrgRow

    @dataclass
    class Finished(Message):
        """Enter in the last text field."""

    @dataclass
    class _Done(Message, bubble=False):
        """Created from `typed` (remembered, so the same values do not create twice)."""

        typed: dict[str, str]
        org: OrgRow

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compact = compact
        self._created: tuple[dict[str, str], OrgRow] | None = None

    def compose(self) -> ComposeResult:
        for name, label in zip(NAMES[:3], LABELS, strict=False):
            yield Field(label, SafeInput(id=name, compact=self._compact), id=f"field-{name}")
        yield Field(LABELS[3], Select([(d.upper(), d) for d in DATA_CENTERS], value="us",
                                      allow_blank=False, id="data_center",
                                      compact=self._compact), id="field-data_center")

    def values(self) -> dict[str, str]:
        typed = {name: self.query_one(f"#{name}", Input).value for name in NAMES[:3]}
        typed["data_center"] = str(self.query_one("#data_center", Select).value)
        return typed

    @property
    def typed(self) -> bool:
        return any(self.query_one(f"#{name}", Input).value.strip() for name in NAMES[:3])

    def focus_first(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == NAMES[2]:
            self.post_message(self.Finished())
        else:
            self.screen.focus_next()

    def submit(self) -> None:
        """Create the organization; `Created` when it exists."""
        if self.busy("org-create"):
            return  # one at a time: a second would create the organization twice
        typed = self.values()
        if self._created is not None and self._created[0] == typed:
            # Created from these very values a moment ago (Back, then on again): not twice.
            self.post_message(self.Created(self._created[1]))
            return
        typeahead.hold(self.screen)  # keys typed on land where the outcome leads
        self.create(typed)

    @work(thread=True, exclusive=True, group="org-create", exit_on_error=False)
    def create(self, typed: dict[str, str]) -> None:
        org = self.desk.create_org(**typed)
        self.reply(self._Done(typed, org))

    @on(_Done)
    def _done(self, event: _Done) -> None:
        self._created = (event.typed, event.org)
        mark_fields(self, {}, NAMES)
        self.post_message(self.Created(event.org))
        typeahead.ready(self.screen)

    @on(WorkFailed)
    def _refused(self, event: WorkFailed) -> None:
        # Marked here, not stopped: the host also says it where it says such things.
        if event.group == "org-create":
            typeahead.ready(self.screen)
        if isinstance(event.error, DomainError):
            mark_fields(self, event.error.fields, NAMES)
