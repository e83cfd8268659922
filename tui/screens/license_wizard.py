"""License creation wizard: organization → product and terms → invite users → Create.

Each step is a widget that checks what was typed through the desk (`tui.widgets.step_org`,
`step_terms`, `step_invites`); this screen only moves between them and creates the license,
its invitations and their mails in one desk call (one transaction). A new organization is
created when leaving the first step (its own transaction). Every step lives for the whole
wizard, so going Back and forth loses nothing typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static

from models.errors import DomainError
from models.text import display
from models.views import InviteRequest, OrgRow, Terms
from tui import typeahead
from tui.commands import bindings
from tui.messages import WorkFailed
from tui.screens.confirm import ConfirmScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.invite_rows import InviteRows
from tui.widgets.invite_verdicts import ask_to_confirm
from tui.widgets.step_invites import StepInvites
from tui.widgets.step_org import StepOrg
from tui.widgets.step_terms import StepTerms
from tui.work import DeskNode, database_unreachable

STEPS = ("step-org", "step-terms", "step-invite")
STEP_TITLES = ("Organization", "Product and terms", "Invite users")


class LicenseWizard(Screen[int | None], DeskNode):
    """Dismisses with the new license's id, or None when cancelled."""

    DEFAULT_CSS = """
    LicenseWizard #wizard-title, LicenseWizard #wizard-steps { height: auto; padding: 0 1; }
    LicenseWizard ContentSwitcher { height: 1fr; }
    LicenseWizard ContentSwitcher > VerticalScroll { height: 1fr; padding: 0 1; }
    LicenseWizard .wizard-note { height: auto; margin-bottom: 1; }
    LicenseWizard .-empty { display: none; }
    LicenseWizard #wizard-status { height: auto; padding: 0 1; }
    LicenseWizard #wizard-buttons { height: auto; padding: 0 1; }
    LicenseWizard #wizard-buttons Button { margin-right: 2; }
    """

    BINDINGS = bindings("license_wizard")

    @dataclass
    class _Created(Message, bubble=False):
        license_id: int

    def __init__(self, organization_id: int | None = None) -> None:
        super().__init__()
        self.organization_id = organization_id
        self.org: OrgRow | None = None
        self.step = 0
        # What the last create was asked, to mark its refusal only on rows still as sent.
        self._sent: tuple[list[InviteRequest], bool] | None = None
        if organization_id is not None:
            typeahead.hold(self)  # keys typed while it loads go to the terms it opens on

    def compose(self) -> ComposeResult:
        yield Static(Text("New license"), id="wizard-title")
        yield Static("", id="wizard-steps", markup=False)
        with ContentSwitcher(initial=STEPS[0]):
            yield StepOrg(id=STEPS[0])
            yield StepTerms(id=STEPS[1])
            yield StepInvites(id=STEPS[2])
        yield Static("", id="wizard-status", classes="-empty", markup=False)
        with Horizontal(id="wizard-buttons"):
            yield Button("Back", id="wizard-back")
            yield Button("Continue", id="wizard-next", variant="primary")
            yield Button("Cancel", id="wizard-cancel")
        yield KeyFooter()

    @property
    def step_org(self) -> StepOrg:
        return self.query_one(StepOrg)

    @property
    def step_terms(self) -> StepTerms:
        return self.query_one(StepTerms)

    @property
    def step_invites(self) -> StepInvites:
        return self.query_one(StepInvites)

    @property
    def creating(self) -> bool:
        """An organization or the license is being created: wait for it."""
        return self.busy("wizard-create") or self.step_org.form.busy("org-create")

    def on_mount(self) -> None:
        self._show_step()
        if self.organization_id is not None:
            self.step_org.load(self.organization_id)  # then on to the terms
        else:
            self.step_org.focus_first()

    # moving between steps ----------------------------------------------------------------

    def _show_step(self) -> None:
        self.query_one(ContentSwitcher).current = STEPS[self.step]
        marks = [f"{'●' if i == self.step else '○'} {i + 1} {t}"
                 for i, t in enumerate(STEP_TITLES)]
        self.query_one("#wizard-steps", Static).update(Text("  >  ".join(marks)))
        self.query_one("#wizard-back", Button).disabled = self.step == 0
        self.query_one("#wizard-next", Button).label = (
            "Create license" if self.step == 2 else "Continue")
        self._status("")
        self.refresh_bindings()

    def _go(self, step: int) -> None:
        self.step = step
        self._show_step()
        (self.step_org, self.step_terms, self.step_invites)[step].focus_first()
        typeahead.ready(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step > 0
        if action == "to_list":
            focused = self.focused
            return focused is not None and focused.id == "org-search"
        return True

    def action_to_list(self) -> None:
        self.query_one("#org-list").focus()

    def action_back(self) -> None:
        if self.step > 0 and not self.creating:
            self._go(self.step - 1)

    def action_next(self) -> None:
        if self.creating:
            return
        if self.step == 0:
            self.step_org.leave()
        elif self.step == 1:
            self.step_terms.leave()
        else:
            self._create()

    @on(Button.Pressed, "#wizard-buttons Button")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"wizard-back": self.action_back, "wizard-next": self.action_next,
         "wizard-cancel": self.action_cancel}[event.button.id or ""]()

    @on(StepOrg.Chosen)
    def _chosen(self, event: StepOrg.Chosen) -> None:
        event.stop()
        self._org_chosen(event.org)

    def _org_chosen(self, org: OrgRow) -> None:
        changed = self.org is None or self.org.id != org.id
        self.org = org
        self.step_terms.show_org(org, changed)
        self._go(1)

    @on(StepTerms.Accepted)
    def _terms_accepted(self, event: StepTerms.Accepted) -> None:
        event.stop()
        if self.org is None:
            self._go(0)
            return
        self.step_invites.prepare(self.org, event.terms)
        self._go(2)

    @on(InviteRows.Finished)
    def _rows_finished(self) -> None:
        self.query_one("#wizard-next", Button).focus()

    # creating -------------------------------------------------------------------------------

    def _create(self) -> None:
        invites = self.step_invites
        if self.org is None or invites.terms is None:
            self._go(0 if self.org is None else 1)
            return
        self._status("")
        if ask_to_confirm(invites.rows, invites.verdicts(), self._create):
            return
        self._sent = invites.asked()
        typeahead.hold(self)
        self.create(self.org.id, invites.terms, *self._sent)

    @work(thread=True, exclusive=True, group="wizard-create", exit_on_error=False)
    def create(self, org_id: int, terms: Terms, requests: list[InviteRequest],
               add_me: bool) -> None:
        license_id, _result = self.desk.create_license(org_id, terms, requests, add_me)
        self.reply(self._Created(license_id))

    @on(_Created)
    def _created(self, event: _Created) -> None:
        self.dismiss(event.license_id)

    @on(WorkFailed)
    def _failed(self, event: WorkFailed) -> None:
        """A step's or the create's failure, said on the status line; a refused field is
        already marked at the field by its step."""
        typeahead.ready(self)
        error = event.error
        if isinstance(error, DomainError):
            event.stop()
            if error.rows and self._sent == self.step_invites.asked():
                self.step_invites.show(error.rows)
            self._status("" if error.fields else str(error))
        elif (problem := self.desk.lasting_problem(error)) is not None:
            # Reads still work: no outage to show, but a person has to act before a retry.
            event.stop()
            self._status(problem)
        elif database_unreachable(error):
            # The app shows the one outage status; here, that nothing typed is lost.
            self._status("the database cannot be reached right now; try again in a moment")

    def _status(self, message: str) -> None:
        status = self.query_one("#wizard-status", Static)
        status.update(Text(f"✗ {display(message)}") if message else "")
        status.set_class(not message, "-empty")

    # leaving --------------------------------------------------------------------------------

    def _typed_anything(self) -> bool:
        return self.step_org.form.typed or self.step > 0 or self.step_invites.rows.typed

    def action_cancel(self) -> None:
        if self.creating:
            return
        if not self._typed_anything():
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(
            "Leave the wizard", "Leave the wizard? The license is not created.", "Discard"),
            answer)
