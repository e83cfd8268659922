"""License detail: Summary, Users and History tabs; changes made elsewhere show up by polling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Button, Header, Static, TabbedContent, TabPane

from models.products import OPEN_STATUSES, PRODUCTS, RESENDABLE_STATUSES
from tui.actions import Acted, InvitationActions
from tui.auto_remind import AutoRemindToggle
from tui.cells import clean, clip
from tui.commands import bindings, key
from tui.exporting import ExportKind
from tui.messages import InviteUsers
from tui.panes.history import HistoryTable
from tui.panes.summary import SummaryPane
from tui.panes.users import FILTERS, UsersTable
from tui.screens.base import BaseScreen
from tui.status import LiveWake
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.desk import Desk
    from models.views import AuditRow, LicenseSummary, UserRow

USERS_ONLY = {"filter", "mark", "resend", "revoke", "role", "hand_over"}


@dataclass
class Loaded(Message, bubble=False):
    version: int
    summary: LicenseSummary
    users: list[UserRow]
    history: list[AuditRow] | None  # loaded only while the History tab is open


@dataclass
class _HistoryRead(Message, bubble=False):
    rows: list[AuditRow]


@dataclass
class _Version(Message, bubble=False):
    version: int


@dataclass
class _RoleChanged(Message, bubble=False):
    email: str
    role: str


@dataclass
class _RoleNeedsYes(Message, bubble=False):
    """The domain asks first: an Administrator outside the client's domains."""

    invitation_id: int
    email: str
    role: str
    question: str


