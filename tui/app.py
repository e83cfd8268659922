"""The console's App: start-up, navigation, the alert watcher, worker errors, and the one
status line for a database that cannot be reached."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from tui.cells import clean
from tui.commands import CONSOLE
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
from tui.prefs import saved_theme
from tui.work import DatabaseBack, DbWork, database_unreachable

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.command import Provider
    from textual.timer import Timer

    from models.context import Ctx
    from models.desk import Desk
    from models.views import NotificationRow, StaffRef
    from tui.boot import Booted

DATABASE_DOWN = "database unreachable, retrying…"
TOAST = {"accepted": ("Accepted", "information"), "overdue": ("Overdue", "warning"),
         "failed": ("Failed", "error")}


BOOT_AT_LATEST = 0.5  # seconds after the first frame, if the quick first page never shows
WARM = ("models.invitations", "models.notifications", "models.queries",
        "textual.widgets._tabbed_content", "tui.screens.alerts", "tui.screens.attention",
        "tui.screens.license", "tui.screens.organization")


def _warm_imports() -> None:
    from importlib import import_module

    for name in WARM:
        import_module(name)


def _go_to_provider() -> type[Provider]:
    """Textual imports the palette's providers when the palette first opens, not at start."""
    from tui.commands import GoToProvider

    return GoToProvider


