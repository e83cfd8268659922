"""One organization: who the client is, and its licenses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, clean, clip, day, status
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import LicenseRow, OrgRow


class OrganizationScreen(BaseScreen):
    BINDINGS = [Binding("n", "new_license", "New license")]

    def __init__(self, org_id: int) -> None:
        super().__init__()
        self.org_id = org_id
        self.title = f"Organization #{org_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="org-details", markup=False)
        yield DataTable(id="licenses", cursor_type="row", zebra_stripes=True)
        yield Static("enter opens a license · n makes a new one", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#licenses", DataTable)
        table.add_columns("#", "Product", "Status", "Plan", "Seats", "Users", "Open inv.",
                          "Trial ends", "Payer", "DC")
        table.focus()
        super().on_mount()

    def load(self) -> None:
        org_id = self.org_id

        def job(ctx: Ctx) -> tuple[OrgRow, list[LicenseRow]]:
            from models.queries import get_org, list_licenses

            return get_org(ctx, org_id), list_licenses(ctx, org_id)

        self.db(job, self._show, group="org", exclusive=True)

    def _show(self, result: tuple[OrgRow, list[LicenseRow]]) -> None:
        org, licenses = result
        self.title = clip(org.name, 40)
        self.query_one("#org-details", Static).update(
            f"{clean(org.name)}\nClient: {clean(org.client_name)} <{clean(org.client_email)}>"
            f" · data centre {org.data_center.upper()} · {org.licenses} license(s)"
            f" · {org.attention} invitation(s) need attention")
        table = self.query_one("#licenses", DataTable)
        table.clear()
        for lic in licenses:
            table.add_row(cell(lic.id), cell(lic.product_label), status(lic.status),
                          cell(lic.plan or "-"), cell(lic.seats), cell(lic.users),
                          cell(lic.open_invitations), cell(day(lic.trial_ends_at)),
                          cell(lic.payer), cell(lic.data_center.upper()), key=str(lic.id))
        if not licenses:
            self.query_one("#status", Static).update("No licenses yet: n makes one")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.open_license(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_new_license(self) -> None:
        self.app.action_new_license(self.org_id)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        if self.app.ctx is not None:  # type: ignore[attr-defined]
            self.load()
