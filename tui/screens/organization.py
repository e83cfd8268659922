"""One organization: who the client is, and its licenses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from tui.cells import cell, clean, clip, day, status
from tui.commands import bindings, key
from tui.exporting import ExportKind
from tui.messages import NewLicense, OpenLicense
from tui.screens.base import BaseScreen
from tui.table import Table
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.views import LicenseRow, OrgRow


@dataclass
class OrgRead(Message, bubble=False):
    org: OrgRow
    licenses: list[LicenseRow]
    domains: tuple[str, ...] = ()
    language: str = "en"


@dataclass
class _LanguageSet(Message, bubble=False):
    code: str


class OrganizationScreen(BaseScreen):
    PLACE = "organization"
    BINDINGS = bindings(PLACE)

    def __init__(self, org_id: int) -> None:
        super().__init__()
        self.org_id = org_id
        self.org_name = ""
        self.language = ""
        self.title = f"Organization #{org_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="org-details", markup=False)
        yield Table(id="licenses", cursor_type="row", zebra_stripes=True)
        yield Static(f"{key(self.PLACE, 'select_cursor')} opens a license · "
                     f"{key(self.PLACE, 'new_license')} makes a new one", id="status",
                     markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#licenses", Table)
        table.add_columns("#", "Product", "Status", "Plan", "Seats", "Users", "Open inv.",
                          "Trial ends", "Payer", "DC")
        table.focus()
        super().on_mount()

    def load(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="org", exit_on_error=False)
    def _read(self) -> None:
        desk = self.desk
        self.reply(OrgRead(desk.organization(self.org_id), desk.licenses(self.org_id),
                           desk.domains(self.org_id), desk.org_language(self.org_id)))

    @on(OrgRead)
    def _show(self, message: OrgRead) -> None:
        org, licenses = message.org, message.licenses
        self.org_name, self.language = org.name, message.language
        self.title = clip(org.name, 40)
        domains = ", ".join(message.domains) or "none (no address is outside)"
        language = self.desk.languages().get(message.language, message.language)
        self.query_one("#org-details", Static).update(
            f"{clean(org.name)}\nClient: {clean(org.client_name)} <{clean(org.client_email)}>"
            f" · data centre {org.data_center.upper()} · {org.licenses} license(s)"
            f" · {org.attention} invitation(s) need attention"
            f"\nDomains: {clip(domains, 60)} · invitees' language: {language}")
        table = self.query_one("#licenses", Table)
        table.clear()
        for lic in licenses:
            table.add_row(cell(lic.id), cell(lic.product_label), status(lic.status),
                          cell(lic.plan or "-"), cell(lic.seats), cell(lic.users),
                          cell(lic.open_invitations), cell(day(lic.trial_ends_at)),
                          cell(lic.payer), cell(lic.data_center.upper()), key=str(lic.id))
        if not licenses:
            self.query_one("#status", Static).update(
                f"No licenses yet: {key(self.PLACE, 'new_license')} makes one")

    def export_kind(self) -> ExportKind:
        return ExportKind("licenses", f"licenses of organization #{self.org_id}",
                          organization_id=self.org_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenLicense(int(event.row_key.value)))

    def action_new_license(self) -> None:
        self.post_message(NewLicense(self.org_id))

    def action_domains(self) -> None:
        from tui.screens.domains_dialog import DomainsDialog

        self.app.push_screen(DomainsDialog(self.org_id, self.org_name or self.title or ""))

    def action_language(self) -> None:
        from models.products import Role
        from tui.screens.role_picker import RolePicker

        choices = [Role(code, name, billable=False)
                   for code, name in self.desk.languages().items()]

        def picked(code: str | None) -> None:
            if code and code != self.language:
                self._set_language(code)

        self.app.push_screen(RolePicker(choices, self.language, self.org_name,
                                        "Invitees' language"), picked)

    @work(thread=True, group="org-language", exit_on_error=False)
    def _set_language(self, code: str) -> None:
        self.reply(_LanguageSet(self.desk.set_org_language(self.org_id, code)))

    @on(_LanguageSet)
    def _language_set(self, message: _LanguageSet) -> None:
        name = self.desk.languages().get(message.code, message.code)
        self.app.notify(f"Invitees of {clean(self.org_name)} are now written to in {name}",
                        markup=False)
        self.load()

    def on_screen_resume(self) -> None:
        self.reload_on_resume()
