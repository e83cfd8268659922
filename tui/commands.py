"""Console commands declared once, and the palette's go-to search.

`CONSOLE` lists commands that work from every screen: each one's key binding, palette entry
and help line are built from its declaration (`LicenseDeskApp.BINDINGS`,
`get_system_commands`, the help screen). `GoToProvider` finds a client or a license by name
(looked up in SQL, in a thread).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.binding import Binding
from textual.command import Hit, Hits, Provider
from textual.content import Content

from tui.cells import clean


@dataclass(frozen=True)
class Command:
    """One command, declared once: its key binding, footer label, palette entry, help line
    and hint are all built from this.

    where: "console" (every screen, handled by the app) or the name of the place it works
    (a screen or wizard: "clients", "license", "users", "invite_wizard", …; see PLACES).
    key: Textual key names, comma-separated alternatives ("question_mark,f1").
    action: the `action_<action>` it runs (on the screen for a place, the app for console).
    """

    action: str
    key: str
    title: str
    help: str
    where: str = "console"
    show: bool = True        # in the footer
    palette: bool = True     # in the command palette
    priority: bool = False   # works while an Input has focus

    @property
    def id(self) -> str:
        return f"{self.where}.{self.action}"

    @property
    def keys_shown(self) -> str:
        """The keys as a person reads them: "?/f1", "ctrl+s"."""
        return "/".join(_KEY_WORDS.get(k, k) for k in self.key.split(","))

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.title, show=self.show, id=self.id,
                       priority=self.priority)

    def help_line(self) -> str:
        return f"  {self.keys_shown:<10} {self.title}: {self.help}"


_KEY_WORDS = {"question_mark": "?", "comma": ",", "semicolon": ";", "space": "space",
              "left_square_bracket": "[", "right_square_bracket": "]", "slash": "/"}


# Where each place's commands are declared; the registry is their concatenation, in order.
# Each module named here defines `COMMANDS: tuple[Command, ...]`.
DECLARATIONS = ("tui.commands", "tui.wizard_commands")

CONSOLE = (
    Command("staff", "S", "Staff", "who works here, their roles; leads add, change, disable",
            show=False),
    Command("profile", "P", "My profile", "change your own name and e-mail", show=False),
)

COMMANDS: tuple[Command, ...] = CONSOLE


def registry() -> tuple[Command, ...]:
    """Every command of the console, each once."""
    from importlib import import_module

    found: list[Command] = []
    for name in DECLARATIONS:
        found.extend(import_module(name).COMMANDS)
    return tuple(found)


def commands(where: str) -> tuple[Command, ...]:
    return tuple(c for c in registry() if c.where == where)


def bindings(where: str) -> list[Binding]:
    """The BINDINGS of a place (a screen or the app), built from the declarations."""
    return [c.binding() for c in commands(where)]


def hint(where: str, *actions: str) -> str:
    """A hint line from the declared keys: "ctrl+s send · esc cancel"."""
    found = {c.action: c for c in commands(where)}
    return " · ".join(f"{found[a].keys_shown} {found[a].title.lower()}" for a in actions)


def _lookup(ctx: Any, query: str) -> tuple[list[Any], list[Any]]:
    from models.queries import find_licenses, list_orgs

    # "license #12", "#12" and "12" all mean license 12 (or names holding "12").
    term = query.strip().lower().removeprefix("license").strip().lstrip("#").strip()
    if term.isdigit():
        return [], find_licenses(ctx, term, limit=8)
    orgs = list_orgs(ctx, query, 0, 8, with_total=False).rows
    return list(orgs), find_licenses(ctx, query, limit=8)


class GoToProvider(Provider):
    async def search(self, query: str) -> Hits:
        app: Any = self.app
        if app.ctx is None or len(query.strip()) < 2:
            return
        orgs, licenses = await asyncio.to_thread(_lookup, app.ctx, query)
        matcher = self.matcher(query)
        for org in orgs:
            text = clean(f"Client: {org.name} — {org.client_name} <{org.client_email}>")
            # Content from a plain string: a name holding [@click=…] stays text.
            yield Hit(max(matcher.match(text), 0.5), Content(text),
                      partial(app.open_org, org.id), text=text)
        for lic in licenses:
            text = clean(f"License #{lic.id}: {lic.organization} — {lic.product_label} "
                         f"({lic.status})")
            yield Hit(max(matcher.match(text), 0.4), Content(text),
                      partial(app.open_license, lic.id), text=text)
