"""License creation wizard: organization → product and terms → invite users → Continue.

The license and its invitations are written by one service call, in one transaction.
Creating a new organization is its own step (and its own transaction) when leaving step 1.
Every widget lives for the whole wizard, so going Back and forth loses nothing typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Input,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from models.errors import DomainError, InviteRefused
from models.products import DATA_CENTERS, PAYERS, PLANS, PRODUCTS
from models.text import InvalidAddress, InvalidText, clean_text, display, normalize_email
from models.views import InviteRequest, InviteResult, OrgPage, OrgRow, StaffRef
from tui.screens.invite_wizard import add_me_label, mark_add_me
from tui.widgets.footer import KeyFooter
from tui.widgets.invite_rows import InviteRows
from tui.widgets.wizard_confirm import ConfirmDiscard
from tui.widgets.wizard_fields import Field, SafeInput, check_rows
from tui.widgets.wizard_seats import seat_change
from tui.widgets.wizard_work import run_service

if TYPE_CHECKING:
    from models.context import Ctx

STEPS = ("step-org", "step-terms", "step-invite")
STEP_TITLES = ("Organization", "Product and terms", "Invite users")
SEARCH_LIMIT = 30


def org_line(org: OrgRow) -> Text:
    """One organization as plain text (names are untrusted: never markup)."""
    return Text(f"{display(org.name)} — {display(org.client_name)} "
                f"<{display(org.client_email)}> · {org.data_center.upper()} · "
                f"{org.licenses} license(s)")


class LicenseWizard(Screen[int | None]):
    """Dismisses with the new license's id, or None when cancelled."""

    DEFAULT_CSS = """
    LicenseWizard #wizard-title, LicenseWizard #wizard-steps { height: auto; padding: 0 1; }
    LicenseWizard ContentSwitcher { height: 1fr; }
    LicenseWizard ContentSwitcher > VerticalScroll { height: 1fr; padding: 0 1; }
    LicenseWizard TabbedContent { height: auto; }
    LicenseWizard #org-list { height: auto; max-height: 12; }
    LicenseWizard .wizard-note { height: auto; margin-bottom: 1; }
    LicenseWizard .-empty { display: none; }
    LicenseWizard .wizard-pair { height: auto; }
    LicenseWizard .wizard-pair > Field { width: 1fr; margin-right: 2; }
    LicenseWizard Select { width: 1fr; }
    LicenseWizard #wizard-status { height: auto; padding: 0 1; }
    LicenseWizard #wizard-buttons { height: auto; padding: 0 1; }
    LicenseWizard #wizard-buttons Button { margin-right: 2; }
    """

    BINDINGS = [
        Binding("ctrl+s", "next", "Continue", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "to_list", "To the list", show=False),
    ]

    SEARCH_DELAY = 0.2
    CHECK_DELAY = 0.3

    def __init__(self, ctx: Ctx, staff: StaffRef, organization_id: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.staff = staff
        self.organization_id = organization_id
        self.org: OrgRow | None = None
        self.step = 0
        self._orgs: dict[str, OrgRow] = {}
        self._created: tuple[tuple[str, str, str, str], int] | None = None
        self._search_timer: Timer | None = None
        self._check_timer: Timer | None = None
        self._busy = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text("New license"), id="wizard-title")
        yield Static("", id="wizard-steps", markup=False)
        with ContentSwitcher(initial=STEPS[0]):
            with VerticalScroll(id="step-org"):
                with TabbedContent(id="org-mode"):
                    with TabPane("Pick an organization", id="org-pick"):
                        yield Field("Search (name, client name or e-mail)",
                                    SafeInput(placeholder="type to search", id="org-search"),
                                    id="field-org-search")
                        yield OptionList(id="org-list", markup=False)
                        yield Static("", id="org-pick-error", classes="field-error -empty",
                                     markup=False)
                    with TabPane("Create a new one", id="org-new"):
                        yield Field("Organization name",
                                    SafeInput(id="org-name"), id="field-org-name")
                        yield Field("Client name (the owner)",
                                    SafeInput(id="org-client-name"),
                                    id="field-org-client-name")
                        yield Field("Client e-mail",
                                    SafeInput(id="org-client-email"),
                                    id="field-org-client-email")
                        yield Field("Data centre",
                                    Select([(d.upper(), d) for d in DATA_CENTERS], value="us",
                                           allow_blank=False, id="org-dc"),
                                    id="field-org-dc")
            with VerticalScroll(id="step-terms"):
                yield Static("", id="terms-org", classes="wizard-note", markup=False)
                with Horizontal(classes="wizard-pair"):
                    yield Field("Product", Select(
                        [(p.label, p.key) for p in PRODUCTS.values()], value="livechat",
                        allow_blank=False, id="product"), id="field-product")
                    yield Field("Terms", Select(
                        [("Trial (14-30 days)", "trial"), ("Paid", "paid")], value="trial",
                        allow_blank=False, id="terms"), id="field-terms")
                with Horizontal(classes="wizard-pair"):
                    yield Field("Trial days (14-30)",
                                SafeInput("14", id="trial-days", type="integer", max_length=3),
                                id="field-trial-days")
                    yield Field("Plan", Select([(p.title(), p) for p in PLANS],
                                               id="plan", prompt="Choose a plan"),
                                id="field-plan", classes="-empty")
                    yield Field("Seats", SafeInput(id="seats", type="integer", max_length=5),
                                id="field-seats", classes="-empty")
                with Horizontal(classes="wizard-pair"):
                    yield Field("Who pays", Select([(p.title(), p) for p in PAYERS],
                                                   value="partner", allow_blank=False,
                                                   id="payer"), id="field-payer")
                    yield Field("Data centre", Select([(d.upper(), d) for d in DATA_CENTERS],
                                                      value="us", allow_blank=False, id="dc"),
                                id="field-dc")
            with VerticalScroll(id="step-invite"):
                yield Static("", id="invite-summary", classes="wizard-note", markup=False)
                yield Static(Text(
                    "Invite the customer's people now (optional). One address per row, or "
                    "paste a list. Enter: next row · tab: its role · ctrl+n add · ctrl+r remove."),
                    classes="wizard-note")
                yield InviteRows(PRODUCTS["livechat"].roles, id="wizard-rows")
                yield Checkbox(add_me_label(self.staff), id="wizard-add-me", compact=True)
                yield Static("", id="wizard-add-me-message", classes="-empty", markup=False)
                yield Static("", id="wizard-seats", markup=False)
        yield Static("", id="wizard-status", classes="-empty", markup=False)
        with Horizontal(id="wizard-buttons"):
            yield Button("Back", id="wizard-back")
            yield Button("Continue", id="wizard-next", variant="primary")
            yield Button("Cancel", id="wizard-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        blink = getattr(self.app, "blink", True)
        for field in self.query(Input):
            field.cursor_blink = bool(blink)
        self._show_step()
        if self.organization_id is not None:
            from_id = self.organization_id

            def load() -> OrgRow:
                from models.queries import get_org

                return get_org(self.ctx, from_id)

            run_service(self, load, self._org_loaded, self._failed, group="wizard-org")
        else:
            self.query_one("#org-search", Input).focus()
        self._search()

    def _org_loaded(self, org: OrgRow) -> None:
        self._choose_org(org)
        # Back on step 1, the list must hold this organization, highlighted.
        self.query_one("#org-search", Input).value = org.name
        self._go(1)

    # -- steps -------------------------------------------------------------------------------

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
        if step == 0:
            target = "#org-search" if self._mode() == "org-pick" else "#org-name"
            self.query_one(target, Input).focus()
        elif step == 1:
            org = self.org
            self.query_one("#terms-org", Static).update(Text(
                f"For {display(org.name)} (client {display(org.client_name)} "
                f"<{display(org.client_email)}>)" if org else ""))
            self.query_one("#product", Select).focus()
        else:
            self._prepare_invites()
            rows = self.query_one(InviteRows).rows
            empty = [r for r in rows if not r.email]
            (empty[0] if empty else rows[-1]).email_input.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.step > 0
        if action == "to_list":
            focused = self.focused
            return focused is not None and focused.id == "org-search"
        return True

    def action_to_list(self) -> None:
        self.query_one("#org-list", OptionList).focus()

    def action_back(self) -> None:
        if self.step > 0 and not self._busy:
            self._go(self.step - 1)

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#wizard-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_next(self) -> None:
        if self._busy:
            return
        [self._leave_org, self._leave_terms, self._create][self.step]()

    def _status(self, message: str) -> None:
        status = self.query_one("#wizard-status", Static)
        status.update(Text(f"✗ {display(message)}") if message else "")
        status.set_class(not message, "-empty")

    def _failed(self, err: DomainError) -> None:
        self._busy = False
        self._status(str(err))

    # -- step 1: organization ----------------------------------------------------------------

    def _mode(self) -> str:
        return self.query_one("#org-mode", TabbedContent).active or "org-pick"

    @on(Input.Changed, "#org-search")
    def _search_typed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.SEARCH_DELAY, self._search) \
            if self.SEARCH_DELAY > 0 else None
        if self._search_timer is None:
            self.call_later(self._search)

    def _search(self) -> None:
        text = self.query_one("#org-search", Input).value

        def find() -> OrgPage:
            from models.queries import list_orgs

            return list_orgs(self.ctx, text, 0, SEARCH_LIMIT)

        run_service(self, find, self._found, self._failed, group="wizard-search")

    def _found(self, page: OrgPage) -> None:
        options = self.query_one("#org-list", OptionList)
        keep = self.org.id if self.org else None
        self._orgs = {str(o.id): o for o in page.rows}
        options.clear_options()
        options.add_options([Option(org_line(o), id=str(o.id)) for o in page.rows])
        error = self.query_one("#org-pick-error", Static)
        if not page.rows:
            error.update(Text("No organization matches; create one in “Create a new one”."))
        elif page.total > len(page.rows):
            error.update(Text(f"{len(page.rows)} of {page.total} shown; type to narrow."))
        else:
            error.update("")
        error.set_class(not error.content, "-empty")
        if keep is not None and str(keep) in self._orgs:
            options.highlighted = list(self._orgs).index(str(keep))
        elif page.rows:
            options.highlighted = 0

    @on(Input.Submitted, "#org-search")
    def _search_submitted(self) -> None:
        self.query_one("#org-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#org-list")
    def _org_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._leave_org()

    @on(Input.Submitted, "#org-name, #org-client-name")
    def _new_org_submitted(self) -> None:
        self.focus_next()

    @on(Input.Submitted, "#org-client-email")
    def _new_org_done(self) -> None:
        self._leave_org()

    def _choose_org(self, org: OrgRow) -> None:
        changed = self.org is None or self.org.id != org.id
        self.org = org
        if changed:
            self.query_one("#dc", Select).value = org.data_center
            self._queue_check()

    def _leave_org(self) -> None:
        if self._mode() == "org-pick":
            options = self.query_one("#org-list", OptionList)
            index = options.highlighted
            option = options.get_option_at_index(index) if index is not None else None
            if option is None or option.id not in self._orgs:
                error = self.query_one("#org-pick-error", Static)
                error.update(Text("✗ Choose an organization: type to search, ↓ to the list, "
                                  "enter; or create a new one."))
                error.remove_class("-empty")
                self.query_one("#org-search", Input).focus()
                return
            self._choose_org(self._orgs[option.id])
            self._go(1)
            return
        self._create_org()

    def _create_org(self) -> None:
        values = {key: self.query_one(f"#org-{key}", Input).value
                  for key in ("name", "client-name", "client-email")}
        dc = str(self.query_one("#org-dc", Select).value)
        problems = 0
        for key, label in (("name", "organization name"), ("client-name", "client name")):
            field = self.query_one(f"#field-org-{key}", Field)
            try:
                clean_text(values[key], label)
                field.error("")
            except InvalidText as err:
                field.error(str(err))
                problems += 1
        email_field = self.query_one("#field-org-client-email", Field)
        try:
            normalize_email(values["client-email"])
            email_field.error("")
        except InvalidAddress as err:
            email_field.error(str(err))
            problems += 1
        if problems:
            first = self.query_one("#org-new").query(".-invalid Input").first(Input)
            first.focus()
            return
        typed = (values["name"], values["client-name"], values["client-email"], dc)
        if self._created and self._created[0] == typed and self.org:
            self._go(1)  # this very organization was created a moment ago: no second one
            return
        self._busy = True

        def create() -> OrgRow:
            from models.organizations import create_organization
            from models.queries import get_org

            org_id = create_organization(
                self.ctx, self.staff, name=typed[0], client_name=typed[1],
                client_email=typed[2], data_center=typed[3])
            return get_org(self.ctx, org_id)

        def created(org: OrgRow) -> None:
            self._busy = False
            self._created = (typed, org.id)
            self._choose_org(org)
            self.query_one("#org-search", Input).value = org.name
            self._go(1)

        run_service(self, create, created, self._failed, group="wizard-create-org")

    # -- step 2: product and terms ----------------------------------------------------------

    @on(Select.Changed, "#terms")
    def _terms_changed(self, event: Select.Changed) -> None:
        paid = event.value == "paid"
        self.query_one("#field-trial-days").set_class(paid, "-empty")
        self.query_one("#field-plan").set_class(not paid, "-empty")
        self.query_one("#field-seats").set_class(not paid, "-empty")

    @on(Select.Changed, "#product")
    def _product_changed(self) -> None:
        self.query_one(InviteRows).set_roles(self._product().roles)
        self._queue_check()

    def _product(self) -> Any:
        return PRODUCTS[str(self.query_one("#product", Select).value)]

    def _terms(self) -> dict[str, Any] | None:
        """The terms as create_license takes them, or None after marking the bad fields."""
        paid = self.query_one("#terms", Select).value == "paid"
        terms: dict[str, Any] = {
            "product_key": self._product().key, "paid": paid,
            "payer": str(self.query_one("#payer", Select).value),
            "data_center": str(self.query_one("#dc", Select).value),
        }
        bad: list[Field] = []

        def number(key: str) -> int | None:
            raw = self.query_one(f"#{key}", Input).value.strip()
            return int(raw) if raw.isdigit() else None

        days_field = self.query_one("#field-trial-days", Field)
        plan_field = self.query_one("#field-plan", Field)
        seats_field = self.query_one("#field-seats", Field)
        for f in (days_field, plan_field, seats_field):
            f.error("")
        if paid:
            plan = self.query_one("#plan", Select).value
            seats = number("seats")
            if plan is Select.NULL:
                plan_field.error("choose a plan")
                bad.append(plan_field)
            if seats is None or seats < 1:
                seats_field.error("a paid license needs at least 1 seat")
                bad.append(seats_field)
            terms.update(plan=None if plan is Select.NULL else str(plan), seats=seats,
                         trial_days=None)
        else:
            days = number("trial-days")
            if days is None or not 14 <= days <= 30:
                days_field.error("a trial lasts from 14 to 30 days")
                bad.append(days_field)
            terms.update(trial_days=days)
        if bad:
            focusable = bad[0].query("Input, Select").first()
            focusable.focus()
            return None
        return terms

    def _leave_terms(self) -> None:
        if self._terms() is not None:
            self._go(2)

    def _terms_words(self, terms: dict[str, Any]) -> str:
        prod = PRODUCTS[terms["product_key"]]
        if terms["paid"]:
            what = f"paid, {terms['plan']} plan, {terms['seats']} seat(s)"
        else:
            what = f"{terms['trial_days']}-day trial"
        return (f"{prod.label} · {what} · paid by the {terms['payer']} · "
                f"{terms['data_center'].upper()} data centre")

    # -- step 3: invite users ----------------------------------------------------------------

    def _prepare_invites(self) -> None:
        terms = self._terms()
        org = self.org
        words = self._terms_words(terms) if terms else ""
        self.query_one("#invite-summary", Static).update(Text(
            f"New license for {display(org.name) if org else '?'}: {words}"))
        self._check_rows()

    @on(InviteRows.Changed)
    @on(Checkbox.Changed, "#wizard-add-me")
    def _queue_check(self) -> None:
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(self.CHECK_DELAY, self._check_rows) \
            if self.CHECK_DELAY > 0 else None
        if self._check_timer is None:
            self.call_later(self._check_rows)

    def _members(self) -> dict[str, str]:
        org = self.org
        if org is None:
            return {}
        try:
            _, key = normalize_email(org.client_email)
        except InvalidAddress:
            return {}
        return {key: f"{org.client_name} <{org.client_email}> is already on this license as "
                     "Owner (the client)"}

    def _check_rows(self) -> None:
        rows = self.query_one(InviteRows)
        requests = rows.requests()
        add_me = self.query_one("#wizard-add-me", Checkbox).value
        if add_me:
            requests.append(InviteRequest(self.staff.email, "Administrator"))
        outcomes = check_rows(self._product(), requests, self._members())
        self._mark(outcomes, add_me)

    def _show_seats(self, outcomes: Any) -> None:
        """The new license starts with its seats and one billable user, the client owner."""
        prod = self._product()
        paid = self.query_one("#terms", Select).value == "paid"
        raw = self.query_one("#seats", Input).value.strip()
        seats = int(raw) if paid and raw.isdigit() and int(raw) > 0 else 1
        billable = 1 + sum(1 for o in outcomes if o.ok and (r := prod.role(o.role)) and r.billable)
        if not paid:
            line = self.query_one("#wizard-seats", Static)
            line.update(Text(f"Trial: {billable} billable user(s) with these invitations "
                             "(the client owner included); seats are set when it is paid"))
            line.remove_class("-costs-more")
            return
        sentence, costs_more = seat_change(InviteResult(
            tuple(outcomes), seats, max(seats, billable), 1, billable))
        line = self.query_one("#wizard-seats", Static)
        line.update(Text(sentence))
        line.set_class(costs_more, "-costs-more")

    def _mark(self, outcomes: Any, add_me: bool) -> None:
        self._show_seats(outcomes)
        rows = self.query_one(InviteRows)
        count = len(rows.filled())
        rows.mark(list(outcomes[:count]))
        mine = outcomes[count] if add_me and len(outcomes) > count else None
        mark_add_me(self.query_one("#wizard-add-me-message", Static), mine)

    @on(InviteRows.Finished)
    def _rows_finished(self) -> None:
        self.query_one("#wizard-next", Button).focus()

    def _create(self) -> None:
        terms = self._terms()
        if terms is None:
            self._go(1)
            self._terms()
            return
        if self.org is None:
            self._go(0)
            return
        org_id = self.org.id
        rows = self.query_one(InviteRows)
        requests = rows.requests()
        add_me = self.query_one("#wizard-add-me", Checkbox).value
        self._busy = True
        self._status("")

        def create() -> tuple[int, InviteResult]:
            from models.licenses import create_license

            return create_license(self.ctx, self.staff, organization_id=org_id,
                                  invites=requests, add_me=add_me, **terms)

        def created(value: tuple[int, InviteResult]) -> None:
            self._busy = False
            self.dismiss(value[0])

        def refused(err: DomainError) -> None:
            self._busy = False
            if isinstance(err, InviteRefused):
                self._mark(tuple(err.outcomes), add_me)
            self._status(str(err))

        run_service(self, create, created, refused, group="wizard-create")

    # -- leaving -----------------------------------------------------------------------------

    def _typed_anything(self) -> bool:
        new_org = any(self.query_one(f"#org-{k}", Input).value.strip()
                      for k in ("name", "client-name", "client-email"))
        return new_org or self.step > 0 or self.query_one(InviteRows).typed

    def action_cancel(self) -> None:
        if self._busy:
            return
        if not self._typed_anything():
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = "Leave the wizard? The license is not created."
        self.app.push_screen(ConfirmDiscard(question), answer)
