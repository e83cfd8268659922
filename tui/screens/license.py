"""License detail: Summary, Users and History tabs; changes made elsewhere show up by polling."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Button, Header, Static, TabbedContent, TabPane

from models.products import OPEN_STATUSES, PRODUCTS
from tui.cells import clean, clip
from tui.panes.history import HistoryTable
from tui.panes.summary import SummaryPane
from tui.panes.users import FILTERS, UsersTable
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from models.context import Ctx
    from models.views import ActionResult, AuditRow, LicenseSummary, UserRow

USERS_ONLY = {"filter", "mark", "resend", "revoke", "role"}


@dataclass(frozen=True)
class Loaded:
    version: int
    summary: LicenseSummary
    users: list[UserRow]
    history: list[AuditRow] | None  # loaded only while the History tab is open


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


class LicenseScreen(BaseScreen):
    BINDINGS = [
        Binding("i", "invite", "Invite"),
        Binding("m", "remind", "Remind"),
        # Mark and Filter are spelled out on the Users tab's status line; the footer at
        # 80 columns has room for the rest.
        Binding("space", "mark", "Mark", show=False),
        Binding("s", "resend", "Resend"),
        Binding("x", "revoke", "Revoke"),
        Binding("o", "role", "Role"),
        Binding("f", "filter", "Filter", show=False),
        Binding("1", "tab('summary')", "Summary", show=False),
        Binding("2", "tab('users')", "Users", show=False),
        Binding("3", "tab('history')", "History", show=False),
    ]

    def __init__(self, license_id: int, tab: str = "summary") -> None:
        super().__init__()
        self.license_id = license_id
        self.initial_tab = tab
        self.version = -1
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
        app: Any = self.app
        self.set_interval(app.poll, self._poll, name="license-version")

    # loading --------------------------------------------------------------------------------

    def load_job(self) -> Any:
        """The query for this screen, as a function of the Ctx (run in a worker)."""
        license_id, status = self.license_id, self.status_filter
        with_history = self._active_tab() == "history"
        self.history_stale = not with_history

        def job(ctx: Ctx) -> Loaded:
            from models.queries import (
                license_history,
                license_summary,
                license_users,
                license_version,
            )

            version = license_version(ctx, license_id)
            return Loaded(version, license_summary(ctx, license_id),
                          license_users(ctx, license_id, status),
                          license_history(ctx, license_id) if with_history else None)

        return job

    def load(self) -> None:
        self.db(self.load_job(), self._show, group="license", exclusive=True)

    def _load_history(self) -> None:
        license_id = self.license_id
        self.history_stale = False

        def job(ctx: Ctx) -> list[AuditRow]:
            from models.queries import license_history

            return license_history(ctx, license_id)

        self.db(job, self.query_one(HistoryTable).show, group="history", exclusive=True)

    def _poll(self) -> None:
        if self.busy("license") or self.busy("version") or self.app.ctx is None:  # type: ignore[attr-defined]
            return
        license_id = self.license_id

        def job(ctx: Ctx) -> int:
            from models.queries import license_version

            return license_version(ctx, license_id)

        def done(version: int) -> None:
            if version != self.version:
                self.load()

        self.db(job, done, group="version")

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
            f"Showing {which}: {shown} row(s){marked} · f filter by status · space mark")

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
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Invite users", "To this license (wizard)", self.action_invite)
        yield SystemCommand("Send invitation reminder", "To everyone not yet picked up",
                            self.action_remind)

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
        self.app.invite_users(self.license_id, lambda _r: self.load())  # type: ignore[attr-defined]

    def _after(self, verb: str, result: ActionResult) -> None:
        n = len(result.done)
        text = f"{verb} {n} invitation{'s' if n != 1 else ''}"
        if result.skipped:
            text += "; skipped " + "; ".join(clean(why) for _i, why in result.skipped[:3])
            if len(result.skipped) > 3:
                text += f" and {len(result.skipped) - 3} more"
        self.app.notify(text, markup=False, severity="warning" if result.skipped else
                        "information")
        self.query_one(UsersTable).marked.clear()
        if verb != "Revoked":
            self.app.kick_mail()  # type: ignore[attr-defined]
        self.load()

    def action_remind(self) -> None:
        license_id = self.license_id
        org = clean(self.summary.license.organization) if self.summary else "this license"

        def count(ctx: Ctx) -> int:
            from models.invitations import remindable_count

            return remindable_count(ctx, license_id)

        def ask(n: int) -> None:
            if n == 0:
                self.app.notify("Nobody to remind: every invitation was picked up or closed.",
                                markup=False)
                return
            question = (f"Send a reminder to {_people(n)} who have not picked up their "
                        f"invitation to {org}? Each gets a new link.")
            self.app.push_screen(ConfirmScreen("Send invitation reminder", question,
                                               "Send"), go)

        def go(yes: bool | None) -> None:
            if yes:
                staff = self.app.staff  # type: ignore[attr-defined]

                def job(ctx: Ctx) -> ActionResult:
                    from models.invitations import remind

                    return remind(ctx, staff, license_id)

                self.db(job, lambda r: self._after("Reminded", r))

        from tui.screens.confirm import ConfirmScreen

        self.db(count, ask)

    def _invitations(self) -> list[UserRow]:
        chosen = self.query_one(UsersTable).chosen()
        invs = [u for u in chosen if u.kind == "invitation"]
        if not invs:
            self.app.notify("Choose an invitation (accounts have none to send or revoke).",
                            markup=False)
        return invs

    def action_resend(self) -> None:
        invs = self._invitations()
        if not invs:
            return
        ids = [u.id for u in invs]
        staff = self.app.staff  # type: ignore[attr-defined]

        def job(ctx: Ctx) -> ActionResult:
            from models.invitations import resend

            return resend(ctx, staff, ids)

        self.db(job, lambda r: self._after("Sent again", r))

    def action_revoke(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        invs = self._invitations()
        if not invs:
            return
        ids = [u.id for u in invs]
        names = ", ".join(clean(u.email) for u in invs[:3])
        more = f" and {len(invs) - 3} more" if len(invs) > 3 else ""
        question = (f"Revoke {len(invs)} invitation{'s' if len(invs) != 1 else ''} "
                    f"({names}{more})? Their links stop working at once.")
        staff = self.app.staff  # type: ignore[attr-defined]

        def go(yes: bool | None) -> None:
            if not yes:
                return

            def job(ctx: Ctx) -> ActionResult:
                from models.invitations import revoke

                return revoke(ctx, staff, ids)

            self.db(job, lambda r: self._after("Revoked", r))

        self.app.push_screen(ConfirmScreen("Revoke invitations", question, "Revoke"), go)

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
        staff = self.app.staff  # type: ignore[attr-defined]

        def picked(role: str | None) -> None:
            if not role or role == row.role:
                return

            def job(ctx: Ctx) -> str:
                from models.invitations import change_role

                return change_role(ctx, staff, row.id, role)

            def done(name: str) -> None:
                self.app.notify(f"{clean(row.email)} is now invited as {name}", markup=False)
                self.load()

            self.db(job, done)

        self.app.push_screen(RolePicker(product.roles, row.role, row.email), picked)
