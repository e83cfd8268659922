"""Staff: who works here, for everyone to read; leads add staff, change roles, disable, enable.

Every change goes through `models.staff` in a worker, which checks the role against what the
database says (not what this console was started with). A refusal is the domain's one-line
message, shown on this screen (or in the form where it was typed), and the list is read again:
a console whose person lost the lead role meanwhile greys the keys from then on.
Names and addresses are untrusted text: cells and labels are built from plain strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize, ScreenResume
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from tui.cells import cell, clean
from tui.screens.base import BaseScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.role_chip import RoleChip
from tui.widgets.safe_input import SafeInput
from tui.work import DbWork

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from models.context import Ctx
    from models.products import Role
    from models.views import StaffRef, StaffRow
    from tui.app import LicenseDeskApp

MANAGE = frozenset({"add", "role", "disable", "enable"})


def _state(active: bool) -> Text:
    """Active or disabled as a word and a glyph; dimming only adds to it."""
    return Text("● active", no_wrap=True) if active else \
        Text("✕ disabled", style="dim", no_wrap=True)


def staff_roles() -> tuple[Role, ...]:
    """The staff roles, each with what it may do, read from the one table in models.roles."""
    from models.products import Role
    from models.roles import NEEDS, ROLES, WORDS

    out: list[Role] = []
    for below, role in zip((None, *ROLES), ROLES, strict=False):
        gains = [WORDS[action] for action, need in NEEDS.items() if need == role]
        meaning = (f"as {_a(below)}, and: {', '.join(gains)}" if below and gains else
                   "read only: every list, license and history")
        out.append(Role(role, meaning, billable=False))
    return tuple(out)


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


@dataclass(frozen=True)
class Loaded:
    rows: list[StaffRow]
    may_manage: bool
    role: str  # the acting person's role as the database has it
    refusal: str  # why someone else may not manage staff
    roles: tuple[Role, ...]


def _widths(total: int) -> tuple[int, int]:
    """Name and e-mail share what login, role and status leave (80 columns still fit)."""
    room = max(total - 46, 24)
    return room * 2 // 5, room - room * 2 // 5


class StaffScreen(BaseScreen):
    TITLE = "Staff"
    BINDINGS = [
        Binding("n", "add", "Add"),
        Binding("o", "role", "Role"),
        Binding("x", "disable", "Disable"),
        Binding("e", "enable", "Enable"),
        Binding("P", "app.profile", "Profile"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.rows: dict[str, StaffRow] = {}
        self._select: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="staff-note", markup=False)
        yield DataTable(id="staff", cursor_type="row", zebra_stripes=True)
        yield Static("", id="staff-message", markup=False)
        yield Static("Loading…", id="status", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#staff", DataTable)
        table.add_columns("Login", "Name", "E-mail", "Role", "Status")
        table.focus()
        self.query_one("#staff-message").display = False
        super().on_mount()

    # loading --------------------------------------------------------------------------------

    def load(self) -> None:
        me = _desk(self).staff
        if me is None:
            return

        def job(ctx: Ctx) -> Loaded:
            from models.roles import NEEDS, WORDS, allowed
            from models.staff import staff_rows

            rows = staff_rows(ctx)
            mine = next((r for r in rows if me.login and r.login == me.login), None)
            role, active = (mine.role, mine.active) if mine else (me.role, True)
            refusal = f"{WORDS['staff.manage']} needs the {NEEDS['staff.manage']} role"
            return Loaded(rows, active and allowed(role, "staff.manage"), role, refusal,
                          staff_roles())

        self.db(job, self._show, group="staff", exclusive=True)

    def on_screen_resume(self, _event: ScreenResume) -> None:
        if self.loaded is not None:  # back from a dialog or another screen: read again
            self.load()

    def _show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        table = self.query_one("#staff", DataTable)
        keep = self._select or self._current_login()
        self._select = None
        me = _desk(self).staff
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

    def palette_commands(self) -> Iterable[SystemCommand]:
        if self.loaded is not None and self.loaded.may_manage:
            yield SystemCommand("Add a staff member", "A login on this host, with a role",
                                self.action_add)

    # actions --------------------------------------------------------------------------------

    def _current_login(self) -> str | None:
        table = self.query_one("#staff", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _current(self) -> StaffRow | None:
        return self.rows.get(self._current_login() or "")

    def _change(self, job: Callable[[Ctx], StaffRef | Exception], done: str) -> None:
        """Run a staff change; a refusal is shown here, a success names what happened."""

        def then(result: StaffRef | Exception) -> None:
            if isinstance(result, Exception):
                self._message(str(result))
            else:
                self._message("")
                self.app.notify(clean(f"{result.login}: {done}"), markup=False)
                _desk(self).staff_changed(result)
            self.load()

        self.db(job, then, group="staff-change")

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

        me = _me(self)
        login = row.login

        def picked(role: str | None) -> None:
            if not role or (role == row.role and row.active):
                return

            def job(ctx: Ctx) -> StaffRef | Exception:
                from models.errors import DomainError
                from models.staff import set_role

                try:
                    return set_role(ctx, me, login, role)
                except DomainError as err:
                    return err

            self._change(job, f"now {role}" if row.active else f"enabled as {role}")

        who = login if row.active else f"{login} (disabled: a role gives access again)"
        self.app.push_screen(RolePicker(self.loaded.roles, row.role, who), picked)

    def action_disable(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.active:
            self._message(f"{row.login} is disabled already; e enables it")
            return
        from tui.screens.confirm import ConfirmScreen

        me = _me(self)
        login = row.login
        you = " That is you: this console loses its access at once." \
            if me.login == login else ""
        question = (f"Disable {login} ({row.name})? That login can no longer start "
                    f"licensedesk or act in it; its history stays.{you}")

        def go(yes: bool | None) -> None:
            if not yes:
                return

            def job(ctx: Ctx) -> StaffRef | Exception:
                from models.errors import DomainError
                from models.staff import disable

                try:
                    return disable(ctx, me, login)
                except DomainError as err:
                    return err

            self._change(job, "disabled")

        self.app.push_screen(ConfirmScreen("Disable a staff login", question, "Disable"), go)

    def action_enable(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.active:
            self._message(f"{row.login} is active already")
            return
        me = _me(self)
        login, role = row.login, row.role

        def job(ctx: Ctx) -> StaffRef | Exception:
            from models.errors import DomainError
            from models.staff import set_role

            try:
                return set_role(ctx, me, login, role)
            except DomainError as err:
                return err

        self._change(job, f"enabled as {role}")


class AddStaffDialog(DbWork, ModalScreen["StaffRef | None"]):
    """Login, e-mail, name and role; a refusal is shown in the form and nothing typed is lost."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Add")]

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
                yield Button("Add (ctrl+s)", id="add", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _who(self) -> str:
        return self.query_one("#login", Input).value

    def _meaning(self, role: str) -> str:
        return next((r.meaning for r in self.roles if r.name == role), "")

    def on_mount(self) -> None:
        app: Any = self.app
        for field in self.query(Input):
            field.cursor_blink = app.blink
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
        me = _me(self)
        login, email, name = (self.query_one(f"#{k}", Input).value.strip()
                              for k in ("login", "email", "name"))
        role = self.query_one(RoleChip).value

        def job(ctx: Ctx) -> StaffRef | Exception:
            from models.errors import DomainError
            from models.staff import add_staff

            try:
                return add_staff(ctx, me, login, email, name or None, role)
            except DomainError as err:  # shown in the form; what was typed stays
                return err

        self.db(job, self._added, group="add-staff")

    def _added(self, result: StaffRef | Exception) -> None:
        if isinstance(result, Exception):
            error = self.query_one("#error", Static)
            error.update(clean(str(result)))
            error.display = True
            return
        self.dismiss(result)


def _desk(node: DOMNode) -> LicenseDeskApp:
    """The console app, typed: these screens run only inside it."""
    return cast("LicenseDeskApp", node.app)


def _me(node: DOMNode) -> StaffRef:
    me = _desk(node).staff
    assert me is not None, "the Staff screen opens only once someone is signed in"
    return me
