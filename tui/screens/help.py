"""Help: the screens, and the keys that work on each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import CONSOLE

HELP = """\
licensedesk: licenses and invitations for partner support staff

Everywhere
  ? f1     this help
  ctrl+p   command palette: go to a client or license by name,
           invite, remind, switch theme
  escape   clear the filter, then go back
  a        Alerts (the unread count is always in the header)
  w        Needs attention       c   back to Clients
  M        Mailbox (local mail catcher)
  N        new license (wizard)  ctrl+q  quit
{console}

Clients
  /        filter as you type (organization, client, e-mail)
  enter    open the organization
  n        new organization      ] [  next / previous page

Organization
  enter    open the license      n   new license for this client

License: 1 Summary, 2 Users, 3 History (or left/right on the tabs)
  i        invite users
  m        send invitation reminder (asks first, says to how many)
  Users:   f filter by status    space  mark a row
           s resend the marked (or the current) invitations
           x revoke (asks first) o  change the role of an open one

Invite wizard (and the last step of a new license)
  enter , ;  next row           paste  a list becomes one row per address
  tab      to the row's role; enter or space opens the roles, with what each may do
  ctrl+n   add a row            ctrl+r  remove the row     ctrl+s  send

Alerts
  enter    open its license and mark it read
  r        mark read   R  all read   u  unread only

Needs attention (overdue and failed, oldest first)
  space    mark    s resend    m remind that license
  enter    open the license

Staff (everyone reads it; leads manage it)
  n        add a staff member    o  change the role (enables a disabled login)
  x        disable (asks first)  e  enable
  P        my profile: your own name and e-mail

Status is always a word: ○ pending  ◷ overdue  ● accepted/active
◌ expired  ✕ revoked  ✖ failed
""".replace("{console}", "\n".join(command.help_line() for command in CONSOLE))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(HELP, markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
