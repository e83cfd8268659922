"""Saying in words how an invitation changes what the license costs.

The figures are the desk's (`InviteResult` of a preview or a commit); this only words them.
"""

from __future__ import annotations

from models.views import InviteResult


def seat_change(result: InviteResult, *, new_trial: bool = False) -> tuple[str, bool]:
    """(sentence, raises_cost) for the seat line of both wizards. `new_trial`: the license
    is a trial about to be created, whose seats are only set once it is paid."""
    if new_trial:
        return (f"Trial: {result.billable_after} billable user(s) with these invitations (the "
                "client owner included); seats are set when it is paid", False)
    added = result.billable_after - result.billable_before
    users = f"billable users {result.billable_before} → {result.billable_after}"
    if added <= 0:
        return (f"Seats: {result.seats_before} · billable users {result.billable_before} "
                "(no change)", False)
    if result.seats_after > result.seats_before:
        more = result.seats_after - result.seats_before
        return (f"Seats: {result.seats_before} → {result.seats_after} (+{more}, the license "
                f"costs more) · {users}", True)
    return f"Seats: {result.seats_before} (unchanged, within the seats) · {users}", False
