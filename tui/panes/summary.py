"""License detail, Summary tab: the terms, invitation counts, and the two main actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from models.products import INVITATION_STATUSES
from tui.cells import STATUS_GLYPH, clean, day, when
from tui.commands import key
from tui.widgets.status_chart import StatusChart

if TYPE_CHECKING:
    from models.views import LicenseSummary


def summary_text(s: LicenseSummary) -> Text:
    lic = s.license
    glyph = STATUS_GLYPH.get(lic.status, "·")
    trial = f" (trial ends {day(lic.trial_ends_at)})" if lic.trial_ends_at else ""
    lines = [
        (f"{lic.product_label} license #{lic.id}", "bold"),
        (f"Organization  {clean(lic.organization)}", ""),
        (f"Client        {clean(s.client_name)} <{clean(s.client_email)}>", ""),
        (f"Status        {glyph} {lic.status}{trial}", ""),
        (f"Plan          {lic.plan or '-'}    Seats {lic.seats}    "
         f"Billable users {s.billable_users}", ""),
        (f"Payer         {lic.payer}    Data centre {lic.data_center.upper()}", ""),
        (f"Created       {when(s.created_at)}    Users {lic.users}    "
         f"Open invitations {lic.open_invitations}", ""),
    ]
    text = Text(no_wrap=False)
    for n, (line, style) in enumerate(lines):
        text.append(("\n" if n else "") + line, style=style)
    return text


def counts_text(s: LicenseSummary) -> Text:
    text = Text("Invitations   ", no_wrap=False)
    parts = [f"{STATUS_GLYPH.get(k, '·')} {k} {s.counts.get(k, 0)}" for k in INVITATION_STATUSES]
    text.append(" · ".join(parts))
    return text


class SummaryPane(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="summary-fields", markup=False)
        yield Static("", id="summary-counts", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(f"Invite users ({key('license', 'invite')})", id="invite",
                         variant="primary")
            yield Button(f"Send invitation reminder ({key('license', 'remind')})", id="remind")
        yield StatusChart(id="status-chart")

    def show(self, s: LicenseSummary) -> None:
        self.query_one("#summary-fields", Static).update(summary_text(s))
        self.query_one("#summary-counts", Static).update(counts_text(s))
        remindable = s.counts.get("pending", 0) + s.counts.get("overdue", 0)
        self.query_one("#remind", Button).disabled = remindable == 0
        self.query_one(StatusChart).show_for(s.license.id)
