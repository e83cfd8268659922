"""The keys of the wizards and their dialogs (license wizard, invite wizard, organization
form, role picker, confirmations), declared once; see `tui.commands.Command`."""

from __future__ import annotations

from tui.commands import Command

COMMANDS: tuple[Command, ...] = ()
