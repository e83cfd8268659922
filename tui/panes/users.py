"""License detail, Users tab: accounts and invitations in one table, with marks to act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.cells import cell, status, when
from tui.fit import Abbrev, Col
from tui.marked import MarkedTable

if TYPE_CHECKING:
    from datetime import datetime

    from models.views import UserRow

# What `f` cycles through; None shows everyone.
FILTERS: tuple[str | None, ...] = (None, "pending", "overdue", "failed", "expired", "revoked",
                                   "active")


SHORT_ROLE = {"Administrator": "Admin"}
FIRST_CHUNK = 50  # rows shown before the first paint of a long list (a screenful)

# As the window narrows the columns give way in this order: the send count, the acceptance
# date (Status says accepted), the inviter, the role, the last sending, the address (the
# dates, roles and inviters in their short forms first, then cut); Status, what this tab is
# read for, stays.
COLUMNS = (Col("E-mail", keep=6, least=16), Col("Role", keep=4, least=6), Col("Status", keep=7),
           Col("Invited by", keep=3, least=10), Col("Last sent", keep=5, least=9),
           Col("Sent", keep=1), Col("Accepted", keep=2, least=8))


def role_cell(role: str) -> Abbrev:
    return Abbrev(cell(role), cell(SHORT_ROLE.get(role, role)))


def stamp_cell(value: datetime | None) -> Abbrev:
    return Abbrev(cell(when(value)), cell(value.strftime("%d %b") if value else "-"))


def inviter_cell(address: str) -> Abbrev:
    """Short: the part of the address that tells staff apart."""
    return Abbrev(cell(address), cell(address.partition("@")[0]))


def row_key(u: UserRow) -> str:
    return f"{'a' if u.kind == 'account' else 'i'}:{u.id}"


class UsersTable(MarkedTable["UserRow"]):
    """Space marks a row; the screen acts on the marked rows, or on the one under the cursor."""

    def on_mount(self) -> None:
        self.add_mark_column()
        self.add_fit_columns(*COLUMNS)

    def show(self, users: list[UserRow]) -> None:
        """Fill the table; past the first screenful, the rest follows after that paints."""
        self.generation = getattr(self, "generation", 0) + 1
        current = self.current_key()
        self.clear()
        self.keep((row_key(u), u) for u in users)
        at = list(self.rows_by_key).index(current) if current in self.rows_by_key else 0
        first = max(FIRST_CHUNK, at + 1)
        self._add(users[:first])
        if current in self.rows_by_key:
            self.move_cursor(row=self.get_row_index(current))
        if len(users) > first:
            generation = self.generation

            def rest() -> None:
                if generation == self.generation:  # not replaced by a newer load meanwhile
                    self._add(users[first:])

            # After the first screenful has painted (on a screen still opening that takes
            # longer than the query did), and a moment more for the frame to go out.
            self.call_after_refresh(lambda: self.set_timer(0.05, rest))

    def _add(self, users: list[UserRow]) -> None:
        for u in users:
            key = row_key(u)
            email = u.email if not u.name else f"{u.name} <{u.email}>"
            self.add_row(self.mark_cell(key), cell(email), role_cell(u.role),
                         status(u.status), inviter_cell(u.invited_by),
                         stamp_cell(u.sent_at), cell(u.times_sent or "-"),
                         stamp_cell(u.accepted_at), key=key)
