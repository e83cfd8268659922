"""Console commands declared once, and the palette's go-to search.

Every key of the console is a `Command` in `COMMANDS` here (the wizards' in
`tui.wizard_commands`): where it works, its key, its footer label, its palette entry and its
help line. The app's and each screen's `BINDINGS` are `bindings(place)`, the palette is
`palette(place, node)`, the help screen is `help_text()`, and the README's key table is
checked against `registry()` by a test. `GoToProvider` finds a client or a license by name
(looked up in SQL through the desk, in a thread).
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Hit, Hits, Provider
from textual.content import Content

from tui.cells import STATUS_GLYPH, clean

if TYPE_CHECKING:
    from models.desk import Desk
    from models.views import LicenseRow, OrgRow
    from tui.app import LicenseDeskApp


@dataclass(frozen=True)
class Command:
    """One command, declared once: its key binding, footer label, palette entry, help line
    and hint are all built from this.

    where: "console" (every screen, handled by the app), "screens" (every full screen) or
    the name of the place it works (a screen, a dialog or a wizard: "clients", "license",
    "invite_wizard", …).
    key: Textual key names, comma-separated alternatives ("question_mark,f1"); the footer
    shows the first.
    action: the action it runs (`action_<name>` of the place's screen, or the app's for
    "console"), with arguments or an `app.` namespace where it needs them ("page(1)").
    name: the command's full name in the palette and the help (defaults to `title`, the
    footer's short label).
    builtin: a key Textual or a widget already handles (enter on a table, ctrl+p): listed in
    the help and the README, never bound again.
    """

    action: str
    key: str
    title: str
    help: str
    where: str = "console"
    show: bool = True        # in the footer
    palette: bool = True     # in the command palette
    priority: bool = False   # works while an Input has focus
    name: str = ""
    builtin: bool = False

    @property
    def id(self) -> str:
        return f"{self.where}.{self.action}"

    @property
    def label(self) -> str:
        """The full name: the palette's title and the help's."""
        return self.name or self.title

    @property
    def keys_shown(self) -> str:
        """The keys as a person reads them: "?/f1", "ctrl+s"."""
        return "/".join(_KEY_WORDS.get(k, k) for k in self.key.split(","))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.key.split(","))

    def bindings(self) -> list[Binding]:
        """Its key bindings: the first key as declared, the alternatives never in the footer
        (f1 beside ?: where an Input takes "?", the footer must not offer "f1 Help")."""
        first, *rest = self.keys
        made = [Binding(first, self.action, self.title, show=self.show, id=self.id,
                        priority=self.priority)]
        if rest:
            made.append(Binding(",".join(rest), self.action, self.title, show=False,
                                id=self.id, priority=self.priority))
        return made

    def help_line(self, width: int = 72) -> str:
        """"  ?/f1     Help: every key…", wrapped under the text at `width` columns."""
        return "\n".join(textwrap.wrap(
            f"{self.keys_shown:<8} {self.label}: {self.help}", width, initial_indent="  ",
            subsequent_indent=" " * 11, break_long_words=False))

    def palette_help(self) -> str:
        return self.help[:1].upper() + self.help[1:]


_KEY_WORDS = {"question_mark": "?", "comma": ",", "semicolon": ";", "space": "space",
              "left_square_bracket": "[", "right_square_bracket": "]", "slash": "/",
              "escape": "esc"}


# Where each place's commands are declared; the registry is their concatenation, in order.
# Each module named here defines `COMMANDS: tuple[Command, ...]`.
DECLARATIONS = ("tui.commands", "tui.wizard_commands")

# The places, in the order the help screen shows them, with their headings.
PLACES: dict[str, str] = {
    "console": "Everywhere",
    "screens": "Every screen",
    "clients": "Clients",
    "organization": "Organization",
    "license": "License: Summary, Users and History tabs",
    "invite_wizard": "Invite wizard",
    "invite_rows": "Invitation rows (the invite wizard, the last step of a new license)",
    "license_wizard": "License wizard",
    "alerts": "Alerts",
    "attention": "Needs attention (overdue and failed, oldest first)",
    "mailbox": "Mailbox (local mail catcher)",
    "staff": "Staff (everyone reads it; leads manage it)",
    "add_staff": "Add a staff member",
    "profile": "My profile",
    "org_form": "New organization",
    "role_chip": "A role (in a form or a row)",
    "role_picker": "Role picker",
    "link_dialog": "Link by hand",
    "domains_dialog": "Client domains",
    "export_dialog": "Export as…",
    "import_file": "Import a CSV file (invite wizard)",
    "confirm": "Questions (yes or no)",
    "identity": "First start",
    "help": "Help",
    "since": "Since you were last here (on start, when something changed)",
}

_C = Command

CONSOLE = (
    _C("help", "question_mark,f1", "Help", "every key, by where it works (this screen)"),
    _C("alerts", "a", "Alerts", "your notifications; the header counts the unread"),
    _C("attention", "w", "Needs attention", "overdue and failed invitations, oldest first",
       show=False),
    _C("clients", "c", "Clients", "back to all client organizations", show=False),
    _C("mailbox", "M", "Mailbox", "mails caught by the local catcher", show=False),
    _C("new_license", "N", "New license", "create a license (wizard)", show=False),
    _C("staff", "S", "Staff", "who works here, their roles; leads manage them",
       show=False),
    _C("profile", "P", "My profile", "change your own name and e-mail", show=False),
    _C("toggle_mouse", "f2", "Mouse", "mouse tracking on or off (LICENSEDESK_MOUSE); off, "
       "a plain drag selects text in the terminal", show=False, priority=True,
       name="Mouse on/off"),
    _C("command_palette", "ctrl+p", "Palette", "go to a client or license by name, invite, "
       "remind, switch theme", builtin=True, palette=False),
    _C("redraw", "ctrl+l", "Redraw", "paint the whole screen again (after a message from "
       "another program, such as wall, wrote over it); in dialogs too", show=False,
       priority=True, name="Redraw the screen"),
    _C("quit", "ctrl+q", "Quit", "leave licensedesk", builtin=True, palette=False),
)

SCREENS = (
    _C("back", "escape", "Back", "clear the filter, then go back", where="screens",
       palette=False),
    # Export: on the screens that show a list (tui.exporting gates them on the others).
    _C("export", "ctrl+e", "Export", "the list shown, all of it, to a CSV file under the "
       "exports directory (Clients, an organization's licenses, a license's Users and "
       "History, Needs attention, Alerts, Mailbox: the outbox)", where="screens", show=False,
       name="Export the list to CSV"),
    _C("export_as", "E", "Export as…", "the list shown, to a path and format you choose",
       where="screens", show=False),
)

CLIENTS = (
    _C("filter", "slash", "Filter", "filter as you type (organization, client, e-mail)",
       where="clients", palette=False),
    _C("new_org", "n", "New org", "name, client (the owner), data centre",
       where="clients", name="New organization"),
    _C("page(1)", "right_square_bracket", "Next page", "the next page of clients",
       where="clients", palette=False),
    _C("page(-1)", "left_square_bracket", "Prev page", "the previous page of clients",
       where="clients", show=False, palette=False),
    _C("select_cursor", "enter", "Open", "open the organization", where="clients",
       builtin=True, palette=False),
)

ORGANIZATION = (
    _C("new_license", "n", "New license", "for this client (wizard)", where="organization"),
    _C("domains", "d", "Domains", "the client's own mail domains: add, remove (an address "
       "outside them is marked; an Administrator there is confirmed)", where="organization",
       name="Client domains"),
    _C("language", "l", "Language", "the language of its invitees' mails and signup page "
       "(each invitation may choose its own)", where="organization",
       name="Invitees' language"),
    _C("select_cursor", "enter", "Open", "open the license", where="organization",
       builtin=True, palette=False),
)

LICENSE = (
    _C("invite", "i", "Invite", "to this license (wizard)", where="license",
       name="Invite users"),
    _C("remind", "m", "Remind", "to everyone not yet picked up (asks first, says to how "
       "many)", where="license", name="Send invitation reminder"),
    # Mark and Filter are spelled out on the Users tab's status line; the footer at 80
    # columns has room for the rest.
    _C("mark", "space", "Mark", "Users tab: mark a row", where="license", show=False,
       palette=False),
    _C("resend", "s", "Resend", "Users tab: send the marked (or the current) invitations "
       "again", where="license", palette=False),
    _C("revoke", "x", "Revoke", "Users tab: revoke the marked invitations (asks first)",
       where="license", palette=False),
    _C("role", "o", "Role", "Users tab: change the role of an open invitation",
       where="license", palette=False),
    _C("hand_over", "L", "Link by hand", "Users tab: a fresh link for an open invitation, "
       "shown and put on your clipboard; the earlier link stops working", where="license",
       show=False, palette=False),
    _C("filter", "f", "Filter", "Users tab: filter by status", where="license", show=False,
       palette=False),
    _C("auto_remind", "A", "Auto-remind", "turn automatic reminders (LICENSEDESK_AUTO_REMIND) "
       "on or off for this license", where="license", show=False,
       name="Automatic reminders on/off"),
    _C("tab('summary')", "1", "Summary", "the terms and the invitation counts",
       where="license", show=False, palette=False),
    _C("tab('users')", "2", "Users", "accounts and invitations", where="license",
       show=False, palette=False),
    _C("tab('history')", "3", "History", "the audit trail, newest first", where="license",
       show=False, palette=False),
)

ALERTS = (
    _C("mark_read", "r", "Mark read", "mark the alert read", where="alerts", palette=False),
    _C("mark_all_read", "R", "All read", "mark every alert read", where="alerts",
       name="Mark all alerts read"),
    _C("toggle_unread", "u", "Unread only", "show only unread alerts, or all",
       where="alerts", palette=False),
    _C("select_cursor", "enter", "Open", "open its license and mark it read",
       where="alerts", builtin=True, palette=False),
)

ATTENTION = (
    _C("mark", "space", "Mark", "mark a row", where="attention", palette=False),
    _C("resend", "s", "Resend", "send the marked (or the current) invitations again",
       where="attention", palette=False),
    _C("remind", "m", "Remind license", "remind everyone on that license (asks first)",
       where="attention", palette=False),
    _C("hand_over", "L", "Link by hand", "a fresh link for the invitation, shown and put on "
       "your clipboard; the earlier link stops working", where="attention", show=False,
       palette=False),
    # The age chart's bars as filters (the bars' words follow the overdue and expiry settings).
    _C("age(1)", "1", "Newest", "filter by the first age bar: open invitations not yet "
       "overdue (sent under 48 hours ago)", where="attention", show=False, name="Age: newest"),
    _C("age(2)", "2", "Overdue", "filter by the second bar: open invitations overdue, not yet "
       "expired (48 hours to 7 days)", where="attention", show=False, name="Age: overdue"),
    _C("age(3)", "3", "Oldest", "filter by the third bar: open invitations past the expiry "
       "(over 7 days)", where="attention", show=False, name="Age: oldest"),
    _C("age(0)", "0", "All ages", "no age filter: back to the overdue and failed",
       where="attention", show=False, name="Age: all"),
    _C("select_cursor", "enter", "Open", "open the license", where="attention",
       builtin=True, palette=False),
)

MAILBOX = (
    _C("select_cursor", "enter", "Read", "read the mail", where="mailbox", builtin=True,
       palette=False),
)

STAFF = (
    _C("add", "n", "Add", "a login on this host, with a role", where="staff",
       name="Add a staff member"),
    _C("role", "o", "Role", "change the role (enables a disabled login)", where="staff",
       palette=False),
    _C("disable", "x", "Disable", "disable the login (asks first)", where="staff",
       palette=False),
    _C("enable", "e", "Enable", "enable a disabled login", where="staff", palette=False),
    _C("app.profile", "P", "Profile", "your own name and e-mail", where="staff",
       palette=False),
)

DIALOGS = (
    _C("cancel", "escape", "Cancel", "close without adding", where="add_staff",
       palette=False),
    _C("save", "ctrl+s", "Add", "add the staff member", where="add_staff", palette=False),
    _C("cancel", "escape", "Cancel", "close without saving", where="profile", palette=False),
    _C("save", "ctrl+s", "Save", "save your name and e-mail", where="profile",
       palette=False),
    _C("quit", "ctrl+q", "Quit", "leave without registering", where="identity",
       palette=False),
    _C("close", "escape,q,question_mark,f1", "Close", "close the help", where="help",
       palette=False),
    _C("remove", "delete,x", "Remove", "remove the highlighted domain", where="domains_dialog",
       palette=False),
    _C("close", "escape", "Close", "close the domains", where="domains_dialog",
       palette=False),
    _C("copy", "c", "Copy again", "put the link on your clipboard again (OSC 52)",
       where="link_dialog", palette=False),
    _C("close", "escape,enter", "Close", "close; the link is not kept anywhere",
       where="link_dialog", palette=False),
)

SINCE = (
    _C("select_cursor", "enter", "Open", "open the license's Users tab", where="since",
       builtin=True, palette=False),
    _C("resend", "s", "Resend", "send a failed (or overdue, expired) invitation again",
       where="since", palette=False),
)

EXPORT_DIALOG = (
    _C("save", "ctrl+s", "Write", "write the file (enter in the path does too)",
       where="export_dialog", priority=True, palette=False),
    _C("cancel", "escape", "Cancel", "close without writing", where="export_dialog",
       palette=False),
)

COMMANDS: tuple[Command, ...] = (*CONSOLE, *SCREENS, *CLIENTS, *ORGANIZATION, *LICENSE,
                                 *ALERTS, *ATTENTION, *MAILBOX, *STAFF, *DIALOGS, *SINCE,
                                 *EXPORT_DIALOG)


def registry() -> tuple[Command, ...]:
    """Every command of the console, each once."""
    from importlib import import_module

    found: list[Command] = []
    for name in DECLARATIONS:
        found.extend(import_module(name).COMMANDS)
    return tuple(found)


def commands(where: str) -> tuple[Command, ...]:
    return tuple(c for c in registry() if c.where == where)


def bindings(where: str) -> list[BindingType]:
    """The BINDINGS of a place (a screen or the app), built from the declarations."""
    return [b for c in commands(where) if not c.builtin for b in c.bindings()]


def key(where: str, action: str) -> str:
    """The first key of a declared command as a person reads it, for a sentence or a button
    that names it ("n makes one", "Save (ctrl+s)")."""
    found = next(c for c in commands(where) if c.action == action)
    return _KEY_WORDS.get(found.keys[0], found.keys[0])


def hint(where: str, *actions: str) -> str:
    """A hint line from the declared keys: "ctrl+s send · esc cancel"."""
    found = {c.action: c for c in commands(where)}
    return " · ".join(f"{found[a].keys_shown} {found[a].title.lower()}" for a in actions)


def palette(where: str, node: Any) -> Iterator[SystemCommand]:
    """The palette entries of a place: each command declared for it, in the palette, that
    `node` (its screen, or the app) allows now (`check_action`); run on `node`."""
    for c in commands(where):
        if c.palette and not c.builtin and node.check_action(c.action, ()):
            yield SystemCommand(c.label, c.palette_help(), partial(node.run_action, c.action))


def help_text() -> str:
    """The help screen: every place's commands from the registry, and the status legend."""
    by_place: dict[str, list[Command]] = {}
    for c in registry():
        by_place.setdefault(c.where, []).append(c)
    order = [*PLACES, *(w for w in by_place if w not in PLACES)]
    parts = ["licensedesk: licenses and invitations for partner support staff"]
    for where in order:
        if where not in by_place:
            continue
        heading = PLACES.get(where, where.replace("_", " ").capitalize())
        parts.append("\n" + heading + "\n" + "\n".join(c.help_line() for c in by_place[where]))
    parts.append("\nStatus is always a word, never a colour alone:\n  " + "  ".join(
        f"{glyph} {word}" for word, glyph in LEGEND))
    return "\n".join(parts) + "\n"


