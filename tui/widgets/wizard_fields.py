"""Small pieces the wizards share: a field with its own error line, and local row checks."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Static

from models.products import Product
from models.text import InvalidAddress, display, normalize_email
from models.views import InviteOutcome, InviteRequest
from tui.widgets.safe_input import SafeInput

__all__ = ["Field", "SafeInput", "check_rows"]


class Field(Vertical):
    """A label, one input-like widget, and the message for a bad value right under it."""

    DEFAULT_CSS = """
    Field { height: auto; margin-bottom: 1; }
    Field > .field-error { height: auto; }
    Field > .field-error.-empty { display: none; }
    """

    def __init__(self, label: str, widget: Widget, *, id: str | None = None,
                 classes: str = "") -> None:
        super().__init__(id=id, classes=f"wizard-field {classes}".strip())
        self._label = label
        self._widget = widget

    def compose(self) -> ComposeResult:
        yield Label(Text(self._label))
        yield self._widget
        yield Static("", classes="field-error -empty", markup=False)

    def error(self, message: str) -> None:
        """Show `message` (empty clears it)."""
        line = self.query_one(".field-error", Static)
        line.update(Text(f"✗ {display(message)}") if message else "")
        line.set_class(not message, "-empty")
        self.set_class(bool(message), "-invalid")


def check_rows(
    prod: Product, rows: Sequence[InviteRequest], members: dict[str, str],
) -> list[InviteOutcome]:
    """What can be known about rows for a license not yet created: the address, the role,
    duplicates, and people who will be on it anyway (`members`: folded address → who).

    The authoritative check runs in the service when the license is created.
    """
    seen: set[str] = set()
    outcomes: list[InviteOutcome] = []
    for row in rows:
        role = prod.role(row.role)
        try:
            email, key = normalize_email(row.email)
        except InvalidAddress as err:
            outcomes.append(InviteOutcome(row.email, row.role, "invalid", str(err)))
            continue
        if role is None:
            outcomes.append(InviteOutcome(email, row.role, "role",
                                          f"{prod.label} has no role {row.role!r}"))
        elif key in seen:
            outcomes.append(InviteOutcome(email, role.name, "duplicate",
                                          f"{email} is listed twice"))
        elif key in members:
            outcomes.append(InviteOutcome(email, role.name, "member", members[key]))
        else:
            outcomes.append(InviteOutcome(email, role.name, "invited",
                                          f"{email} will be invited as {role.name}"))
        seen.add(key)
    return outcomes
