"""Showing the desk's verdict on typed invitations, the same in both wizards: each row's
outcome, the "add me too" line, and the seat line.

Outcomes come in the order the rows were sent: the filled rows, then the staff member's own
invitation when "add me too" is ticked (the desk appends it).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from models.desk import ADMIN
from models.text import display
from models.views import InviteOutcome, InviteResult, StaffRef
from tui.widgets.invite_rows import InviteRows
from tui.widgets.wizard_seats import seat_change


def add_me_label(staff: StaffRef) -> Content:
    who = display(staff.name) or display(staff.email)
    return Content(f"Add me too ({who} <{display(staff.email)}>, as {ADMIN.name})")


def show_outcomes(rows: InviteRows, add_me: bool, mine: Static,
                  outcomes: Sequence[InviteOutcome]) -> None:
    """Mark each filled row with its outcome, and `mine` (the add-me line) with the staff
    member's own when it was refused (e.g. "already on this license")."""
    count = len(rows.filled())
    rows.mark(list(outcomes[:count]))
    own = outcomes[count] if add_me and len(outcomes) > count else None
    if own is None or own.ok:
        mine.update("")
        mine.add_class("-empty")
    else:
        mine.update(Text(f"✗ {display(own.message)}"))
        mine.remove_class("-empty")


def show_seats(line: Static, result: InviteResult, *, new_trial: bool = False) -> None:
    sentence, costs_more = seat_change(result, new_trial=new_trial)
    line.update(Text(sentence))
    line.set_class(costs_more, "-costs-more")
