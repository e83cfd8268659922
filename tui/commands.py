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
    """One console command: `LicenseDeskApp.action_<action>`, bound to `key`."""

    action: str
    key: str
    title: str
    help: str

    def binding(self) -> Binding:
        return Binding(self.key, self.action, self.title, show=False, id=self.action)

    def help_line(self) -> str:
        return f"  {self.key:<8} {self.title}: {self.help}"


CONSOLE = (
    Command("staff", "S", "Staff", "who works here, their roles; leads add, change, disable"),
    Command("profile", "P", "My profile", "change your own name and e-mail"),
)


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