def readme_table() -> str:
    """The README's key table (`python -m tui.commands` prints it); a test keeps them equal."""
    rows = ["| where | keys | command | what it does |", "|---|---|---|---|"]
    for c in registry():
        keys = " ".join(f"`{_KEY_WORDS.get(k, k)}`" for k in c.keys)
        rows.append(f"| {c.where} | {keys} | {c.label} | {c.help} |")
    return "\n".join(rows)


LEGEND = tuple((word, STATUS_GLYPH[word.partition("/")[0]]) for word in (
    "pending", "overdue", "accepted/active", "expired", "revoked", "failed"))


def _lookup(desk: Desk, query: str) -> tuple[list[OrgRow], list[LicenseRow]]:
    # "license #12", "#12" and "12" all mean license 12 (or names holding "12").
    term = query.strip().lower().removeprefix("license").strip().lstrip("#").strip()
    if term.isdigit():
        return [], desk.find_licenses(term, limit=8)
    orgs = desk.clients(query, 0, 8, with_total=False).rows
    return list(orgs), desk.find_licenses(query, limit=8)


class GoToProvider(Provider):
    async def search(self, query: str) -> Hits:
        app = cast("LicenseDeskApp", self.app)
        desk = app.desk
        if desk is None or len(query.strip()) < 2:
            return
        orgs, licenses = await asyncio.to_thread(_lookup, desk, query)
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


if __name__ == "__main__":
    print(readme_table())
