"""The console's App: navigation on the messages the screens post (`tui.messages`).

Its bases hold the rest: `tui.startup` the start-up (identity, first-start demo, "since you
were last here"); `tui.services` the mail relay, the signup page and the saved theme;
`tui.status` the header's status (unread alerts, the database away) and the one place worker
errors end up; `tui.typeahead` hands typed keys over in order. The keys are declared in
`tui.commands`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, SystemCommand
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen

from tui.commands import bindings, palette
from tui.messages import (
    AlertsChanged,
    InviteUsers,
    MailQueued,
    NewLicense,
    OpenLicense,
    OpenOrganization,
    StaffChanged,
    WorkFailed,
)
from tui.prefs import cursor_blink
from tui.shadow import Shadow, paint_changes
from tui.startup import StartupApp
from tui.status import DATABASE_DOWN
from tui.terminal import TerminalApp
from tui.typeahead import TypeaheadApp

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import RenderableType
    from textual.command import Provider
    from textual.timer import Timer

    from models.context import Ctx
    from models.desk import Desk
    from models.views import StaffRef

__all__ = ["DATABASE_DOWN", "LicenseDeskApp"]

def _go_to_provider() -> type[Provider]:
    """Textual imports the palette's providers when the palette first opens, not at start."""
    from tui.commands import GoToProvider

    return GoToProvider


