"""A form field with its own error line, and marking a form's fields with the desk's verdicts.

The messages come from `DomainError.fields` (field name → problem); a field's widget id is
`field-<name>`, the name the desk uses, so a form never words a rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Static

from models.text import display
from tui.widgets.quiet import show

__all__ = ["Field", "mark_fields"]


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
        show(line, Text(f"✗ {display(message)}") if message else "")
        line.set_class(not message, "-empty")
        # The red border of an invalid field; a compact input has none, and gaining one would
        # make a small dialog taller than the screen.
        compact = self._widget.has_class("-textual-compact")
        self.set_class(bool(message) and not compact, "-invalid")

    def focus_value(self) -> None:
        self._widget.focus()


def mark_fields(form: Widget, problems: Mapping[str, str], names: Iterable[str]) -> bool:
    """Each `#field-<name>` of `form` shows its problem, or none; the first shown bad field
    takes the focus (the person fixes it where they typed). True when one was bad."""
    first: Field | None = None
    for name in names:
        field = form.query_one(f"#field-{name}", Field)
        message = problems.get(name, "")
        field.error(message)
        if message and first is None and field.display:
            first = field
    if first is not None:
        first.focus_value()
    return first is not None
