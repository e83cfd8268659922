"""The keys of the wizards and their dialogs (license wizard, invite wizard, the rows editor,
organization form, role picker, confirmations), declared once; see `tui.commands.Command`.

Their BINDINGS are `bindings(place)`; the hint sentences and button labels that name a key
take it from here with `say_keys` and `first_key`, so a key changed here changes everywhere.
"""

from __future__ import annotations

import re

from tui.commands import Command, commands

_C = Command

LICENSE_WIZARD = (
    _C("next", "ctrl+s", "Continue", "the next step; on the last, create the license",
       where="license_wizard", priority=True, palette=False),
    _C("back", "ctrl+b", "Back", "the step before; everything typed stays",
       where="license_wizard", priority=True, palette=False),
    _C("cancel", "escape", "Cancel", "leave the wizard (asks first if anything was typed)",
       where="license_wizard", palette=False),
    _C("to_list", "down", "To the list", "from the search to the organizations found",
       where="license_wizard", show=False, palette=False),
)

INVITE_WIZARD = (
    _C("send", "ctrl+s", "Send", "send the invitations (none while a row is refused)",
       where="invite_wizard", priority=True, palette=False),
    _C("cancel", "escape", "Cancel", "close (asks first if an address was typed)",
       where="invite_wizard", palette=False),
    _C("import_file", "ctrl+o", "Import file", "rows from a CSV file (e-mail, role, name, "
       "language), each shown with its verdict", where="invite_wizard", priority=True,
       palette=False),
)

IMPORT_FILE = (
    _C("take", "enter", "Import", "check the file and put its rows in the wizard",
       where="import_file", builtin=True, palette=False),
    _C("cancel", "escape", "Cancel", "close; the rows in the wizard stay as they are",
       where="import_file", palette=False),
)

# The rows editor of both wizards. Enter is the address field's own key (listed, not bound).
INVITE_ROWS = (
    _C("next_row", "enter", "Next row", "the next address (on an empty last row: done)",
       where="invite_rows", builtin=True, palette=False),
    _C("step_field(1)", "tab", "Role", "the row's role (enter or space opens the picker), "
       "then the next row's address", where="invite_rows", show=False, palette=False),
    _C("step_field(-1)", "shift+tab", "Field before", "the role of the row above, from an "
       "address", where="invite_rows", show=False, palette=False),
    _C("step_row(1)", "down", "Row below", "the same field one row down", where="invite_rows",
       show=False, palette=False),
    _C("step_row(-1)", "up", "Row above", "the same field one row up", where="invite_rows",
       show=False, palette=False),
    _C("add_row", "ctrl+n", "Add row", "a new row below this one", where="invite_rows",
       palette=False),
    _C("remove_row", "ctrl+r", "Remove row", "remove this row", where="invite_rows",
       palette=False),
    _C("pick_language", "ctrl+g", "Language", "the row's language (the organization's "
       "unless chosen)", where="invite_rows", show=False, palette=False),
    _C("take_suggestion", "ctrl+t", "Take suggestion", "replace the row's address with the "
       "one suggested (did you mean …?)", where="invite_rows", show=False, palette=False),
)

DIALOGS = (
    _C("save", "ctrl+s", "Create", "create the organization", where="org_form",
       palette=False),
    _C("cancel", "escape", "Cancel", "close without creating", where="org_form",
       palette=False),
    _C("answer(True)", "y", "Yes", "do it", where="confirm", palette=False),
    _C("answer(False)", "n,escape", "No", "do not", where="confirm", palette=False),
    _C("cancel", "escape", "Cancel", "keep the role as it is", where="role_picker",
       palette=False),
    _C("pick", "enter,space", "Choose role", "pick from the roles, each with its meaning",
       where="role_chip", show=False, palette=False),
)

COMMANDS: tuple[Command, ...] = (*LICENSE_WIZARD, *INVITE_WIZARD, *INVITE_ROWS, *DIALOGS,
                                 *IMPORT_FILE)


def first_key(where: str, action: str) -> str:
    """The first declared key of a command as a person reads it, for a button: "y", "esc"."""
    found = next(c for c in commands(where) if c.action == action)
    return found.keys_shown.split("/")[0]


def say_keys(sentence: str, *places: str) -> str:
    """`sentence` with each `{action}` replaced by that command's declared keys (of `places`),
    upper case where a sentence starts: "… a list. {next_row}: next row · {add_row} add" →
    "… a list. Enter: next row · ctrl+n add"."""
    keys = {c.action: c.keys_shown for where in places for c in commands(where)}

    def key(match: re.Match[str]) -> str:
        shown = keys[match.group(1)]
        starts = match.start() == 0 or sentence[:match.start()].endswith(". ")
        return shown[:1].upper() + shown[1:] if starts else shown

    return re.sub(r"\{([^{}]+)\}", key, sentence)
