"""The console's App: start-up, and navigation on the messages the screens post
(`tui.messages`).

Its bases hold the rest: `tui.status` the header's status (unread alerts, the database away)
and the one place worker errors end up; `tui.services` the mail relay, the signup page and
the saved theme. The keys are declared in `tui.commands`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.events import Unmount
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.cells import clean
from tui.commands import bindings, palette
from tui.hangup import watch_terminal
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
from tui.prefs import cursor_blink, saved_theme
from tui.services import ServicesApp
from tui.status import DATABASE_DOWN
from tui.work import settled

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.command import Provider
    from textual.timer import Timer

    from models.context import Ctx
    from models.desk import Desk
    from models.views import SinceReport, StaffRef
    from tui.boot import Booted

__all__ = ["DATABASE_DOWN", "LicenseDeskApp"]

BOOT_AT_LATEST = 0.5  # seconds after the first frame, if the quick first page never shows
WARM = ("models.invitations", "models.notifications", "models.queries",
        "textual.widgets._tabbed_content", "tui.screens.alerts", "tui.screens.attention",
        "tui.screens.license", "tui.screens.organization")
# The app's own workers that read or write the database (their outcome says whether it
# answers); the mail relay, the theme and the warm-up are not.
DATABASE_WORK = frozenset({"alerts", "identity", "demo", "signup", "since"})
SEEN_EVERY = 60.0  # seconds: how often an open console says so (last_seen_at, one UPDATE)


def _warm_imports() -> None:
    from importlib import import_module

    for name in WARM:
        import_module(name)


def _go_to_provider() -> type[Provider]:
    """Textual imports the palette's providers when the palette first opens, not at start."""
    from tui.commands import GoToProvider

    return GoToProvider


@dataclass
class _Signed(Message, bubble=False):
    """Who works here is known (the first-start form's answer was stored)."""

    staff: StaffRef


@dataclass
class _DemoLoaded(Message, bubble=False):
    made: dict[str, int] | None


@dataclass
class _Welcome(Message, bubble=False):
    """What changed since this person last had the console open."""

    report: SinceReport