class LicenseScreen(BaseScreen, InvitationActions, AutoRemindToggle):
    PLACE = "license"
    BINDINGS = bindings(PLACE)

    def __init__(self, license_id: int, tab: str = "summary") -> None:
        super().__init__()
        self.license_id = license_id
        self.initial_tab = tab
        self.version = -1
        self._version_asked = False
        self.history_stale = True
        self.status_filter: str | None = None
        self.summary: LicenseSummary | None = None
        self.title = f"License #{license_id}"

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=self.initial_tab, id="tabs"):
            with TabPane("Summary", id="summary"):
                yield SummaryPane()
            with TabPane("Users", id="users"):
                yield Static("", id="users-status", markup=False)
                yield UsersTable(id="users-table")
            with TabPane("History", id="history"):
                yield HistoryTable(id="history-table")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._focus_tab(self.initial_tab)
        self.set_interval(self.desk_app.poll, self._poll, name="license-version")

    # loading --------------------------------------------------------------------------------

    def load(self) -> None:
        with_history = self._active_tab() == "history"
        self.history_stale = not with_history
        self._read(self.status_filter, with_history)

    @work(thread=True, exclusive=True, group="license", exit_on_error=False)
    def _read(self, status: str | None, with_history: bool) -> None:
        desk, license_id = self.desk, self.license_id
        version = desk.license_version(license_id)
        self.reply(Loaded(version, desk.summary(license_id), desk.users(license_id, status),
                          desk.history(license_id) if with_history else None))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _read_history(self) -> None:
        self.reply(_HistoryRead(self.desk.history(self.license_id)))

    def _load_history(self) -> None:
        self.history_stale = False
        self._read_history()

    @on(_HistoryRead)
    def _history_read(self, message: _HistoryRead) -> None:
        self.query_one(HistoryTable).show(message.rows)

    def _poll(self) -> None:
        if self.busy("license") or self._version_asked or not self.ready:
            return
        # Asked on the app, not on this screen: Textual repaints a screen under a dialog
        # whole for every message it handles (12-15 KB/s over SSH while nothing changes).
        # This screen hears only of a change.
        self._version_asked = True
        desk, license_id, known = self.desk, self.license_id, self.version
        self.app.run_worker(lambda: self._read_version(desk, license_id, known), thread=True,
                            group="version", exit_on_error=False)

    @on(LiveWake)
    def _live_wake(self) -> None:
        self._poll()  # committed on another host (PostgreSQL): no need to wait for the poll

    def _read_version(self, desk: Desk, license_id: int, known: int) -> None:
        try:
            version = desk.license_version(license_id)
        finally:
            self._version_asked = False
        if version != known and self.is_attached:
            self.post_message(_Version(version))

    @on(_Version)
    def _version_read(self, message: _Version) -> None:
        if message.version != self.version:
            self.load()

    @on(Loaded)
    def _loaded(self, loaded: Loaded) -> None:
        self._show(loaded)

    def _show(self, loaded: Loaded) -> None:
        self.version = loaded.version
        self.summary = loaded.summary
        lic = loaded.summary.license
        self.title = f"{clip(lic.organization, 32)} · {lic.product_label} #{lic.id}"
        self.query_one(SummaryPane).show(loaded.summary)
        self.query_one(UsersTable).show(loaded.users)
        if loaded.history is not None:
            self.query_one(HistoryTable).show(loaded.history)
        self._users_status(len(loaded.users))

    def _users_status(self, shown: int) -> None:
        table = self.query_one(UsersTable)
        which = self.status_filter or "all"
        marked = f" · {len(table.marked)} marked" if table.marked else ""
        self.query_one("#users-status", Static).update(
            f"Showing {which}: {shown} row(s){marked} · {key(self.PLACE, 'filter')} filter by "
            f"status · {key(self.PLACE, 'mark')} mark")

    # tabs and gating ------------------------------------------------------------------------

    def _active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active or "summary"

    def _focus_tab(self, tab: str) -> None:
        targets = {"summary": "#invite", "users": "#users-table", "history": "#history-table"}
        self.query_one(targets[tab]).focus()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab
        self._focus_tab(tab)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if self._active_tab() == "history" and self.history_stale and self.version >= 0:
            self._load_history()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in USERS_ONLY and self.is_mounted:
            return self._active_tab() == "users"
        return super().check_action(action, parameters)

    def export_kind(self) -> ExportKind | None:
        tab = self._active_tab() if self.is_mounted else "summary"
        if tab == "users":
            which = f" ({self.status_filter})" if self.status_filter else ""
            return ExportKind("users", f"users of license #{self.license_id}{which}",
                              license_id=self.license_id, status=self.status_filter)
        if tab == "history":
            return ExportKind("history", f"history of license #{self.license_id}",
                              license_id=self.license_id)
        return None

    # filter ---------------------------------------------------------------------------------

    def action_filter(self) -> None:
        i = FILTERS.index(self.status_filter)
        self.status_filter = FILTERS[(i + 1) % len(FILTERS)]
        self.load()

    def clear_filter(self) -> bool:
        if self.status_filter is not None:
            self.status_filter = None
            self.load()
            return True
        return False

    def action_mark(self) -> None:
        table = self.query_one(UsersTable)
        table.toggle_mark()
        self._users_status(table.row_count)

    # actions --------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "invite":
            self.action_invite()
        elif event.button.id == "remind":
            self.action_remind()

    def action_invite(self) -> None:
        self.post_message(InviteUsers(self.license_id))

    def on_screen_resume(self) -> None:
        if self.version >= 0:  # back from the invite wizard, a dialog: show what changed
            self.reload_on_resume()

    @on(Acted)
    def _after(self) -> None:
        self.query_one(UsersTable).marked.clear()
        self.load()

    def action_remind(self) -> None:
        org = self.summary.license.organization if self.summary else "this license"
        self.remind(self.license_id, org)

    def _invitations(self) -> list[UserRow]:
        chosen = self.query_one(UsersTable).chosen()
        invs = [u for u in chosen if u.kind == "invitation"]
        if not invs:
            self.app.notify("Choose an invitation (accounts have none to send or revoke).",
                            markup=False)
        return invs

    def action_resend(self) -> None:
        self.resend([u.id for u in self._invitations()])

    def action_revoke(self) -> None:
        invs = self._invitations()
        self.revoke([u.id for u in invs], [u.email for u in invs])

    def action_hand_over(self) -> None:
        row = self.query_one(UsersTable).current()
        if row is None:
            return
        if row.kind != "invitation" or row.status not in RESENDABLE_STATUSES:
            self.app.notify("Only an open or expired invitation (pending, overdue, failed, "
                            "expired) gets a link by hand.", markup=False)
            return
        self.hand_over(row.id)

    def action_role(self) -> None:
        from tui.screens.role_picker import RolePicker

        row = self.query_one(UsersTable).current()
        if row is None or self.summary is None:
            return
        if row.kind != "invitation" or row.status not in OPEN_STATUSES:
            self.app.notify("Only an open invitation (pending, overdue, failed) can change "
                            "role.", markup=False)
            return
        product = PRODUCTS[self.summary.license.product]

        def picked(role: str | None) -> None:
            if role and role != row.role:
                self._change_role(row.id, row.email, role)

        self.app.push_screen(RolePicker(product.roles, row.role, row.email), picked)

    @work(thread=True, group="role", exit_on_error=False)
    def _change_role(self, invitation_id: int, email: str, role: str,
                     confirmed: bool = False) -> None:
        from models.errors import NeedsConfirmation

        try:
            done = self.desk.change_role(invitation_id, role, confirmed)
        except NeedsConfirmation as asked:
            self.reply(_RoleNeedsYes(invitation_id, email, role, str(asked)))
            return
        self.reply(_RoleChanged(email, done))

    @on(_RoleNeedsYes)
    def _role_needs_yes(self, message: _RoleNeedsYes) -> None:
        from tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._change_role(message.invitation_id, message.email, message.role, True)

        self.app.push_screen(ConfirmScreen(
            f"Make {clean(message.email)} an {message.role}?",
            f"{clean(message.question)}. Confirm to go on (your confirmation is recorded).",
            "Confirm"), answered)

    @on(_RoleChanged)
    def _role_changed(self, message: _RoleChanged) -> None:
        self.app.notify(f"{clean(message.email)} is now invited as {message.role}",
                        markup=False)
        self.load()
