"""The e-mail + role rows editor shared by the invite wizard and the license wizard's last step.

A dumb editor: it holds rows (`invite_row`), expands pasted lists into rows (`email_input`),
and shows the per-row outcomes it is handed. The verdicts are the desk's, asked by the wizard
in a worker; nothing here words a rule.

Three widgets whatever the number of rows: the rows above the focused one drawn line by
line (`RowsView`), the focused row in real widgets (`RowEditor`), the rows below it drawn.
Moving between rows shows another row in the editor; a paste of hundreds appends to a list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from models.views import InviteOutcome, InviteRequest
from tui.commands import bindings
from tui.widgets.email_input import EmailInput
from tui.widgets.invite_row import DEFAULT_ROLE, InviteRow
from tui.widgets.invite_row_editor import RowEditor
from tui.widgets.invite_rows_view import RowsView, columns
from tui.widgets.role_chip import RoleChip

if TYPE_CHECKING:
    from models.desk import Role  # annotations only: the desk is not loaded to draw

__all__ = ["InviteRow", "InviteRows"]


def languages() -> tuple[Role, ...]:
    """The invitees' languages for a language chip: `Role`s named by code, meaning the
    language's own name (the desk's list; nothing is read from the database)."""
    from models.desk import Desk
    from models.products import Role

    return tuple(Role(code, name, billable=False) for code, name in Desk.languages().items())


class InviteRows(Vertical):
    """Rows of address + role. Posts `InviteRows.Changed` after every edit."""

    DEFAULT_CSS = """
    InviteRows { height: auto; }
    """

    BINDINGS = bindings("invite_rows")

    class Changed(Message):
        def __init__(self, rows: InviteRows, pasted: bool = False) -> None:
            super().__init__()
            self.rows = rows
            self.pasted = pasted  # a whole list at once: no more typing to wait for

        @property
        def control(self) -> InviteRows:
            return self.rows

    class Finished(Message):
        """Enter on an empty last row: the person is done typing."""

        def __init__(self, rows: InviteRows) -> None:
            super().__init__()
            self.rows = rows

        @property
        def control(self) -> InviteRows:
            return self.rows

    def __init__(self, roles: Sequence[Role] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._roles = tuple(roles)
        self._languages = languages()
        self._default_language = self._languages[0].name
        self._rows = [InviteRow(role=self._role_for(None))]
        self._at = 0  # the row in the editor
        self.editor = RowEditor(self, who=lambda: self.current.email)
        self._above = RowsView(self._meaning, self._language_shown, id="invite-rows-above")
        self._below = RowsView(self._meaning, self._language_shown, id="invite-rows-below")

    def compose(self) -> ComposeResult:
        yield self._above
        yield self.editor
        yield self._below

    def on_mount(self) -> None:
        self.editor.role_chip.set(self._roles, self.current.role)
        self.editor.lang_chip.set(self._languages, self._default_language)
        self._show()

    def on_resize(self) -> None:
        self.editor.lay_out(columns(self.size.width, bool(self._languages)))

    # the rows ---------------------------------------------------------------------------------

    @property
    def current(self) -> InviteRow:
        """The row the editor shows (the focused one, when the focus is in the rows)."""
        return self._rows[self._at]

    @property
    def rows(self) -> list[InviteRow]:
        self._pull()
        return list(self._rows)

    def filled(self) -> list[InviteRow]:
        return [r for r in self.rows if r.email]

    def requests(self) -> list[InviteRequest]:
        return [InviteRequest(r.email, r.role, r.language, r.confirmed) for r in self.filled()]

    @property
    def typed(self) -> bool:
        return any(r.email for r in self.rows)

    def parts(self, row: InviteRow) -> dict[str, str]:
        """What is shown for `row`, part by part, as plain text: the editor's widgets for the
        focused row, else what `RowsView` draws."""
        if row is self.current:
            return self.editor.parts()
        return (self._above if row in self._above.rows else self._below).parts(row)

    def _role_for(self, role: str | None) -> str:
        names = [r.name for r in self._roles]
        if role in names:
            return role
        return DEFAULT_ROLE if DEFAULT_ROLE in names or not names else names[0]

    def _meaning(self, row: InviteRow) -> str:
        # One line per row (a pasted list stays a screenful); the picker has it in full.
        return next((r.meaning for r in self._roles if r.name == row.role), "")

    def _language_shown(self, row: InviteRow) -> str | None:
        if not self._languages:
            return None
        return row.language or self._default_language

    def _pull(self) -> None:
        """The address being typed into its row (the field is ahead of its Changed)."""
        if self.editor.is_mounted:
            self.current.value = self.editor.email_input.value

    def _show(self, views: bool = True) -> None:
        """The current row in the editor; with `views`, the others drawn above and below."""
        row = self.current
        self.editor.show(row, self._meaning(row), self._language_shown(row))
        if views:
            self._above.show(self._rows[:self._at])
            self._below.show(self._rows[self._at + 1:])

    def _redraw(self) -> None:
        self._above.show(self._above.rows)
        self._below.show(self._below.rows)
        self.editor.show_mark()

    def _leave(self) -> None:
        """Before the editor shows another row: an edit not yet announced is announced."""
        self._pull()
        row = self.current
        if row.note():
            row.outcome = None
            self._changed()

    def _edit(self, index: int, field: str = "email") -> None:
        """Show row `index` in the editor and focus its `field` ("email" or "role")."""
        if index != self._at:
            self._leave()
            self._at = index
            self._show()
        (self.editor.role_chip if field == "role" else self.editor.email_input).focus()
        self.call_after_refresh(self.editor.scroll_visible, animate=False)

    def edit(self, row: InviteRow | None = None, field: str = "email") -> None:
        """Focus `row`'s address (or role); None: the current row."""
        self._edit(self._rows.index(row) if row is not None else self._at, field)

    def step(self, delta: int, field: str) -> bool:
        """To the row `delta` away, in `field`; False when there is none."""
        index = self._at + delta
        if not 0 <= index < len(self._rows):
            return False
        self._edit(index, field)
        return True

    # what others set ---------------------------------------------------------------------------

    def set_default_language(self, code: str) -> None:
        """The organization's language: every row shows it unless the row chose its own."""
        self._default_language = code
        self._show()

    def confirm(self, rows: Sequence[InviteRow]) -> None:
        """The person confirmed these rows as typed (no Changed: the send that follows asks
        the desk with them)."""
        for row in rows:
            row.confirmed = True

    def set_roles(self, roles: Sequence[Role]) -> None:
        """Another product's roles; each row's role stays if the product has it."""
        self._roles = tuple(roles)
        for row in self._rows:
            row.role = self._role_for(row.role)
        self.editor.role_chip.set(self._roles, self.current.role)
        self._show()

    def mark(self, outcomes: Sequence[InviteOutcome]) -> None:
        """Outcomes in the order of `filled()`; rows past the end, and empty rows, are cleared."""
        given = dict(zip(self.filled(), outcomes, strict=False))
        changed = False
        for row in self._rows:
            outcome = given.get(row)
            if outcome != row.outcome:
                row.outcome = outcome
                changed = True
        if changed:
            self._redraw()
            if self.editor.has_focus_within:
                # A verdict line that appeared (here or above) must not push the row being
                # typed out of sight (found by attack: after a paste of thirty).
                self.call_after_refresh(self.editor.scroll_visible, animate=False)

    def clear_marks(self) -> None:
        self.mark(())

    # editing -----------------------------------------------------------------------------------

    def _insert(self, rows: Sequence[InviteRow], after: int) -> None:
        self._rows[after + 1:after + 1] = rows

    async def add_row(self, email: str = "", role: str | None = None,
                      after: InviteRow | None = None, focus: bool = True) -> InviteRow:
        row = InviteRow(email, self._role_for(role))
        self._pull()
        index = self._rows.index(after) if after in self._rows else len(self._rows) - 1
        self._insert([row], index)
        if index < self._at:
            self._at += 1
        if focus:
            self._edit(index + 1)
        self._show()
        self._changed()
        return row

    async def replace_rows(self, requests: Sequence[InviteRequest]) -> None:
        """Every row replaced by `requests` (a file imported), each with its role and
        language: one Changed, so the rows are checked once."""
        self._rows = [InviteRow(r.email, self._role_for(r.role), r.language)
                      for r in requests] or [InviteRow(role=self._role_for(None))]
        self._at = len(self._rows) - 1
        self._show()
        self._edit(self._at)
        self._changed()

    async def add_addresses(self, addresses: Sequence[str], into: InviteRow) -> None:
        """A list into rows: the first into `into` if it is empty, the rest in new rows after
        it, each with its role."""
        rest = list(addresses)
        if not rest:
            return
        self._pull()
        if not into.email:
            into.value = rest.pop(0)
            into.note()  # announced below, with the rest
        index = self._rows.index(into)
        self._insert([InviteRow(address, into.role) for address in rest], index)
        self._at = index + len(rest)
        self._show()
        self._edit(self._at)
        self.post_message(self.Changed(self, pasted=True))

    def _changed(self) -> None:
        self.post_message(self.Changed(self))

    @on(EmailInput.ListPasted)
    async def _pasted(self, event: EmailInput.ListPasted) -> None:
        event.stop()
        # Text already in the field stays: the pasted list goes after it.
        await self.add_addresses(event.addresses, into=self.current)

    @on(Input.Changed, ".invite-row-email")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._pull()
        row = self.current
        if not row.note():
            return  # a row shown in the editor, or an edit announced already
        row.outcome = None
        self._redraw()
        self._changed()

    @on(EmailInput.Next)
    def _next(self, event: EmailInput.Next) -> None:
        event.stop()
        if event.finished:
            self.post_message(self.Finished(self))
            return
        self._pull()
        row = self.current
        index = self._at + 1
        if index >= len(self._rows) or self._rows[index].email:
            self._insert([InviteRow(role=row.role)], self._at)
            self._edit(index)
            self._changed()
        else:
            self._edit(index)
        event.field.hand_over(self.editor.email_input)

    @on(RoleChip.Changed, ".invite-row-role")
    @on(RoleChip.Changed, ".invite-row-lang")
    def _role_changed(self, event: RoleChip.Changed) -> None:
        event.stop()
        row = self.current
        if event.chip is self.editor.lang_chip:
            row.language = None if event.value == self._default_language else event.value
        else:
            row.role = event.value
        self.editor.show_role(self._meaning(row), self._language_shown(row))
        self._pull()
        if row.note():
            self._changed()

    @on(RowsView.Clicked)
    def _clicked(self, event: RowsView.Clicked) -> None:
        event.stop()
        self._edit(self._rows.index(event.row), "role" if event.part == "role" else "email")
        if event.part == "role":
            self.editor.role_chip.action_pick()
        elif event.part == "lang":
            self.editor.lang_chip.action_pick()

    def _focused_row(self) -> InviteRow | None:
        return self.current if self.editor.has_focus_within else None

    # the keys ----------------------------------------------------------------------------------

    def action_step_field(self, delta: int) -> None:
        self.editor.action_step_field(delta)

    def action_step_row(self, delta: int) -> None:
        self.editor.action_step_row(delta)

    def action_pick_language(self) -> None:
        if self._focused_row() is not None:
            self.editor.lang_chip.action_pick()

    def action_take_suggestion(self) -> None:
        """The focused row's "did you mean …?" (else the first row that has one) replaces its
        address; the edit re-checks the rows."""
        focused = self._focused_row()
        rows = [focused] if focused is not None else []
        rows += [r for r in self.rows if r is not focused]
        for row in rows:
            outcome = row.outcome
            if outcome is not None and outcome.suggestion and not outcome.ok:
                self.edit(row)
                field = self.editor.email_input
                field.value = outcome.suggestion
                field.cursor_position = len(field.value)
                return
        self.app.bell()

    async def action_add_row(self) -> None:
        current = self._focused_row()
        await self.add_row(role=current.role if current else None, after=current)

    async def action_remove_row(self) -> None:
        row = self._focused_row()
        if row is None:
            return
        if len(self._rows) == 1:
            self.editor.email_input.value = ""
            self.mark(())
            self.edit(row)
            return
        self._rows.remove(row)
        self._at = min(self._at, len(self._rows) - 1)
        self._show()
        self._edit(self._at)
        self._changed()
        # Done once the rows are laid out again, the neighbour in view.
        shown: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def laid_out() -> None:
            if not shown.done():
                shown.set_result(None)

        self.call_after_refresh(laid_out)
        await shown