class LicenseDeskApp(TypeaheadApp[int], TerminalApp, StartupApp):
    CSS_PATH = "app.tcss"
    TITLE = "licensedesk"
    COMMANDS = App.COMMANDS | {_go_to_provider}
    BINDINGS = bindings("console")

    ready: reactive[bool] = reactive(False, init=False)

    def __init__(self, ctx: Ctx | None = None, staff: StaffRef | None = None, *,
                 start_mail: bool = True, serve_signup: bool = False,
                 poll: float = 1.0) -> None:
        # mono.tcss (NO_COLOR's emphasis, `tui.mono`) matches nothing with colour on: not
        # parsed, nor tried on every widget, then.
        super().__init__(css_path=["app.tcss", "mono.tcss"] if "NO_COLOR" in os.environ
                         else None)
        self.ctx: Ctx | None = ctx
        self.staff: StaffRef | None = staff
        self.start_mail = start_mail
        self.serve_signup = serve_signup
        self.signup: Any = None
        self.poll = poll
        self.blink = cursor_blink()  # the setting, read once: text fields follow it
        if os.environ.get("SSH_CONNECTION") and "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"  # over SSH a slide is frames of bytes; set it to have it
        self.mail: Any = None
        self._saved_theme: str | None = None
        self._boot_started = False
        self._boot_timer: Timer | None = None
        self._desk: Desk | None = None
        self._identity = ("", "")  # what the first-start form was given, to give it back
        self.shadow = Shadow()  # what the terminal shows: repaints write only what changed

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        if not paint_changes(self, self.shadow, renderable):
            super()._display(screen, renderable)

    def action_redraw(self) -> None:
        self.shadow.forget()
        self.screen.refresh()

    @on(Driver.SignalResume)
    def _back_from_suspend(self) -> None:
        self.shadow.forget()  # the shell wrote over the screen meanwhile

    @property
    def desk(self) -> Desk | None:
        """The door into the domain for this console's staff member; None while starting."""
        if self.ctx is None or self.staff is None:
            return None
        desk = self._desk
        if desk is None or desk.staff != self.staff or desk.ctx is not self.ctx:
            from models.desk import Desk

            desk = self._desk = Desk(self.ctx, self.staff)
        return desk

    # messages from the screens -----------------------------------------------------------

    @on(OpenOrganization)
    def _open_organization(self, message: OpenOrganization) -> None:
        self.open_org(message.org_id)

    @on(OpenLicense)
    def _open_license(self, message: OpenLicense) -> None:
        self.open_license(message.license_id, message.tab)

    @on(NewLicense)
    def _new_license(self, message: NewLicense) -> None:
        self.action_new_license(message.organization_id)

    @on(InviteUsers)
    def _invite_users(self, message: InviteUsers) -> None:
        self.invite_users(message.license_id)

    @on(MailQueued)
    def _mail_queued(self) -> None:
        self.kick_mail()

    @on(AlertsChanged)
    def _alerts_changed(self) -> None:
        self.refresh_unread()

    @on(StaffChanged)
    def _staff_changed(self, message: StaffChanged) -> None:
        self.staff_changed(message.staff)

    @on(WorkFailed)
    def on_work_failed(self, message: WorkFailed) -> None:
        if message.group == "identity" and message.node is self:
            # The first-start form comes back with what was typed, the reason in a toast.
            self.worker_failed(message.error)
            self._ask_identity(*self._identity)
            return
        self.worker_failed(message.error)

    def get_default_screen(self) -> Screen[Any]:
        from tui.screens.clients import ClientsScreen

        return ClientsScreen()

    # navigation -----------------------------------------------------------------------------

    def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _push_unique(self, screen_type: type[Screen[Any]], make: Any) -> None:
        if isinstance(self.screen, screen_type):
            return
        self.push_screen(make())

    def action_clients(self) -> None:
        self.go_home()

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from tui.palette import QuietPalette

        if self.use_command_palette and not any(isinstance(s, CommandPalette)
                                                for s in self.screen_stack):
            self.push_screen(QuietPalette(id="--command-palette"))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self._push_unique(HelpScreen, HelpScreen)

    def action_alerts(self) -> None:
        from tui.screens.alerts import AlertsScreen

        self._push_unique(AlertsScreen, AlertsScreen)

    def action_attention(self) -> None:
        from tui.screens.attention import AttentionScreen

        self._push_unique(AttentionScreen, AttentionScreen)

    def action_mailbox(self) -> None:
        from tui.screens.mailbox import MailboxScreen

        if not self.mailbox_available():
            self.notify("No mailbox here: mail goes to the configured SMTP relay, "
                        "not the local catcher.", markup=False)
            return
        self._push_unique(MailboxScreen, MailboxScreen)

    def action_staff(self) -> None:
        from tui.screens.staff import StaffScreen

        self._push_unique(StaffScreen, StaffScreen)

    def action_profile(self) -> None:
        from tui.screens.profile import ProfileDialog

        if self.staff is not None and not isinstance(self.screen, ProfileDialog):
            self.push_screen(ProfileDialog(self.staff), self.staff_changed)

    def staff_changed(self, me: StaffRef | None) -> None:
        """This console's own staff record as the domain returned it after a change (its
        profile, or its role): later actions and audit rows carry the new values."""
        if me is not None and self.staff is not None and me.id == self.staff.id:
            self.staff = me
            self.show_sub_title()

    def open_org(self, org_id: int) -> None:
        from tui.screens.organization import OrganizationScreen

        self.push_screen(OrganizationScreen(org_id))

    def open_license(self, license_id: int, tab: str = "summary") -> None:
        from tui.screens.license import LicenseScreen

        self.push_screen(LicenseScreen(license_id, tab))

    def action_new_license(self, organization_id: int | None = None) -> None:
        if self.desk is None:
            return
        from tui.screens.license_wizard import LicenseWizard

        def created(license_id: int | None) -> None:
            if license_id:
                self.kick_mail()
                self.open_license(license_id, "summary")

        self.push_screen(LicenseWizard(organization_id), created)

    def invite_users(self, license_id: int, then: Any = None) -> None:
        """Open the invite wizard; `then(result)` runs after invitations were sent."""
        if self.desk is None:
            return
        from tui.screens.invite_wizard import InviteWizard

        def done(result: Any) -> None:
            if result is not None:
                self.kick_mail()
                n = len(result.invited)
                self.notify(f"Invited {n} {'person' if n == 1 else 'people'}", markup=False)
            if then is not None:
                then(result)

        self.push_screen(InviteWizard(license_id), done)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette("console", _Palette(self))
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()


class _Palette:
    """The app as the palette sees it: the mailbox is offered only where the catcher runs
    (its key still answers elsewhere, saying why there is none)."""

    def __init__(self, app: LicenseDeskApp) -> None:
        self.app = app

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        return action != "mailbox" or self.app.catcher_socket is not None

    def run_action(self, action: str) -> Any:
        return self.app.run_action(action)

