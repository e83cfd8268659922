"""One row of the rows editor, as data: an address, its role, the invitee's language (None:
the organization's), and the desk's verdict, worded for the line under the row: a refusal,
"did you mean …?" with the key that takes the suggestion, or a mark when the address is
outside the client's domains.

A row is not a widget: `RowsView` draws the rows, `RowEditor` edits the one with the focus.
Eight widgets a row made a pasted list of fifty cost seconds to mount and lay out."""

from __future__ import annotations

import re

from models.text import display
from models.views import InviteOutcome
from tui.commands import key

DEFAULT_ROLE = "Agent"
# A control, line-break, bidi or invisible character pasted into an address, as the field
# shows it (`models.text.printable`): no one types a backslash into an address.
_ESCAPED = re.compile(r"\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}")


class InviteRow:
    """One address as typed, with its role, its own language (None: the organization's),
    whether it was confirmed as typed, and its outcome (None: not checked yet)."""

    def __init__(self, value: str = "", role: str = DEFAULT_ROLE,
                 language: str | None = None) -> None:
        self.value = value  # as typed; `email` is what is sent
        self.role = role
        self.language = language
        # The person confirmed the row as typed (a suggestion declined, an Administrator
        # outside the client's domains); an edit of the address forgets it.
        self.confirmed = False
        self.outcome: InviteOutcome | None = None
        self._seen = (value, role, language)

    def __repr__(self) -> str:
        return f"InviteRow({self.value!r}, {self.role!r}, {self.language!r})"

    @property
    def email(self) -> str:
        return self.value.strip()

    def note(self) -> bool:
        """Remember the row's content; False when it is what was seen last (no edit)."""
        now = (self.value, self.role, self.language)
        if now == self._seen:
            return False
        if self.value != self._seen[0]:
            self.confirmed = False
        self._seen = now
        return True

    @property
    def glyph(self) -> str:
        outcome = self.outcome
        return " " if outcome is None else ("✓" if outcome.ok else "✗")

    @property
    def message(self) -> str:
        """The line under the row: the refusal, a suggestion with its key, or "outside"."""
        outcome = self.outcome
        if outcome is None:
            return ""
        if outcome.result == "typo" and outcome.suggestion:
            return (f"✗ did you mean {display(outcome.suggestion)}? "
                    f"{key('invite_rows', 'take_suggestion')}: take it · "
                    "send: keep it as typed (asks)")
        if outcome.result == "outside":
            return f"✗ {display(outcome.message)}: sending asks first"
        if not outcome.ok:
            shown = _ESCAPED.search(self.value)
            if shown:
                return ("✗ contains a control, line-break, direction or invisible character "
                        f"(shown as {shown.group()}): type the address without it")
            return f"✗ {display(outcome.message)}"
        if outcome.outside:
            return "↗ outside the client's domains"
        return ""
