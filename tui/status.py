"""What the header says about the world outside this screen: the unread alerts (watched by
polling, each new one a toast) and the one status for a database that cannot be reached;
and the one place a failed worker's error ends up (`worker_failed`).

On PostgreSQL a listener (`Desk.listen`) wakes the watch the moment a notification is
committed on any host, and tells every screen (`LiveWake`); the poll then slows to
`LIVE_POLL`, a safety net, and is back at `poll` as soon as the listener loses its
connection. On SQLite the poll alone.

`StatusApp` is the base of the console's App: it holds the watcher and the outage state, so
`tui.app` keeps to start-up and navigation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual import on, work
from textual.app import App
from textual.events import Unmount
from textual.message import Message
from textual.reactive import reactive
from textual.worker import get_current_worker

from tui.cells import clean
from tui.work import DatabaseBack, database_unreachable

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer

    from models.desk import Desk
    from models.views import NotificationRow, StaffRef

DATABASE_DOWN = "database unreachable, retrying…"
LASTING_REPEAT_S = 300.0
Severity = Literal["information", "warning", "error"]
TOAST: dict[str, tuple[str, Severity]] = {
    "accepted": ("Accepted", "information"), "overdue": ("Overdue", "warning"),
    "failed": ("Failed", "error")}
LIVE_POLL = 10.0  # seconds between alert polls while the listener is connected


class LiveWake(Message, bubble=False):
    """Something was committed elsewhere (PostgreSQL): a screen showing what it may have
    changed looks again now rather than at its next poll."""


@dataclass
class _Woken(Message, bubble=False):
    mine: bool  # the notification is for this console's staff member


@dataclass
class _Listening(Message, bubble=False):
    healthy: bool


@dataclass
class AlertsFetched(Message, bubble=False):
    """New alerts since the last look (none on the first look, which only marks where the
    watch starts: alerts from before the console started are counted, not toasted)."""

    rows: list[NotificationRow]
    unread: int
    last_id: int


class StatusApp(App[int]):
    unread: reactive[int] = reactive(0, init=False)
    # Since when (monotonic) no database work has succeeded; None while it answers.
    database_down: reactive[float | None] = reactive(None, init=False)

    staff: StaffRef | None
    poll: float
    last_alert_id = 0
    _alerts_primed = False
    alerts_every = 0.0  # the poll's period now: `poll`, or LIVE_POLL while listening
    _alerts_timer: Timer | None = None
    _stop_listening: Callable[[], None] | None = None
    # The last problem a person has to fix that a toast said, and when (monotonic).
    _lasting_said: tuple[str, float] = ("", 0.0)

    @property
    def desk(self) -> Desk | None:
        raise NotImplementedError

    # alerts ---------------------------------------------------------------------------------

    def start_alert_watch(self) -> None:
        # The poll also notices the database coming back after an outage: it runs from now
        # on, whatever its first try meets.
        self._poll_every(self.poll)
        self.refresh_unread()
        if self.desk is not None and self._stop_listening is None:
            self._stop_listening = self.desk.listen(self._heard, self._listener_state)

    # On the listener's thread: post_message is thread-safe and, unlike call_from_thread,
    # neither waits for the loop nor fails once the app is gone.
    def _heard(self, mine: bool) -> None:
        self.post_message(_Woken(mine))

    def _listener_state(self, healthy: bool) -> None:
        self.post_message(_Listening(healthy))

    def _poll_every(self, seconds: float) -> None:
        if seconds == self.alerts_every:
            return
        if self._alerts_timer is not None:
            self._alerts_timer.stop()
        self.alerts_every = seconds
        self._alerts_timer = self.set_interval(seconds, self._tick, name="alerts")

    @on(_Woken)
    def _woken(self, message: _Woken) -> None:
        if message.mine:
            self.refresh_unread()
        for screen in self.screen_stack:
            screen.post_message(LiveWake())

    @on(_Listening)
    def _listening(self, message: _Listening) -> None:
        self._poll_every(max(self.poll, LIVE_POLL) if message.healthy else self.poll)
        if message.healthy:  # what was committed while nobody listened
            self.refresh_unread()
            for screen in self.screen_stack:
                screen.post_message(LiveWake())

    @on(Unmount)
    def _stop_live(self) -> None:
        stop, self._stop_listening = self._stop_listening, None
        if stop is not None:
            stop()

    def _tick(self) -> None:
        if not any(w.group == "alerts" and not w.is_finished and w.node is self
                   for w in self.workers):
            self.refresh_unread()

    def refresh_unread(self) -> None:
        """Look for new alerts now (also after alerts were read here)."""
        if self.desk is not None:
            self._fetch_alerts(self.desk, self.last_alert_id, self._alerts_primed)

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False)
    def _fetch_alerts(self, desk: Desk, after: int, primed: bool) -> None:
        if primed:
            rows, unread = desk.alerts_after(after)
            last = max((n.id for n in rows), default=after)
        else:
            rows, (last, unread) = [], desk.alerts_mark()
        if not get_current_worker().is_cancelled:  # superseded by a newer look
            self.post_message(AlertsFetched(rows, unread, last))

    @on(AlertsFetched)
    def _alerts_fetched(self, message: AlertsFetched) -> None:
        self._alerts_primed = True
        self.last_alert_id = max(self.last_alert_id, message.last_id)
        for note in message.rows:
            title, severity = TOAST.get(note.kind, (note.kind.title(), "information"))
            self.notify(clean(note.text), title=title, severity=severity, markup=False,
                        timeout=8)
        self.unread = message.unread

    def watch_unread(self, _unread: int) -> None:
        self.show_sub_title()

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
        problem = self.desk.lasting_problem(error) if self.desk is not None else None
        if problem is not None:
            # Reads still work: no outage to retry away, but a person has to act first. Said
            # once in a while, not at every background write that meets it (the "seen" mark
            # every minute).
            said, when = self._lasting_said
            if problem != said or time.monotonic() - when > LASTING_REPEAT_S:
                self._lasting_said = (problem, time.monotonic())
                self.notify(clean(problem), severity="error", markup=False, timeout=12)
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
        self.show_sub_title()

    def show_sub_title(self) -> None:
        staff, unread = self.staff, self.unread
        who = clean(staff.name or staff.email) if staff else ""
        alerts = f"{unread} unread alert{'s' if unread != 1 else ''}" if unread else "no unread"
        if self.database_down is not None:
            alerts = f"⚠ {DATABASE_DOWN}"  # the count is not known meanwhile
        # The status first: a long screen title may push the end of the header off screen.
        self.sub_title = f"{alerts} · {who}" if who else alerts


def _is(error: BaseException | None, name: str) -> bool:
    """Whether `error` is models.db's `name`, without importing the database layer for it."""
    return error is not None and any(t.__name__ == name and t.__module__ == "models.db"
                                     for t in type(error).__mro__)
