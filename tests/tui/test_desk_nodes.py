"""DeskNode is mixed in after the Textual class: first, it would take the place of `Screen`,
`ModalScreen` or the widget class in the CSS type names (Textual follows the first base), and
every stylesheet rule for those would silently stop applying."""

from __future__ import annotations

import importlib
import pkgutil

import tui
from tui.work import DeskNode


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_desk_node_keeps_its_textual_css_names() -> None:
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        if not info.name.startswith("tui.cli"):
            importlib.import_module(info.name)
    nodes = _all_subclasses(DeskNode)
    assert len(nodes) >= 10  # the screens, dialogs and wizard steps were found
    wrong = sorted(c.__qualname__ for c in nodes
                   if "DeskNode" in c._css_type_names
                   and c.__module__ not in ("tui.actions", "tui.exporting", "tui.auto_remind"))
    assert wrong == [], f"DeskNode listed first in the bases of {wrong}"
