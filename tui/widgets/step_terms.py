"""The license wizard's second step: product and terms, checked by the desk when leaving.

Each refused value is marked at its field in the desk's words; `StepTerms.Accepted` carries
the checked `Terms` the license will be created with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select, Static

from models.desk import PRODUCTS
from models.errors import DomainError
from models.products import DATA_CENTERS, PAYERS, PLANS
from models.text import display
from models.views import OrgRow, Terms
from tui import typeahead
from tui.messages import WorkFailed
from tui.widgets.safe_input import SafeInput
from tui.widgets.wizard_fields import Field, mark_fields
from tui.work import DeskNode

# The desk's names for the terms' fields (`Desk.preview_terms`).
NAMES = ("product", "trial_days", "plan", "seats", "payer", "data_center")


class StepTerms(VerticalScroll, DeskNode):
    DEFAULT_CSS = """
    StepTerms .wizard-pair { height: auto; }
    StepTerms .wizard-pair > Field { width: 1fr; margin-right: 2; }
    StepTerms Select { width: 1fr; }
    """

    @dataclass
    class Accepted(Message):
        terms: Terms

    def compose(self) -> ComposeResult:
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
                        SafeInput("14", id="trial_days", type="integer", max_length=3),
                        id="field-trial_days")
            yield Field("Plan", Select([(p.title(), p) for p in PLANS], id="plan",
                                       prompt="Choose a plan"),
                        id="field-plan", classes="-empty")
            yield Field("Seats", SafeInput(id="seats", type="integer", max_length=5),
                        id="field-seats", classes="-empty")
        with Horizontal(classes="wizard-pair"):
            yield Field("Who pays", Select([(p.title(), p) for p in PAYERS], value="partner",
                                           allow_blank=False, id="payer"), id="field-payer")
            yield Field("Data centre", Select([(d.upper(), d) for d in DATA_CENTERS],
                                              value="us", allow_blank=False,
                                              id="data_center"),
                        id="field-data_center")

    def show_org(self, org: OrgRow, changed: bool) -> None:
        """Whom the license is for; a newly chosen client's data centre is the default."""
        self.query_one("#terms-org", Static).update(Text(
            f"For {display(org.name)} (client {display(org.client_name)} "
            f"<{display(org.client_email)}>)"))
        if changed:
            self.query_one("#data_center", Select).value = org.data_center

    def focus_first(self) -> None:
        self.query_one("#product", Select).focus()

    @on(Select.Changed, "#terms")
    def _terms_changed(self, event: Select.Changed) -> None:
        paid = event.value == "paid"
        self.query_one("#field-trial_days").set_class(paid, "-empty")
        self.query_one("#field-plan").set_class(not paid, "-empty")
        self.query_one("#field-seats").set_class(not paid, "-empty")

    def typed(self) -> dict[str, Any]:
        """The terms as typed, in the desk's words (counts stay text: the desk reads them).
        Only the fields shown count: what was typed in a hidden one is kept, not sent."""
        plan = self.query_one("#plan", Select).value
        paid = self.query_one("#terms", Select).value == "paid"
        return {
            "product_key": str(self.query_one("#product", Select).value),
            "paid": paid,
            "trial_days": None if paid else self.query_one("#trial_days", Input).value,
            "plan": None if plan is Select.NULL or not paid else str(plan),
            "seats": self.query_one("#seats", Input).value if paid else None,
            "payer": str(self.query_one("#payer", Select).value),
            "data_center": str(self.query_one("#data_center", Select).value),
        }

    def leave(self) -> None:
        """Check the terms; `Accepted` when the desk takes them."""
        typeahead.hold(self.screen)  # keys typed on belong to the step the check leads to
        self.check(self.typed())

    @work(thread=True, exclusive=True, group="terms", exit_on_error=False)
    def check(self, typed: dict[str, Any]) -> None:
        self.reply(self.Accepted(self.desk.preview_terms(**typed)))

    @on(Accepted)
    def _accepted(self) -> None:
        mark_fields(self, {}, NAMES)
        typeahead.ready(self.screen)

    @on(WorkFailed)
    def _refused(self, event: WorkFailed) -> None:
        typeahead.ready(self.screen)
        error = event.error
        if isinstance(error, DomainError) and error.fields:
            event.stop()
            mark_fields(self, error.fields, NAMES)
