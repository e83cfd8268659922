"""The e-mail + role rows editor shared by the invite wizard and the license wizard's last step.

A dumb editor: it holds rows, expands pasted lists into rows, and shows per-row outcomes it is
handed. Checking addresses against the database is the screen's job (in a worker).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import count
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from models.products import Role
from models.text import display
from models.views import InviteOutcome, InviteRequest
from tui.widgets.role_chip import RoleChip
from tui.widgets.wizard_fields import SafeInput

DEFAULT_ROLE = "Agent"
_LIST_SEPARATORS = re.compile(r"[,;\r\n]+")
_ANGLE = re.compile(r"<([^<>]*)>")
_ids = count(1)


def split_addresses(text: str) -> list[str]:
    """Addresses in a pasted list: one per line, or comma/semicolon separated.

    `Name <addr>` keeps the address; words without the brackets stay as typed, so a bad
    piece becomes a row marked invalid instead of vanishing.
    """
    found: list[str] = []
    for piece in _LIST_SEPARATORS.split(text):
        bracketed = _ANGLE.findall(piece)
        words = bracketed if bracketed else piece.split()
        found.extend(w.strip() for w in words if w.strip())
    return found


class EmailInput(SafeInput):
    """An address field: a pasted list becomes several rows, a typed `,` or `;` a new row.

    Keys already on their way here when a separator was typed belong to the next row: they
    are held, then handed to the field that took over, so fast typing loses nothing.
    """

    class ListPasted(Message):
        def __init__(self, field: EmailInput, addresses: list[str]) -> None:
            super().__init__()
            self.field = field
            self.addresses = addresses

    class Next(Message):
        """Enter, `,` or `;` typed: go to the next row; `finished` when this row was empty."""

        def __init__(self, field: EmailInput, finished: bool) -> None:
            super().__init__()
            self.field = field
            self.finished = finished

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[str] | None = None
        self._successor: EmailInput | None = None

    def hand_over(self, successor: EmailInput) -> None:
        """`successor` now takes what is typed after the separator."""
        held, self._held = self._held or [], None
        self._successor = successor
        for key in held:
            successor.feed(key)

    def feed(self, key: str) -> None:
        """One typed key (a character or "enter"), routed to where it belongs."""
        if self._held is not None:
            self._held.append(key)
        elif self._successor is not None:
            self._successor.feed(key)
        elif key == "enter" or key in ",;":
            finished = not self.value.strip()
            if not finished:
                self._held = []
            self.post_message(self.Next(self, finished))
        elif not (key.isspace() and not self.value):
            self.insert_text_at_cursor(key)

    def _on_focus(self, event: events.Focus) -> None:
        self._successor = None

    async def _on_key(self, event: events.Key) -> None:
        key = "enter" if event.key == "enter" else event.character
        if key is None or not (key == "enter" or event.is_printable):
            return
        if key == "enter" or key in ",;" or self._held is not None or self._successor:
            event.prevent_default()
            event.stop()
            self.feed(key)

    def _on_paste(self, event: events.Paste) -> None:
        addresses = split_addresses(event.text)
        if len(addresses) > 1 or _LIST_SEPARATORS.search(event.text.strip()):
            event.prevent_default()
            event.stop()
            self.post_message(self.ListPasted(self, [display(a) for a in addresses]))
        else:
            super()._on_paste(event)


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


class InviteRows(Vertical):
    """Rows of address + role. Posts `InviteRows.Changed` after every edit."""

    DEFAULT_CSS = """
    InviteRows { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+n", "add_row", "Add row"),
        Binding("ctrl+r", "remove_row", "Remove row"),
    ]

    class Changed(Message):
        def __init__(self, rows: InviteRows) -> None:
            super().__init__()
            self.rows = rows

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

    def compose(self) -> ComposeResult:
        yield InviteRow(self._roles)

    @property
    def rows(self) -> list[InviteRow]:
        return list(self.query_children(InviteRow))

    def filled(self) -> list[InviteRow]:
        return [r for r in self.rows if r.email]

    def requests(self) -> list[InviteRequest]:
        return [InviteRequest(r.email, r.role) for r in self.filled()]

    @property
    def typed(self) -> bool:
        return any(r.email for r in self.rows)

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
        row = InviteRow(self._roles, email, role)
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
        new = [InviteRow(self._roles, address, into.role) for address in rest]
        if new:
            await self.mount_all(new, after=into)
        last = new[-1] if new else into
        last.email_input.focus()
        self.call_after_refresh(last.scroll_visible, animate=False)
        self._changed()

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
        await row.remove()
        neighbour.email_input.focus()
        self._changed()
