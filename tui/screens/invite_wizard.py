"""Invite wizard: many addresses at once, each with a role, checked row by row before sending."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Static

from models.errors import DomainError, InviteRefused
from models.products import PRODUCTS
from models.text import display
from models.views import InviteOutcome, InviteRequest, InviteResult, LicenseRow, StaffRef
from tui.widgets.footer import KeyFooter
from tui.widgets.invite_rows import InviteRows
from tui.widgets.wizard_confirm import ConfirmDiscard
from tui.widgets.wizard_seats import seat_change
from tui.widgets.wizard_work import run_service

if TYPE_CHECKING:
    from models.context import Ctx


def add_me_label(staff: StaffRef) -> Content:
    who = display(staff.name) or display(staff.email)
    return Content(f"Add me too ({who} <{display(staff.email)}>, as Administrator)")


def mark_add_me(widget: Static, outcome: InviteOutcome | None) -> None:
    """The add-me checkbox's own outcome line (e.g. 'already on this license')."""
    if outcome is None or outcome.ok:
        widget.update("")
        widget.add_class("-empty")
    else:
        widget.update(Text(f"✗ {display(outcome.message)}"))
        widget.remove_class("-empty")


class InviteWizard(ModalScreen[InviteResult | None]):
    """Dismisses with the InviteResult once sent, or None when cancelled."""

    DEFAULT_CSS = """
    InviteWizard { align: center middle; }
    InviteWizard > #invite-dialog {
        width: 120; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
    }
    InviteWizard #invite-title { height: auto; }
    InviteWizard #invite-help { height: auto; }
    InviteWizard #invite-scroll { height: auto; max-height: 45vh; min-height: 3; }
    InviteWizard #invite-add-me-message, InviteWizard #invite-status { height: auto; }
    InviteWizard .-empty { display: none; }
    InviteWizard #invite-seats { height: auto; }
    InviteWizard #invite-buttons { height: auto; }
    InviteWizard #invite-buttons Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    # Seconds of quiet typing before the rows are checked against the license.
    PREVIEW_DELAY = 0.3

    def __init__(self, ctx: Ctx, staff: StaffRef, license_id: int) -> None:
        super().__init__()
        self.ctx = ctx
        self.staff = staff
        self.license_id = license_id
        self.license: LicenseRow | None = None
        self.preview: InviteResult | None = None
        self._generation = 0
        self._timer: Timer | None = None
        self._sending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="invite-dialog"):
            yield Static(Text(f"Invite users — license #{self.license_id}"), id="invite-title")
            yield Static(Text(
                "One address per row, or paste a list (one per line, or comma separated). "
                "Enter: next row · tab: its role · ctrl+n add · ctrl+r remove · ctrl+s send."),
                id="invite-help")
            yield VerticalScroll(Static(Text("Loading the license…")), id="invite-scroll")
            yield Checkbox(add_me_label(self.staff), id="invite-add-me", compact=True)
            yield Static("", id="invite-add-me-message", classes="-empty", markup=False)
            yield Static("", id="invite-seats", markup=False)
            yield Static("", id="invite-status", classes="-empty", markup=False)
            with Horizontal(id="invite-buttons"):
                yield Button("Send invitations", id="invite-send", variant="primary",
                             disabled=True)
                yield Button("Cancel", id="invite-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        def load() -> tuple[LicenseRow, InviteResult]:
            from models.invitations import preview_invites
            from models.queries import get_license

            lic = get_license(self.ctx, self.license_id)
            return lic, preview_invites(self.ctx, self.staff, self.license_id, [])

        run_service(self, load, self._loaded, self._load_failed, group="invite-load")

    # -- loading -------------------------------------------------------------------------

    async def _loaded(self, value: tuple[LicenseRow, InviteResult]) -> None:
        lic, preview = value
        self.license = lic
        prod = PRODUCTS[lic.product]
        self.query_one("#invite-title", Static).update(Text(
            f"Invite users — {prod.label} license #{lic.id} · {display(lic.organization)}"))
        scroll = self.query_one("#invite-scroll", VerticalScroll)
        await scroll.remove_children()
        rows = InviteRows(prod.roles, id="invite-rows")
        await scroll.mount(rows)
        rows.rows[0].email_input.focus()
        self.query_one("#invite-send", Button).disabled = False
        self._show_preview(preview)

    def _load_failed(self, err: DomainError) -> None:
        self._status(str(err))

    # -- checking as one types -------------------------------------------------------------

    @property
    def rows(self) -> InviteRows:
        return self.query_one(InviteRows)

    @on(InviteRows.Changed)
    @on(Checkbox.Changed, "#invite-add-me")
    def _edited(self) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        if self.PREVIEW_DELAY > 0:
            self._timer = self.set_timer(self.PREVIEW_DELAY, self._check_now)
        else:
            self.call_later(self._check_now)

    def _check_now(self) -> None:
        if self.license is None or self._sending:
            return
        generation = self._generation
        requests = self.rows.requests()
        add_me = self.query_one("#invite-add-me", Checkbox).value

        def check() -> tuple[int, InviteResult]:
            from models.invitations import preview_invites

            return generation, preview_invites(self.ctx, self.staff, self.license_id,
                                               requests, add_me=add_me)

        run_service(self, check, self._checked, self._status_error, group="invite-preview")

    def _checked(self, value: tuple[int, InviteResult]) -> None:
        generation, result = value
        if generation == self._generation and not self._sending:
            self._show_preview(result)

    def _show_preview(self, result: InviteResult) -> None:
        self.preview = result
        self._show_outcomes(result.outcomes)
        sentence, costs_more = seat_change(result)
        seats = self.query_one("#invite-seats", Static)
        seats.update(Text(sentence))
        seats.set_class(costs_more, "-costs-more")
        bad = [o for o in result.outcomes if not o.ok]
        if bad:
            self._status(f"{len(bad)} of {len(result.outcomes)} rows need a look before sending")
        else:
            self._status("")

    def _show_outcomes(self, outcomes: tuple[InviteOutcome, ...] | list[InviteOutcome]) -> None:
        count = len(self.rows.filled())
        self.rows.mark(list(outcomes[:count]))
        add_me = self.query_one("#invite-add-me", Checkbox).value
        mine = outcomes[count] if add_me and len(outcomes) > count else None
        mark_add_me(self.query_one("#invite-add-me-message", Static), mine)

    def _status(self, message: str) -> None:
        status = self.query_one("#invite-status", Static)
        status.update(Text(display(message)))
        status.set_class(not message, "-empty")

    def _status_error(self, err: DomainError) -> None:
        self._status(str(err))

    # -- sending -----------------------------------------------------------------------------

    @on(Button.Pressed, "#invite-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(InviteRows.Finished)
    def _rows_finished(self) -> None:
        self.query_one("#invite-send", Button).focus()

    def action_send(self) -> None:
        if self.license is None or self._sending:
            return
        requests: list[InviteRequest] = self.rows.requests()
        add_me = self.query_one("#invite-add-me", Checkbox).value
        if not requests and not add_me:
            self._status("Type at least one address, or tick “Add me too”.")
            return
        if self._timer is not None:
            self._timer.stop()
        self._sending = True
        generation = self._generation
        self.query_one("#invite-send", Button).disabled = True
        self._status(f"Sending {len(requests) + int(add_me)} invitation(s)…")

        def send() -> InviteResult:
            from models.invitations import invite

            return invite(self.ctx, self.staff, self.license_id, requests, add_me=add_me)

        def refused(err: DomainError) -> None:
            self._sending = False
            self.query_one("#invite-send", Button).disabled = False
            if isinstance(err, InviteRefused) and generation == self._generation:
                self._show_outcomes(tuple(err.outcomes))
            self._status(str(err))

        run_service(self, send, self.dismiss, refused, group="invite-send")

    @on(Button.Pressed, "#invite-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self._sending:
            return
        if self.license is not None and self.rows.typed:
            def answer(discard: bool | None) -> None:
                if discard:
                    self.dismiss(None)

            self.app.push_screen(ConfirmDiscard("Discard the addresses you typed?"), answer)
            return
        self.dismiss(None)