class LicenseDeskApp(ServicesApp):
    CSS_PATH = "app.tcss"
    TITLE = "licensedesk"
    COMMANDS = App.COMMANDS | {_go_to_provider}
    BINDINGS = bindings("console")

    ready: reactive[bool] = reactive(False, init=False)

    def __init__(self, ctx: Ctx | None = None, staff: StaffRef | None = None, *,
                 start_mail: bool = True, serve_signup: bool = False,
                 poll: float = 1.0) -> None:
        super().__init__()
        self.ctx: Ctx | None = ctx
        self.staff: StaffRef | None = staff
        self.start_mail = start_mail
        self.serve_signup = serve_signup
        self.signup: Any = None
        self.poll = poll
        self.blink = cursor_blink()  # the setting, read once: text fields follow it
        self.mail: Any = None
        self._saved_theme: str | None = None
        self._boot_started = False
        self._boot_timer: Timer | None = None
        self._desk: Desk | None = None
        self._identity = ("", "")  # what the first-start form was given, to give it back

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

    def on_mount(self) -> None:
        theme = self._saved_theme = saved_theme()
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        watch_terminal(self)
        if self.ctx is not None and self.staff is not None:
            self._became_ready()
            return
        # The database layer is imported once the first page of clients has painted (read
        # with sqlite3 alone): both want the interpreter, and the rows come first. The
        # timer covers a first page that cannot be read that way.
        self._boot_timer = self.set_timer(BOOT_AT_LATEST, self.start_boot)

    # start-up -------------------------------------------------------------------------------

    def start_boot(self) -> None:
        """Load settings, database and identity in a thread (once)."""
        if self._boot_started:
            return
        self._boot_started = True
        if self._boot_timer is not None:
            self._boot_timer.stop()
        from tui.boot import boot

        self.run_worker(boot, thread=True, exit_on_error=False, name="boot", group="boot")

    def _booted(self, booted: Booted) -> None:
        self.ctx = booted.ctx
        if booted.refusal is not None:
            # Not on the staff here: say so where the person will read it, after the
            # screen is gone, and stop.
            self.exit(return_code=1, message=booted.refusal)
        elif booted.staff is None:
            self._ask_identity(self.ctx.settings.staff_name or "")
        else:
            self.staff = booted.staff
            self._first_start_demo()

    def _ask_identity(self, name: str = "", email: str = "") -> None:
        from tui.screens.identity import IdentityScreen

        self.push_screen(IdentityScreen(name, email), self._identity_given)

    def _identity_given(self, given: tuple[str, str] | None) -> None:
        if given is None:
            self.exit(return_code=1)
            return
        self._identity = given
        assert self.ctx is not None
        self._sign(self.ctx, *given)

    @work(thread=True, group="identity", exit_on_error=False)
    def _sign(self, ctx: Ctx, name: str, email: str) -> None:
        from tui.boot import first_lead

        self.post_message(_Signed(first_lead(ctx, name, email)))

    @on(_Signed)
    def _signed(self, message: _Signed) -> None:
        self.staff = message.staff
        self._first_start_demo()

    def _first_start_demo(self) -> None:
        assert self.desk is not None
        self._demo(self.desk)

    @work(thread=True, group="demo", exit_on_error=False)
    def _demo(self, desk: Desk) -> None:
        from tui.boot import demo_on_first_start

        self.post_message(_DemoLoaded(demo_on_first_start(desk)))

    @on(_DemoLoaded)
    def _demo_loaded(self, message: _DemoLoaded) -> None:
        if message.made:
            self.notify(f"First start: loaded demo data "
                        f"({message.made.get('organization', 0)} organizations)", markup=False)
        self._became_ready()

    def _became_ready(self) -> None:
        staff = self.staff
        assert staff is not None
        self.sub_title = clean(staff.name or staff.email)
        self.ready = True
        self.start_alert_watch()
        self._since_last_here()
        if self.start_mail:
            self._start_mail()
        if self.serve_signup and self.ctx is not None:
            self._start_signup(self.ctx)
        # While the person reads the first screen (not while it loads), import what the
        # next screens need.
        self.set_timer(1.0, lambda: self.run_worker(
            _warm_imports, thread=True, exit_on_error=False, group="warm", name="warm"))

    # since you were last here (issue 13) --------------------------------------------------

    def _since_last_here(self) -> None:
        if self.desk is not None:
            self._welcome(self.desk)
            self.set_interval(SEEN_EVERY, self._still_here, name="seen")

    @work(thread=True, group="since", exit_on_error=False)
    def _welcome(self, desk: Desk) -> None:
        self.post_message(_Welcome(desk.welcome()))

    @on(_Welcome)
    def _welcomed(self, message: _Welcome) -> None:
        if message.report.total:
            from tui.screens.since import SinceScreen

            self.push_screen(SinceScreen(message.report))

    def _still_here(self) -> None:
        if self.desk is not None:
            self.run_worker(self.desk.seen, thread=True, exit_on_error=False, group="seen",
                            name="seen", exclusive=True)

    @on(Unmount)
    async def _seen_at_exit(self) -> None:
        """Say so once more on the way out, waiting at most a moment: a daemon thread, so a
        database that does not answer never holds the exit up."""
        import asyncio
        import contextlib
        import threading

        desk = self.desk
        if desk is None or not self.ready:
            return

        def seen() -> None:
            with contextlib.suppress(Exception):  # leaving anyway: the database may be gone
                desk.seen()

        thread = threading.Thread(target=seen, name="licensedesk-seen", daemon=True)
        thread.start()
        for _ in range(40):
            if not thread.is_alive():
                return
            await asyncio.sleep(0.05)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.node is not self:
            return  # a screen's: its DeskNode keeps the books
        if worker.group == "boot":
            if event.state == WorkerState.SUCCESS and worker.result is not None:
                self._booted(worker.result)
            elif event.state == WorkerState.ERROR:
                from rich.text import Text

                # Text, not a string: an error quoting a path with "[" is not markup.
                self.exit(return_code=2, message=Text(
                    clean(f"licensedesk: cannot open the database: {worker.error}")))
        elif worker.group in DATABASE_WORK:
            settled(self, self, event)

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

