"""License detail, Users tab: accounts and invitations in one table, with marks to act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from tui.cells import cell, status, when

if TYPE_CHECKING:
    from models.views import UserRow

# What `f` cycles through; None shows everyone.
FILTERS: tuple[str | None, ...] = (None, "pending", "overdue", "failed", "expired", "revoked",
                                   "active")


SHORT_ROLE = {"Administrator": "Admin"}
FIRST_CHUNK = 50  # rows shown before the first paint of a long list (a screenful)


def row_key(u: UserRow) -> str:
    return f"{'a' if u.kind == 'account' else 'i'}:{u.id}"


class UsersTable(DataTable[object]):
    """Space marks a row; the screen acts on the marked rows, or on the one under the cursor."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.rows_by_key: dict[str, UserRow] = {}
        self.marked: set[str] = set()
        self.add_column("✓", key="mark")
        self.add_columns("E-mail", "Role", "Status", "Invited by", "Last sent", "Sent",
                         "Accepted")

    def show(self, users: list[UserRow]) -> None:
        """Fill the table; past the first screenful, the rest follows after that paints."""
        self.generation = getattr(self, "generation", 0) + 1
        current = self.current_key()
        width = max(self.app.size.width, 60)  # the terminal, known before layout
        # Below 100 columns: short roles and dates, so every column fits in 80.
        narrow = width < 100
        email_w = max(width - (63 if narrow else 84), 16)
        stamp = (lambda t: t.strftime("%d %b") if t else "-") if narrow else when
        self.clear()
        self.rows_by_key = {row_key(u): u for u in users}
        self.marked &= set(self.rows_by_key)
        at = list(self.rows_by_key).index(current) if current in self.rows_by_key else 0
        first = max(FIRST_CHUNK, at + 1)
        self._add(users[:first], email_w, narrow, stamp)
        if current in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(current))
        if len(users) > first:
            generation = self.generation

            def rest() -> None:
                if generation == self.generation:  # not replaced by a newer load meanwhile
                    self._add(users[first:], email_w, narrow, stamp)

            # After the first screenful has painted (on a screen still opening that takes
            # longer than the query did), and a moment more for the frame to go out.
            self.call_after_refresh(lambda: self.set_timer(0.05, rest))

    def _add(self, users: list[UserRow], email_w: int, narrow: bool, stamp: Any) -> None:
        for u in users:
            key = row_key(u)
            email = u.email if not u.name else f"{u.name} <{u.email}>"
            role = SHORT_ROLE.get(u.role, u.role) if narrow else u.role
            # Narrow: who invited, by the part of their address that tells staff apart.
            by = u.invited_by.partition("@")[0] if narrow else u.invited_by
            self.add_row(self._mark(key), cell(email, email_w), cell(role),
                         status(u.status), cell(by, 10 if narrow else 16),
                         cell(stamp(u.sent_at)), cell(u.times_sent or "-"),
                         cell(stamp(u.accepted_at)), key=key)

    def _mark(self, key: str) -> Text:
        return Text("✓" if key in self.marked else " ", style="bold")

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:
            return None

    def current(self) -> UserRow | None:
        key = self.current_key()
        return self.rows_by_key.get(key) if key else None

    def toggle_mark(self) -> None:
        key = self.current_key()
        if key is None:
            return
        self.marked ^= {key}
        self.update_cell(key, "mark", self._mark(key))
        if self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    def chosen(self) -> list[UserRow]:
        """The marked rows, or the row under the cursor when none is marked."""
        if self.marked:
            return [self.rows_by_key[k] for k in self.rows_by_key if k in self.marked]
        row = self.current()
        return [row] if row else []
