"""The e-mail + role rows editor shared by the invite wizard and the license wizard's last step.

A dumb editor: it holds rows (`invite_row`), expands pasted lists into rows (`email_input`),
and shows the per-row outcomes it is handed. The verdicts are the desk's, asked by the wizard
in a worker; nothing here words a rule.
"""

from __future__ import annotations

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
from tui.widgets.invite_row import InviteRow
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

    def compose(self) -> ComposeResult:
        yield self._row()

    def _row(self, email: str = "", role: str | None = None) -> InviteRow:
        return InviteRow(self._roles, email, role, self._languages, self._default_language)

    @property
    def rows(self) -> list[InviteRow]:
        return [r for r in self.query_children(InviteRow) if not r.leaving]

    def filled(self) -> list[InviteRow]:
        return [r for r in self.rows if r.email]

    def requests(self) -> list[InviteRequest]:
        return [InviteRequest(r.email, r.role, r.language, r.confirmed) for r in self.filled()]

    @property
    def typed(self) -> bool:
        return any(r.email for r in self.rows)

    def set_default_language(self, code: str) -> None:
        """The organization's language: every row shows it unless the row chose its own."""
        self._default_language = code
        for row in self.rows:
            row.set_languages(self._languages, code)

    def confirm(self, rows: Sequence[InviteRow]) -> None:
        """The person confirmed these rows as typed (no Changed: the send that follows asks
        the desk with them)."""
        for row in rows:
            row.confirmed = True

    def action_pick_language(self) -> None:
        row = self._focused_row()
        if row is not None:
            row.query_one(".invite-row-lang", RoleChip).action_pick()

    def action_take_suggestion(self) -> None:
        """The focused row's "did you mean …?" (else the first row that has one) replaces its
        address; the edit re-checks the rows."""
        focused = self._focused_row()
        rows = [focused] if focused is not None else []
        rows += [r for r in self.rows if r is not focused]
        for row in rows:
            outcome = row.outcome
            if outcome is not None and outcome.suggestion and not outcome.ok:
                field = row.email_input
                field.value = outcome.suggestion
                field.cursor_position = len(field.value)
                field.focus()
                return
        self.app.bell()

    def set_roles(self, roles: Sequence[Role]) -> None:
        self._roles = tuple(roles)
        for row in self.rows:
            row.set_roles(roles)

    def mark(self, outcomes: Sequence[InviteOutcome]) -> None:
        """Outcomes in the order of `filled()`; rows past the end, and empty rows, are cleared."""
        given = dict(zip(self.filled(), outcomes, strict=False))
        for row in self.rows:
            row.mark(given.get(row))

    def clear_marks(self) -> None:
        for row in self.rows:
            row.mark(None)

    async def add_row(self, email: str = "", role: str | None = None,
                      after: InviteRow | None = None, focus: bool = True) -> InviteRow:
        row = self._row(email, role)
        if after is not None and after in self.rows:
            await self.mount(row, after=after)
        else:
            await self.mount(row)
        if focus:
            row.email_input.focus()
        # The scroll area may still be growing: bring the new row into view once laid out.
        self.call_after_refresh(row.scroll_visible, animate=False)
        self._changed()
        return row

    async def replace_rows(self, requests: Sequence[InviteRequest]) -> None:
        """Every row replaced by `requests` (a file imported), each with its role and
        language: one mount, one Changed, so the rows are checked once."""
        new = [InviteRow(self._roles, r.email, r.role, self._languages,
                         self._default_language, r.language) for r in requests]
        for row in self.rows:
            row.leaving = True
        await self.remove_children(InviteRow)
        await self.mount_all(new or [self._row()])
        self.rows[-1].email_input.focus()
        self._changed()

    async def add_addresses(self, addresses: Sequence[str], into: InviteRow) -> None:
        """A list into rows: the first into `into` if it is empty, the rest in new rows after it.

        All new rows are mounted at once: a paste of hundreds stays one layout pass.
        """
        rest = list(addresses)
        if not rest:
            return
        if not into.email:
            field = into.email_input
            with field.prevent(Input.Changed):
                field.value = rest.pop(0)
                field.cursor_position = len(field.value)
        new = [self._row(address, into.role) for address in rest]
        if new:
            await self.mount_all(new, after=into)
        last = new[-1] if new else into
        last.email_input.focus()
        self.call_after_refresh(last.scroll_visible, animate=False)
        self.post_message(self.Changed(self, pasted=True))

    def _row_of(self, widget: object) -> InviteRow | None:
        node = getattr(widget, "parent", None)
        while node is not None and not isinstance(node, InviteRow):
            node = node.parent
        return node

    def _changed(self) -> None:
        self.post_message(self.Changed(self))

    @on(EmailInput.ListPasted)
    async def _pasted(self, event: EmailInput.ListPasted) -> None:
        event.stop()
        row = self._row_of(event.field)
        if row is not None:
            # Text already in the field stays: the pasted list goes after it.
            await self.add_addresses(event.addresses, into=row)

    @on(Input.Changed, ".invite-row-email")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        row = self._row_of(event.input)
        if row is None or not row.note(event.value, row.role):
            return  # a new row announcing the value it was made with: not an edit
        row.mark(None)
        self._changed()

    @on(EmailInput.Next)
    async def _next(self, event: EmailInput.Next) -> None:
        event.stop()
        row = self._row_of(event.field)
        if row is None:
            return
        if event.finished:
            self.post_message(self.Finished(self))
            return
        rows = self.rows
        index = rows.index(row)
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following is None or following.email:
            following = await self.add_row(role=row.role, after=row)
        following.email_input.focus()
        event.field.hand_over(following.email_input)

    @on(RoleChip.Changed, ".invite-row-role")
    @on(RoleChip.Changed, ".invite-row-lang")
    def _role_changed(self, event: RoleChip.Changed) -> None:
        event.stop()
        row = self._row_of(event.chip)
        if row is not None and row.note(row.email_input.value, row.role):
            self._changed()

    def _focused_row(self) -> InviteRow | None:
        return self._row_of(self.screen.focused) if self.screen.focused else None

    async def action_add_row(self) -> None:
        current = self._focused_row()
        await self.add_row(role=current.role if current else None, after=current)

    async def action_remove_row(self) -> None:
        row = self._focused_row()
        rows = self.rows
        if row is None:
            return
        if len(rows) == 1:
            row.email_input.value = ""
            row.mark(None)
            row.email_input.focus()
            return
        index = rows.index(row)
        neighbour = rows[index + 1] if index + 1 < len(rows) else rows[index - 1]
        row.leaving = True
        await row.remove()
        neighbour.email_input.focus()
        self._changed()
