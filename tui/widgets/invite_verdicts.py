"""Showing the desk's verdict on typed invitations, the same in both wizards: each row's
outcome, the "add me too" line, and the seat line.

Outcomes come in the order the rows were sent: the filled rows, then the staff member's own
invitation when "add me too" is ticked (the desk appends it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from models.desk import ADMIN
from models.text import display
from models.views import InviteOutcome, InviteRequest, InviteResult, StaffRef
from tui.widgets.invite_rows import InviteRows
from tui.widgets.quiet import show
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
        show(mine, "")
        mine.add_class("-empty")
    else:
        show(mine, Text(f"✗ {display(own.message)}"))
        mine.remove_class("-empty")


CONFIRMABLE = ("typo", "outside")


def as_typed(requests: Sequence[InviteRequest]) -> list[tuple[str, str, str | None]]:
    """The rows as typed (address, role, language), whatever was confirmed on them: what a
    row's verdict was given for."""
    return [(r.email, r.role, r.language) for r in requests]


def ask_to_confirm(rows: InviteRows, outcomes: Sequence[InviteOutcome] | None,
                   then: Callable[[], None]) -> bool:
    """When the desk's verdicts on the rows as they are now (`outcomes`; None: not known)
    refuse some rows only for want of a confirmation (a typo suggestion not taken, an
    Administrator outside the client's domains) and nothing else: ask once, naming them; yes
    confirms those rows (the desk audits it) and runs `then` (the send again). False when
    there is nothing to ask, and the caller goes on."""
    from tui.screens.confirm import ConfirmScreen

    if outcomes is None:
        return False
    pairs = list(zip(rows.filled(), outcomes, strict=False))
    wanted = [(row, o) for row, o in pairs if o.result in CONFIRMABLE and not row.confirmed]
    others = [o for o in outcomes if not o.ok and o.result not in CONFIRMABLE]
    if not wanted or others:
        return False
    lines = []
    for _row, o in wanted[:5]:
        if o.result == "typo":
            lines.append(f"keep {display(o.email)} as typed (not {display(o.suggestion)})")
        else:
            lines.append(f"make {display(o.email)} an {ADMIN.name} outside the client's "
                         "domains")
    more = f", and {len(wanted) - 5} more" if len(wanted) > 5 else ""
    question = "; ".join(lines) + more + "? Your confirmation is written to the history."

    def answer(yes: bool | None) -> None:
        if yes:
            rows.confirm([row for row, _o in wanted])
            then()

    rows.app.push_screen(ConfirmScreen("Confirm before sending", question[:1].upper()
                                       + question[1:], "Confirm and send"), answer)
    return True


def show_seats(line: Static, result: InviteResult, *, new_trial: bool = False) -> None:
    sentence, costs_more = seat_change(result, new_trial=new_trial)
    show(line, Text(sentence))
    line.set_class(costs_more, "-costs-more")
