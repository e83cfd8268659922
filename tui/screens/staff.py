"""Staff: who works here, for everyone to read; leads add staff, change roles, disable, enable.

Every change goes through the desk in a worker, which checks the role against what the
database says (not what this console was started with). A refusal is the domain's one-line
message, shown on this screen (or in the form where it was typed), and the list is read again:
a console whose person lost the lead role meanwhile greys the keys from then on.
Names and addresses are untrusted text: cells and labels are built from plain strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Header, Input, Label, Static

from tui.cells import cell, clean
from tui.commands import bindings, key
from tui.messages import StaffChanged, WorkFailed
from tui.screens.base import BaseScreen
from tui.table import Table
from tui.widgets.footer import KeyFooter
from tui.widgets.role_chip import RoleChip
from tui.widgets.safe_input import SafeInput
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.desk import Desk
    from models.products import Role
    from models.views import StaffRef, StaffRow

MANAGE = frozenset({"add", "role", "disable", "enable"})


def _state(active: bool) -> Text:
    """Active or disabled as a word and a glyph; dimming only adds to it."""
    return Text("● active", no_wrap=True) if active else \
        Text("✕ disabled", style="dim", no_wrap=True)


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


@dataclass
class Loaded(Message, bubble=False):
    rows: list[StaffRow]
    may_manage: bool
    role: str  # the acting person's role as the database has it
    refusal: str  # why someone else may not manage staff
    roles: tuple[Role, ...]


@dataclass
class _Changed(Message, bubble=False):
    """A staff change was done; `done` says what, for the toast."""

    ref: StaffRef
    done: str


@dataclass
class _Added(Message, bubble=False):
    ref: StaffRef


def _refusal(message: WorkFailed) -> str | None:
    """A refusal from the domain, meant for the person; None for any other failure."""
    from models.errors import DomainError

    return str(message.error) if isinstance(message.error, DomainError) else None


def _widths(total: int) -> tuple[int, int]:
    """Name and e-mail share what login, role and status leave (80 columns still fit)."""
    room = max(total - 46, 24)
    return room * 2 // 5, room - room * 2 // 5


class StaffScreen(BaseScreen):
    TITLE = "Staff"
    PLACE = "staff"
    BINDINGS = bindings(PLACE)

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.rows: dict[str, StaffRow] = {}
        self._select: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="staff-note", markup=False)
        yield Table(id="staff", cursor_type="row", zebra_stripes=True)
        yield Static("", id="staff-message", markup=False)
        yield Static("Loading…", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#staff", Table)
        table.add_columns("Login", "Name", "E-mail", "Role", "Status")
        table.focus()
        self.query_one("#staff-message").display = False
        super().on_mount()

    # loading --------------------------------------------------------------------------------

    def load(self) -> None:
        if self.ready:
            self._read()

    @work(thread=True, exclusive=True, group="staff", exit_on_error=False)
    def _read(self) -> None:
        from models.desk import staff_roles

        desk = self.desk
        me = desk.staff
        rows = desk.staff_list()
        mine = next((r for r in rows if me.login and r.login == me.login), None)
        # The role as stored now (a lead may have changed it since this console started).
        now = desk.as_(replace(me, role=mine.role)) if mine else desk
        self.reply(Loaded(rows, (mine is None or mine.active) and now.may("staff.manage"),
                          now.staff.role, desk.needs("staff.manage"), staff_roles()))

    def on_screen_resume(self, _event: ScreenResume) -> None:
        if self.loaded is not None:  # back from a dialog or another screen: read again
            self.load()

    @on(Loaded)
    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        table = self.query_one("#staff", Table)
        keep = self._select or self._current_login()
        self._select = None
        me = self.desk_app.staff
        name_w, email_w = _widths(self.app.size.width)
        table.clear()
        self.rows = {r.login: r for r in loaded.rows}
        for r in loaded.rows:
            you = me is not None and me.login == r.login
            table.add_row(cell(f"{r.login} (you)" if you else r.login, 20),
                          cell(r.name, name_w), cell(r.email, email_w), cell(r.role),
                          _state(r.active), key=r.login)
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
        active = sum(1 for r in loaded.rows if r.active)
        self.query_one("#status", Static).update(
            f"{len(loaded.rows)} staff with a login · {active} active · "
            f"{len(loaded.rows) - active} disabled")
        if loaded.may_manage:
            note = "You manage staff here. A disabled login cannot start licensedesk."
        else:
            note = f"Read only: {loaded.refusal} (you are {_a(loaded.role)})."
        self.query_one("#staff-note", Static).update(note)
        self.refresh_bindings()

    def on_resize(self, _event: Resize) -> None:
        if self.loaded is not None:
            self._show(self.loaded)

    def _message(self, text: str) -> None:
        """A refusal or error from the last action, where the person is looking."""
        line = self.query_one("#staff-message", Static)
        line.update(clean(text))
        line.display = bool(text)

    # gating ---------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MANAGE:
            # Shown to everyone, greyed unless this person may manage staff (the note line
            # says why); None until the list, and the role with it, is read.
            return True if self.loaded is not None and self.loaded.may_manage else None
        return True

    # actions --------------------------------------------------------------------------------

    def _current_login(self) -> str | None:
        table = self.query_one("#staff", Table)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _current(self) -> StaffRow | None:
        return self.rows.get(self._current_login() or "")

    @work(thread=True, group="staff-change", exit_on_error=False)
    def _change(self, job: Callable[[Desk], StaffRef], done: str) -> None:
        """Run a staff change; a refusal is shown here, a success names what happened."""
        self.reply(_Changed(job(self.desk), done))

    @on(_Changed)
    def _changed(self, message: _Changed) -> None:
        self._message("")
        self.app.notify(clean(f"{message.ref.login}: {message.done}"), markup=False)
        self.post_message(StaffChanged(message.ref))
        self.load()

    @on(WorkFailed)
    def _refused(self, message: WorkFailed) -> None:
        refusal = _refusal(message)
        if message.group == "staff-change" and refusal is not None:
            message.stop()
            self._message(refusal)
            self.load()

    def action_add(self) -> None:
        if self.loaded is None:
            return

        def added(ref: StaffRef | None) -> None:
            if ref is not None and ref.login:
                self._message("")
                self._select = ref.login
                self.app.notify(clean(f"Added {ref.login} as {ref.role}"), markup=False)
                self.load()

        self.app.push_screen(AddStaffDialog(self.loaded.roles), added)

    def action_role(self) -> None:
        row = self._current()
        if row is None or self.loaded is None:
            return
        from tui.screens.role_picker import RolePicker

        login = row.login

        def picked(role: str | None) -> None:
            if not role or (role == row.role and row.active):
                return
            self._change(lambda desk: desk.set_role(login, role),
                         f"now {role}" if row.active else f"enabled as {role}")

        who = login if row.active else f"{login} (disabled: a role gives access again)"
        self.app.push_screen(RolePicker(self.loaded.roles, row.role, who), picked)

    def action_disable(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.active:
            self._message(f"{row.login} is disabled already; {key(self.PLACE, 'enable')} "
                          "enables it")
            return
        from tui.screens.confirm import ConfirmScreen

        me = self.desk.staff
        login = row.login
        you = " That is you: this console loses its access at once." \
            if me.login == login else ""
        question = (f"Disable {login} ({row.name})? That login can no longer start "
                    f"licensedesk or act in it; its history stays.{you}")

        def go(yes: bool | None) -> None:
            if yes:
                self._change(lambda desk: desk.disable_staff(login), "disabled")

        self.app.push_screen(ConfirmScreen("Disable a staff login", question, "Disable"), go)

    def action_enable(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.active:
            self._message(f"{row.login} is active already")
            return
        login, role = row.login, row.role
        self._change(lambda desk: desk.set_role(login, role), f"enabled as {role}")


class AddStaffDialog(ModalScreen["StaffRef | None"], DeskNode):
    """Login, e-mail, name and role; a refusal is shown in the form and nothing typed is lost."""

    BINDINGS = bindings("add_staff")

    def __init__(self, roles: tuple[Role, ...], role: str = "agent") -> None:
        super().__init__()
        self.roles = roles
        self.role = role

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label("Add a staff member", classes="dialog-title")
            yield Label("Login (their account name on this host)")
            yield SafeInput(id="login", max_length=32, compact=True)
            yield Label("E-mail")
            yield SafeInput(id="email", max_length=320, compact=True)
            yield Label("Name (the login if left empty)")
            yield SafeInput(id="name", max_length=200, compact=True)
            with Horizontal(classes="role-row"):
                yield Label("Role ")
                yield RoleChip(self.roles, self.role, who=self._who)
                yield Label(" enter: the roles, with what each may do", classes="hint")
            yield Static(self._meaning(self.role), id="role-meaning", markup=False)
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Add ({key('add_staff', 'save')})", id="add", variant="primary",
                             compact=True)
                yield Button(f"Cancel ({key('add_staff', 'cancel')})", id="cancel",
                             compact=True)

    def _who(self) -> str:
        return self.query_one("#login", Input).value

    def _meaning(self, role: str) -> str:
        return next((r.meaning for r in self.roles if r.name == role), "")

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#login", Input).focus()

    def on_role_chip_changed(self, event: RoleChip.Changed) -> None:
        self.query_one("#role-meaning", Static).update(self._meaning(event.value))

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "add":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.busy("add-staff"):
            return
        login, email, name = (self.query_one(f"#{k}", Input).value.strip()
                              for k in ("login", "email", "name"))
        self._add(login, email, name or None, self.query_one(RoleChip).value)

    @work(thread=True, group="add-staff", exit_on_error=False)
    def _add(self, login: str, email: str, name: str | None, role: str) -> None:
        self.reply(_Added(self.desk.add_staff(login, email, name, role)))

    @on(_Added)
    def _added(self, message: _Added) -> None:
        self.dismiss(message.ref)

    @on(WorkFailed)
    def _refused(self, message: WorkFailed) -> None:
        refusal = _refusal(message)
        if refusal is not None:  # shown in the form; what was typed stays
            message.stop()
            error = self.query_one("#error", Static)
            error.update(clean(refusal))
            error.display = True
