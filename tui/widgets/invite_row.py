"""One row of the rows editor: an address, its role (with the role's meaning beside it), and
the desk's verdict on it below."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from models.text import display
from models.views import InviteOutcome
from tui.widgets.email_input import EmailInput
from tui.widgets.role_chip import RoleChip

if TYPE_CHECKING:
    from models.desk import Role  # annotations only: the desk is not loaded to draw

DEFAULT_ROLE = "Agent"
_ids = count(1)


class InviteRow(Vertical):
    """One address with its role, the role's meaning beside it, and its outcome below."""

    DEFAULT_CSS = """
    InviteRow { height: auto; }
    InviteRow > .invite-row-line { height: 1; }
    InviteRow .invite-row-glyph { width: 2; }
    InviteRow EmailInput { width: 2fr; min-width: 24; max-width: 44; }
    InviteRow RoleChip { margin-left: 1; }
    InviteRow .invite-row-meaning {
        width: 3fr; padding: 0 0 0 2; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    InviteRow .invite-row-message { padding-left: 2; height: auto; }
    InviteRow .invite-row-message.-empty { display: none; }
    """

    def __init__(self, roles: Sequence[Role], email: str = "", role: str | None = None) -> None:
        super().__init__(id=f"invite-row-{next(_ids)}", classes="invite-row")
        self._roles = tuple(roles)
        self._email = email
        self._role = role or DEFAULT_ROLE
        self.outcome: InviteOutcome | None = None
        self._seen = (email, self._initial_role())

    def note(self, email: str, role: str) -> bool:
        """Remember the row's content; False when it is what was seen last (no edit)."""
        if (email, role) == self._seen:
            return False
        self._seen = (email, role)
        return True

    def compose(self) -> ComposeResult:
        with Horizontal(classes="invite-row-line"):
            yield Static(" ", classes="invite-row-glyph", markup=False)
            yield EmailInput(self._email, placeholder="name@example.com",
                             classes="invite-row-email", select_on_focus=False, compact=True)
            yield RoleChip(self._roles, self._initial_role(), who=lambda: self.email,
                           classes="invite-row-role")
            yield Static("", classes="invite-row-meaning", markup=False)
        yield Static("", classes="invite-row-message -empty", markup=False)

    def on_mount(self) -> None:
        self._show_meaning()

    def _initial_role(self) -> str:
        names = [r.name for r in self._roles]
        if self._role in names:
            return self._role
        return DEFAULT_ROLE if DEFAULT_ROLE in names else (names[0] if names else "")

    @property
    def email_input(self) -> EmailInput:
        return self.query_one(EmailInput)

    @property
    def role_chip(self) -> RoleChip:
        return self.query_one(RoleChip)

    @property
    def email(self) -> str:
        return self.email_input.value.strip() if self.is_mounted else self._email.strip()

    @property
    def role(self) -> str:
        if not self.is_mounted:
            return self._initial_role()
        return self.role_chip.value

    def set_roles(self, roles: Sequence[Role]) -> None:
        """Another product's roles; the chosen role stays if the product has it."""
        keep = self.role
        self._roles = tuple(roles)
        self._role = keep
        if self.is_mounted:
            self.role_chip.set(self._roles, self._initial_role())
            self._show_meaning()

    @on(RoleChip.Changed)
    def _show_meaning(self) -> None:
        meaning = next((r.meaning for r in self._roles if r.name == self.role), "")
        # One line per row (a pasted list stays a screenful); the picker has it in full.
        self.query_one(".invite-row-meaning", Static).update(Text(meaning))

    def mark(self, outcome: InviteOutcome | None) -> None:
        """Show what will happen (or happened) to this row; None clears the mark.

        Only what changed is touched: a class change restyles, and a paste marks hundreds.
        """
        if outcome == self.outcome:
            return
        before = self.outcome
        self.outcome = outcome
        state = "" if outcome is None else ("-ok" if outcome.ok else "-problem")
        was = "" if before is None else ("-ok" if before.ok else "-problem")
        glyph = self.query_one(".invite-row-glyph", Static)
        message = self.query_one(".invite-row-message", Static)
        if state != was:
            glyph.remove_class("-ok", "-problem")
            if state:
                glyph.add_class(state)
            glyph.update(Text({"": " ", "-ok": "✓", "-problem": "✗"}[state]))
        if state == "-problem":
            assert outcome is not None
            message.update(Text(f"✗ {display(outcome.message)}"))
        if (state == "-problem") != (was == "-problem"):
            if state != "-problem":
                message.update("")
            message.set_class(state != "-problem", "-empty")
