"""Every key of the console is declared once (`tui.commands`): no key twice in one place,
every Binding of every screen, dialog and widget built from the registry, and the README's
key table equal to it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import tui
from tests.tui.conftest import Data, settle
from tui.app import LicenseDeskApp
from tui.commands import Command, bindings, help_text, registry

README = Path(__file__).resolve().parents[2] / "README.md"


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(tui.__path__, "tui.")
                  if not m.name.startswith("tui.cli"))


def _classes_with_bindings() -> list[type[DOMNode]]:
    found: list[type[DOMNode]] = []
    for name in _modules():
        module = importlib.import_module(name)
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == name and issubclass(cls, DOMNode)
                    and "BINDINGS" in cls.__dict__):
                found.append(cls)
    return found


def _declared() -> list[Binding]:
    return [b for c in registry() if not c.builtin for b in c.bindings()]


def test_no_key_is_bound_twice_in_one_place() -> None:
    keys = Counter((c.where, key) for c in registry() for key in c.keys)
    assert [k for k, n in keys.items() if n > 1] == []


def test_a_screen_key_never_hides_a_console_key_with_another_action() -> None:
    from tui.screens.base import BaseScreen

    full_screens = {cls.PLACE for cls in _subclasses(BaseScreen)} - {""}
    everywhere = {key: c.action for c in registry() if c.where in ("console", "screens")
                  for key in c.keys}
    for c in registry():
        if c.where in full_screens:
            for key in c.keys:
                if key in everywhere:
                    assert c.action.removeprefix("app.") == everywhere[key], (c.where, key)


def _subclasses(cls: type) -> set[type]:
    _classes_with_bindings()  # every module imported
    found, todo = set(), [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_command_ids_are_unique() -> None:
    ids = Counter(c.id for c in registry())
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(isinstance(c, Command) for c in registry())


@pytest.mark.parametrize("cls", _classes_with_bindings(), ids=lambda c: c.__qualname__)
def test_every_binding_comes_from_the_registry(cls: type[DOMNode]) -> None:
    declared = _declared()
    for binding in cls.__dict__["BINDINGS"]:
        assert isinstance(binding, Binding), f"{cls.__qualname__}: {binding!r} is a tuple"
        assert binding in declared, f"{cls.__qualname__}: {binding} is not declared"


def test_the_app_and_screens_bind_their_places() -> None:
    from tui.app import LicenseDeskApp
    from tui.screens.base import BaseScreen
    from tui.screens.clients import ClientsScreen
    from tui.screens.license import LicenseScreen

    assert LicenseDeskApp.BINDINGS == bindings("console")
    assert BaseScreen.BINDINGS == bindings("screens")
    assert ClientsScreen.BINDINGS == bindings("clients")
    assert LicenseScreen.BINDINGS == bindings("license")


def test_the_help_lists_every_command() -> None:
    text = help_text()
    for c in registry():
        assert c.label in text, c.id


def _readme_rows() -> list[tuple[str, tuple[str, ...], str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Console keys", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("where", "---"):
            continue
        rows.append((cells[0], tuple(re.findall(r"`([^`]+)`", cells[1])), cells[2]))
    return rows


def test_the_readme_key_table_lists_exactly_the_registry() -> None:
    from tui.commands import _KEY_WORDS

    expected = [(c.where, tuple(_KEY_WORDS.get(k, k) for k in c.keys), c.label)
                for c in registry()]
    assert _readme_rows() == expected, \
        "README.md's key table differs from the registry: paste `python -m tui.commands`"


async def test_the_palette_offers_the_declared_commands_of_the_place(
        app: LicenseDeskApp, data: Data) -> None:
    from tui.screens.invite_wizard import InviteWizard
    from tui.screens.license import LicenseScreen

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Help", "Alerts", "Needs attention", "Clients", "New license", "Staff",
                "My profile", "New organization"} <= set(home)
        assert "Mailbox" not in home  # no catcher running here: the key says why
        app.open_license(data.acme_license)
        await settle(pilot)
        assert isinstance(app.screen, LicenseScreen)
        offered = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Invite users", "Send invitation reminder"} <= set(offered)
        assert "Resend" not in offered and "New organization" not in offered
        await offered["Invite users"].callback()
        await settle(pilot)
        assert isinstance(app.screen, InviteWizard)