class LicenseDeskApp(DbWork, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "licensedesk"
    COMMANDS = App.COMMANDS | {_go_to_provider}
    BINDINGS = [
        Binding("question_mark", "help", "Help"),
        Binding("f1", "help", "Help", show=False),
        Binding("a", "alerts", "Alerts"),
        Binding("w", "attention", "Needs attention", show=False),
        Binding("c", "clients", "Clients", show=False),
        Binding("M", "mailbox", "Mailbox", show=False),
        Binding("N", "new_license", "New license", show=False),
        *(command.binding() for command in CONSOLE),
    ]

    ready: reactive[bool] = reactive(False, init=False)
    unread: reactive[int] = reactive(0, init=False)
    # Since when (monotonic) no database work has succeeded; None while it answers.
    database_down: reactive[float | None] = reactive(None, init=False)

    def __init__(self, ctx: Ctx | None = None, staff: StaffRef | None = None, *,
                 start_mail: bool = True, serve_signup: bool = False,
                 poll: float = 1.0, blink: bool = True) -> None:
        super().__init__()
        self.ctx: Ctx | None = ctx
        self.staff: StaffRef | None = staff
        self.start_mail = start_mail
        self.serve_signup = serve_signup
        self.signup: Any = None
        self.poll = poll
        self.blink = blink
        self.mail: Any = None
        self.last_alert_id = 0
        self._saved_theme: str | None = None
        self._boot_started = False
        self._boot_timer: Timer | None = None
        self._alerts_primed = False
        self._desk: Desk | None = None

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

    def start_boot(self) -> None:
        """Load settings, database and identity in a thread (once)."""
        if self._boot_started:
            return
        self._boot_started = True
        if self._boot_timer is not None:
            self._boot_timer.stop()
        from tui.boot import boot

        self.run_worker(boot, thread=True, exit_on_error=False,
                        name="boot", group="boot")

    # start-up -------------------------------------------------------------------------------

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
        from tui.boot import first_lead

        name, email = given

        def job(ctx: Ctx) -> StaffRef | Exception:
            from models.errors import DomainError

            try:
                return first_lead(ctx, name, email)
            except DomainError as err:  # shown, and the form comes back with what was typed
                return err

        def done(result: StaffRef | Exception) -> None:
            if isinstance(result, Exception):
                self.worker_failed(result)
                self._ask_identity(name, email)
                return
            self.staff = result
            self._first_start_demo()

        self.db(job, done)

    def _first_start_demo(self) -> None:
        from tui.boot import demo_on_first_start

        def done(made: dict[str, int] | None) -> None:
            if made:
                self.notify(f"First start: loaded demo data ({made.get('organization', 0)} "
                            "organizations)", markup=False)
            self._became_ready()

        self.db(demo_on_first_start, done)

    def _became_ready(self) -> None:
        staff = self.staff
        assert staff is not None
        self.sub_title = clean(staff.name or staff.email)
        self.ready = True
        self._start_alert_watch()
        if self.start_mail:
            self._start_mail()
        if self.serve_signup:
            self._start_signup()
        # While the person reads the first screen (not while it loads), import what the
        # next screens need.
        self.set_timer(1.0, lambda: self.run_worker(
            _warm_imports, thread=True, exit_on_error=False, group="warm", name="warm"))

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        worker = event.worker
        if worker.group == "boot":
            if event.state == WorkerState.SUCCESS:
                self._booted(worker.result)
            elif event.state == WorkerState.ERROR:
                from rich.text import Text

                # Text, not a string: an error quoting a path with "[" is not markup.
                self.exit(return_code=2, message=Text(
                    clean(f"licensedesk: cannot open the database: {worker.error}")))
            return
        super().on_worker_state_changed(event)

    # errors ---------------------------------------------------------------------------------

    def worker_failed(self, error: BaseException | None) -> None:
        """The one place worker errors end up: a DomainError's text is meant for people; a
        database that cannot be reached is one status for the whole console, not a toast."""
        from models.errors import DomainError

        if _is(error, "DatabaseGone"):
            # Deleted or replaced under us: writing on would go into a ghost. Say so where
            # the person reads it once the screen is gone, and stop (as the CLI: status 2).
            self.exit(return_code=2, message=f"licensedesk: {clean(str(error))}")
            return
        if database_unreachable(error):
            self.database_lost(error)
            return
        if isinstance(error, DomainError):
            self.notify(clean(str(error)), severity="error", markup=False, timeout=8)
            return
        self.log.error("worker failed", repr(error))
        self.notify(clean(f"Something went wrong: {type(error).__name__}: {error}"),
                    severity="error", markup=False, timeout=10)

    # the database away ----------------------------------------------------------------------

    def database_lost(self, error: BaseException | None) -> None:
        """A job met a database it cannot reach. The alert poll keeps trying every `poll`
        seconds; the first job that works again ends the outage (`database_answered`)."""
        if self.database_down is None:
            self.log.warning("database unreachable", repr(error))
            self.database_down = time.monotonic()

    def database_answered(self, started: float) -> None:
        """A job that started at `started` (monotonic) worked: if it started after the outage
        was noticed, the database is back, and every screen reloads what it shows."""
        down = self.database_down
        if down is None or started < down:
            return  # no outage, or a job begun before it: it proves nothing about now
        self.database_down = None
        self.log.info("database answers again")
        for screen in self.screen_stack:
            screen.post_message(DatabaseBack())

    def watch_database_down(self, _down: float | None) -> None:
        self._show_sub_title()

    # alerts ---------------------------------------------------------------------------------

    def _start_alert_watch(self) -> None:
        # The poll also notices the database coming back after an outage: it runs from now
        # on, whatever its first try meets.
        self.set_interval(self.poll, self._poll_alerts, name="alerts")
        self._poll_alerts()

    def _poll_alerts(self) -> None:
        if self.busy("alerts") or self.staff is None:
            return
        staff_id, after = self.staff.id, self.last_alert_id
        if not self._alerts_primed:

            def first(ctx: Ctx) -> tuple[int, int]:
                from models.notifications import latest_notification_id, unread_count

                return latest_notification_id(ctx, staff_id), unread_count(ctx, staff_id)

            self.db(first, self._alerts_start, group="alerts")
            return

        def job(ctx: Ctx) -> tuple[list[NotificationRow], int]:
            from models.notifications import notifications_after, unread_count

            return notifications_after(ctx, staff_id, after), unread_count(ctx, staff_id)

        self.db(job, self._new_alerts, group="alerts")

    def _alerts_start(self, result: tuple[int, int]) -> None:
        """Alerts from before the console started are not toasted, only counted."""
        self.last_alert_id, self.unread = result
        self._alerts_primed = True

    def _new_alerts(self, result: tuple[list[NotificationRow], int]) -> None:
        rows, unread = result
        for note in rows:
            self.last_alert_id = max(self.last_alert_id, note.id)
            title, severity = TOAST.get(note.kind, (note.kind.title(), "information"))
            self.notify(clean(note.text), title=title, severity=severity,  # type: ignore[arg-type]
                        markup=False, timeout=8)
        self.unread = unread

    def refresh_unread(self) -> None:
        self._poll_alerts()

    def watch_unread(self, _unread: int) -> None:
        self._show_sub_title()

    def _show_sub_title(self) -> None:
        staff, unread = self.staff, self.unread
        who = clean(staff.name or staff.email) if staff else ""
        alerts = f"{unread} unread alert{'s' if unread != 1 else ''}" if unread else "no unread"
        if self.database_down is not None:
            alerts = f"⚠ {DATABASE_DOWN}"  # the count is not known meanwhile
        # The status first: a long screen title may push the end of the header off screen.
        self.sub_title = f"{alerts} · {who}" if who else alerts

    # mail -----------------------------------------------------------------------------------

    def _start_mail(self) -> None:
        from mailer.service import MailService

        assert self.ctx is not None
        self.mail = MailService(self.ctx, on_alert=self._mail_alert)
        self.run_worker(self.mail.start(), exit_on_error=False, group="mail", name="mail")

    def _start_signup(self) -> None:
        """`make run`: the page the caught mails link to, on loopback beside the console."""

        def job(ctx: Ctx) -> tuple[Any, str]:
            from signup.server import start_beside_console

            return start_beside_console(ctx)

        def done(result: tuple[Any, str]) -> None:
            self.signup, line = result
            self.notify(clean(line), markup=False, timeout=6)

        self.db(job, done, group="signup")

    def _mail_alert(self, reason: str | None) -> None:
        """The relay paused (bad credentials, TLS refused) or resumed sending."""
        if reason:
            self.notify(clean(f"Sending mail is paused: {reason}"), severity="error",
                        markup=False, timeout=15)
        else:
            self.notify("Sending mail resumed.", markup=False)

    def kick_mail(self) -> None:
        """Actions that queued mail call this so the relay sends now, not at its next tick."""
        if self.mail is not None:
            self.run_worker(self.mail.kick(), exit_on_error=False, group="mail", name="kick")

    @property
    def catcher_socket(self) -> Any:
        """Where the local catcher listens (a Unix socket), or None: no catcher here."""
        return getattr(self.mail, "catcher_socket", None) if self.mail is not None else None

    async def on_unmount(self) -> None:
        if self.mail is not None:
            await self.mail.stop()
        if self.signup is not None:
            await asyncio.to_thread(self.signup.stop)

    # theme ----------------------------------------------------------------------------------

    def _remember_theme(self, theme: Any) -> None:
        name = theme.name
        if name == self._saved_theme:
            return
        self._saved_theme = name

        def job() -> None:
            from models.settings import remember

            remember(theme=name)

        self.run_worker(job, thread=True, exit_on_error=False, group="theme", name="theme")

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
        from tui.screens.mailbox import MailboxScreen, mailbox_available

        if not mailbox_available(self):
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
            self._show_sub_title()

    def open_org(self, org_id: int) -> None:
        from tui.screens.organization import OrganizationScreen

        self.push_screen(OrganizationScreen(org_id))

    def open_license(self, license_id: int, tab: str = "summary") -> None:
        from tui.screens.license import LicenseScreen

        self.push_screen(LicenseScreen(license_id, tab))

    def action_new_license(self, organization_id: int | None = None) -> None:
        if self.ctx is None or self.staff is None:
            return
        from tui.screens.license_wizard import LicenseWizard

        def created(license_id: int | None) -> None:
            if license_id:
                self.kick_mail()
                self.open_license(license_id, "summary")

        self.push_screen(LicenseWizard(self.ctx, self.staff, organization_id), created)

    def invite_users(self, license_id: int, then: Any = None) -> None:
        """Open the invite wizard; `then(result)` runs after invitations were sent."""
        if self.ctx is None or self.staff is None:
            return
        from tui.screens.invite_wizard import InviteWizard

        def done(result: Any) -> None:
            if result is not None:
                self.kick_mail()
                n = len(result.invited)
                self.notify(f"Invited {n} {'person' if n == 1 else 'people'}", markup=False)
            if then is not None:
                then(result)

        self.push_screen(InviteWizard(self.ctx, self.staff, license_id), done)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Clients", "All client organizations", self.action_clients)
        yield SystemCommand("Alerts", "Your notifications", self.action_alerts)
        yield SystemCommand("Needs attention", "Overdue and failed invitations",
                            self.action_attention)
        yield SystemCommand("New license", "Create a license (wizard)", self.action_new_license)
        if self.catcher_socket is not None:
            yield SystemCommand("Mailbox", "Mails caught by the local catcher",
                                self.action_mailbox)
        for command in CONSOLE:
            yield SystemCommand(command.title, command.help.capitalize(),
                                getattr(self, f"action_{command.action}"))
        yield SystemCommand("Help", "Keys and screens", self.action_help)
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()


def _is(error: BaseException | None, name: str) -> bool:
    """Whether `error` is models.db's `name`, without importing the database layer for it."""
    return error is not None and any(t.__name__ == name and t.__module__ == "models.db"
                                     for t in type(error).__mro__)
