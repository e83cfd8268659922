"""License detail, Users tab: accounts and invitations in one table, with marks to act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.cells import cell, status, when
from tui.marked import MarkedTable

if TYPE_CHECKING:
    from models.views import UserRow

# What `f` cycles through; None shows everyone.
FILTERS: tuple[str | None, ...] = (None, "pending", "overdue", "failed", "expired", "revoked",
                                   "active")


SHORT_ROLE = {"Administrator": "Admin"}
FIRST_CHUNK = 50  # rows shown before the first paint of a long list (a screenful)


def row_key(u: UserRow) -> str:
    return f"{'a' if u.kind == 'account' else 'i'}:{u.id}"


class UsersTable(MarkedTable["UserRow"]):
    """Space marks a row; the screen acts on the marked rows, or on the one under the cursor."""

    def on_mount(self) -> None:
        self.add_mark_column()
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
        self.keep((row_key(u), u) for u in users)
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
            self.add_row(self.mark_cell(key), cell(email, email_w), cell(role),
                         status(u.status), cell(by, 10 if narrow else 16),
                         cell(stamp(u.sent_at)), cell(u.times_sent or "-"),
                         cell(stamp(u.accepted_at)), key=key)
