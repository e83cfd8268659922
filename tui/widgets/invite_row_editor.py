"""The row with the focus, in real widgets: its address field, role chip and language chip,
the role's meaning and the verdict below. There is one per rows editor; moving between rows
shows another row in it (`show`), the rest are drawn by `RowsView` in the same columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from tui.widgets.email_input import EmailInput
from tui.widgets.invite_row import InviteRow
from tui.widgets.invite_rows_view import PLACEHOLDER, Columns
from tui.widgets.quiet import show
from tui.widgets.role_chip import LanguageChip, RoleChip

if TYPE_CHECKING:
    from tui.widgets.invite_rows import InviteRows


class RowEditor(Vertical):
    """Tab goes address → role → the next row's address (shift+tab back); up and down go to
    the row above or below, in the same field."""

    DEFAULT_CSS = """
    RowEditor { height: auto; }
    RowEditor > .invite-row-line { height: 1; }
    RowEditor .invite-row-glyph { width: 2; }
    RowEditor EmailInput { width: 24; }
    RowEditor RoleChip { margin-left: 1; }
    RowEditor LanguageChip { margin-left: 1; }
    RowEditor .invite-row-meaning {
        width: 1fr; padding: 0 0 0 2; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    RowEditor .invite-row-message { padding-left: 2; height: auto; }
    RowEditor .invite-row-message.-empty { display: none; }
    """
    def __init__(self, owner: InviteRows, who: Callable[[], str]) -> None:
        super().__init__(classes="invite-row")
        self._owner = owner
        self._who = who
        self.row = InviteRow()
        self._columns: Columns | None = None
        self.email_input = EmailInput("", placeholder=PLACEHOLDER, classes="invite-row-email",
                                      select_on_focus=False, compact=True)
        self.role_chip = RoleChip((), "", who=who, classes="invite-row-role")
        self.lang_chip = LanguageChip((), "", who=who, classes="invite-row-lang")
        self.glyph = Static(" ", classes="invite-row-glyph", markup=False)
        self.meaning = Static("", classes="invite-row-meaning", markup=False)
        self.message = Static("", classes="invite-row-message -empty", markup=False)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="invite-row-line"):
            yield self.glyph
            yield self.email_input
            yield self.role_chip
            yield self.lang_chip
            yield self.meaning
        yield self.message

    def lay_out(self, columns: Columns) -> None:
        """The address as wide as `RowsView` draws it, so the rows line up."""
        if columns != self._columns:
            self._columns = columns
            self.email_input.styles.width = columns.email
            self.lang_chip.display = columns.languages

    def show(self, row: InviteRow, meaning: str, language: str | None) -> None:
        """Edit `row` (the address, cursor at its end) and show its role, language, verdict."""
        self.row = row
        field = self.email_input
        if field.value != row.value:
            with field.prevent(Input.Changed):
                field.value = row.value
        field.cursor_position = len(row.value)
        field.scroll_to(x=0, animate=False)
        self.show_role(meaning, language)
        self.show_mark()

    def show_role(self, meaning: str, language: str | None) -> None:
        self.role_chip.set(self.role_chip.roles, self.row.role)
        if language is not None:
            self.lang_chip.set(self.lang_chip.roles, language)
        show(self.meaning, Text(meaning))

    def show_mark(self) -> None:
        row, glyph = self.row, self.glyph
        state = "" if row.outcome is None else ("-ok" if row.outcome.ok else "-problem")
        glyph.set_class(state == "-ok", "-ok")
        glyph.set_class(state == "-problem", "-problem")
        show(glyph, Text(row.glyph))
        said = row.message
        show(self.message, Text(said))
        self.message.set_class(not said, "-empty")

    def parts(self) -> dict[str, str]:
        """What is shown for the row, part by part, as plain text (what a test reads)."""
        return {
            "glyph": str(self.glyph.content),
            "address": self.email_input.value,
            "role": str(self.role_chip.content),
            "lang": str(self.lang_chip.content) if self.lang_chip.display else "",
            "meaning": str(self.meaning.content),
            "message": str(self.message.content),
        }

    def action_step_field(self, delta: int) -> None:
        on_role = self.role_chip.has_focus
        if delta > 0 and not on_role:
            self.role_chip.focus()
        elif delta < 0 and on_role:
            self.email_input.focus()
        elif not self._owner.step(delta, "email" if delta > 0 else "role"):
            if delta > 0:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()

    def action_step_row(self, delta: int) -> None:
        self._owner.step(delta, "role" if self.role_chip.has_focus else "email")
