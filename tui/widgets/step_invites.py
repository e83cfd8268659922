"""The license wizard's last step: the customer's people to invite, each row with the desk's
verdict for a license not yet created (the client owner counted), and the seat line."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Static

from models.desk import PRODUCTS
from models.text import display
from models.views import InviteOutcome, InviteRequest, InviteResult, OrgRow, Terms
from tui.widgets.invite_rows import InviteRows
from tui.widgets.invite_verdicts import add_me_label, as_typed, show_outcomes, show_seats
from tui.wizard_commands import say_keys
from tui.work import DeskNode

# Quiet typing before the rows are checked: the next keystroke cancels a check not yet begun.
TYPING_PAUSE = 0.3


class StepInvites(VerticalScroll, DeskNode):
    @dataclass
    class _Previewed(Message, bubble=False):
        asked: tuple[list[InviteRequest], bool]
        result: InviteResult

    @dataclass
    class _Language(Message, bubble=False):
        org_id: int
        code: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.org: OrgRow | None = None
        self.terms: Terms | None = None
        # The verdicts shown and the rows (as typed) they were given for.
        self._verdicts: tuple[InviteOutcome, ...] = ()
        self._verdicts_for: list[tuple[str, str, str | None]] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="invite-summary", classes="wizard-note", markup=False)
        yield Static(Text(say_keys(
            "Invite the customer's people now (optional). One address per row, or paste a "
            "list. {next_row}: next row · {step_field(1)}: its role · {add_row} add · "
            "{remove_row} remove.", "invite_rows")), classes="wizard-note")
        yield InviteRows(PRODUCTS["livechat"].roles, id="wizard-rows")
        yield Checkbox(add_me_label(self.desk.staff), id="wizard-add-me", compact=True)
        yield Static("", id="wizard-add-me-message", classes="-empty", markup=False)
        yield Static("", id="wizard-seats", markup=False)

    @property
    def rows(self) -> InviteRows:
        return self.query_one(InviteRows)

    def asked(self) -> tuple[list[InviteRequest], bool]:
        """The rows as typed and whether "add me too" is ticked."""
        return self.rows.requests(), self.query_one("#wizard-add-me", Checkbox).value

    def prepare(self, org: OrgRow, terms: Terms) -> None:
        """For this organization and these terms: the product's roles, and the rows checked."""
        self.org, self.terms = org, terms
        self.query_one("#invite-summary", Static).update(Text(
            f"New license for {display(org.name)}: {terms.words()}"))
        self.rows.set_roles(PRODUCTS[terms.product_key].roles)
        self._read_language(org.id)
        self.preview(0)

    @work(thread=True, exclusive=True, group="org-language", exit_on_error=False)
    def _read_language(self, org_id: int) -> None:
        self.reply(self._Language(org_id, self.desk.org_language(org_id)))

    @on(_Language)
    def _language(self, event: _Language) -> None:
        if self.org is not None and self.org.id == event.org_id:
            self.rows.set_default_language(event.code)

    def verdicts(self) -> tuple[InviteOutcome, ...] | None:
        """The verdicts shown, when they are for the rows as they are now (else None)."""
        current = self._verdicts_for == as_typed(self.asked()[0])
        return self._verdicts if current else None

    def focus_first(self) -> None:
        rows = self.rows.rows
        empty = [r for r in rows if not r.email]
        self.rows.edit(empty[0] if empty else rows[-1])

    @on(InviteRows.Changed)
    @on(Checkbox.Changed, "#wizard-add-me")
    def _edited(self) -> None:
        if self.terms is not None:
            self.preview(TYPING_PAUSE)

    @work(exclusive=True, group="license-preview", exit_on_error=False)
    async def preview(self, pause: float) -> None:
        await asyncio.sleep(pause)
        org, terms = self.org, self.terms
        if org is None or terms is None:
            return
        asked = self.asked()
        result = await asyncio.to_thread(self.desk.preview_license, org.id, terms, *asked)
        self.reply(self._Previewed(asked, result))

    @on(_Previewed)
    def _previewed(self, event: _Previewed) -> None:
        if event.asked != self.asked():
            return  # edited since: the check that is coming says what holds now
        self.show(event.result.outcomes)
        assert self.terms is not None
        show_seats(self.query_one("#wizard-seats", Static), event.result,
                   new_trial=not self.terms.paid)

    def show(self, outcomes: tuple[InviteOutcome, ...]) -> None:
        """Each row's verdict (a preview's, or the refusal's when creating)."""
        requests, add_me = self.asked()
        show_outcomes(self.rows, add_me, self.query_one("#wizard-add-me-message", Static),
                      outcomes)
        self._verdicts, self._verdicts_for = tuple(outcomes), as_typed(requests)
