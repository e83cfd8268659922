"""A link by hand: the fresh signup link of one invitation, for staff to hand over another way
(phone, chat) when the mail does not arrive or a link scanner used it up.

The link is shown as plain text, to select, and put on the staff member's own clipboard
through the terminal (OSC 52: `App.copy_to_clipboard` writes ``ESC ] 52 ; c ; <base64> BEL``),
which works over SSH and in tmux with ``set-clipboard on``. The link is never logged, never
in a toast, and not kept once the dialog closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.cells import clean
from tui.commands import bindings, hint

if TYPE_CHECKING:
    from models.views import InvitationRow

PLACE = "link_dialog"

CLIPBOARD = ("Copied to your clipboard through the terminal (OSC 52). A terminal without "
             "OSC 52, or tmux without `set-clipboard on`, leaves it empty: select the link "
             "above by hand.")


class LinkDialog(ModalScreen[None]):
    BINDINGS = bindings(PLACE)

    def __init__(self, link: str, invitation: InvitationRow) -> None:
        super().__init__()
        self.link = link
        self.invitation = invitation

    def compose(self) -> ComposeResult:
        inv = self.invitation
        with Vertical(id="dialog", classes="link"):
            yield Label("Link by hand", classes="dialog-title")
            # Names and addresses are untrusted: plain text, never markup.
            yield Static(clean(f"For {inv.email} as {inv.role} at {inv.organization} "
                               f"({inv.product}); valid until "
                               f"{inv.expires_at:%d %b %Y %H:%M} UTC. The earlier link no "
                               "longer works; no mail was sent."), markup=False)
            yield Static(self.link, id="link", markup=False)
            yield Static(CLIPBOARD, id="clipboard", classes="hint", markup=False)
            yield Static(hint(PLACE, "copy", "close"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.action_copy()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.link)

    def action_close(self) -> None:
        self.dismiss(None)
