"""The console's start-up, as a base of the App: settings, database and identity read in a
thread after the first frame; the first-start form and demo data; "since you were last here";
and the app's own workers' outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.events import Unmount
from textual.message import Message
from textual.worker import Worker, WorkerState

from tui import typeahead
from tui.cells import clean
from tui.hangup import watch_terminal
from tui.prefs import saved_theme
from tui.services import ServicesApp
from tui.work import settled

if TYPE_CHECKING:
    from textual.timer import Timer

    from models.context import Ctx
    from models.desk import Desk
    from models.views import SinceReport, StaffRef
    from tui.app import LicenseDeskApp
    from tui.boot import Booted



BOOT_AT_LATEST = 0.5  # seconds after the first frame, if the quick first page never shows
WARM = ("models.invitations", "models.notifications", "models.queries",
        "textual.widgets._tabbed_content", "tui.screens.alerts", "tui.screens.attention",
        "tui.screens.license", "tui.screens.organization")
# The app's own workers that read or write the database (their outcome says whether it
# answers); the mail relay, the theme and the warm-up are not.
DATABASE_WORK = frozenset({"alerts", "identity", "demo", "signup", "since", "version"})
SEEN_EVERY = 60.0  # seconds: how often an open console says so (last_seen_at, one UPDATE)


def _warm_imports() -> None:
    from importlib import import_module

    from tui.collector import started

    for name in WARM:
        import_module(name)
    # What start-up built lives as long as the console: out of the collector's sight, a full
    # collection no longer walks it (300-400 ms on a busy 2-core host, felt as a late toast
    # or keystroke; issue 14).
    started()


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


class StartupApp(ServicesApp):
    # Set by LicenseDeskApp.__init__.
    start_mail: bool
    serve_signup: bool
    _boot_started: bool
    _boot_timer: Timer | None

    def on_mount(self) -> None:
        theme = self._saved_theme = saved_theme()
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        watch_terminal(self)
        typeahead.hold(self)  # keys typed while starting wait for a screen that takes them
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
        typeahead.ready(self)  # the form takes what was typed meanwhile

    def _identity_given(self, given: tuple[str, str] | None) -> None:
        if given is None:
            self.exit(return_code=1)
            return
        self._identity = given
        typeahead.hold(self)
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
        typeahead.ready(self)
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
            settled(self, cast("LicenseDeskApp", self), event)
