"""The console's one way to do blocking work: `@work` methods that post result messages.

A screen or widget that needs the domain derives from `DeskNode` and writes

    @work(thread=True, exclusive=True, group="users", exit_on_error=False)
    def load(self) -> None:
        self.reply(self.Loaded(self.desk.users(self.license_id)))

and handles `Loaded` with `@on`. `reply` drops the result of a worker that was superseded
(`exclusive`) or whose node has gone. A pause before a preview is `await asyncio.sleep(…)`
at the top of an exclusive async worker: the next keystroke cancels it.

Failures have one road: `DeskNode` turns a failed worker into a `WorkFailed` message that
bubbles from the node. A form that can show the problem where it was typed handles it (and
stops it); otherwise it reaches the app, which shows a toast, or the one outage status when
the database cannot be reached (`LicenseDeskApp.on_work_failed`).

A database that cannot be reached is not a failure of the job: the first job that works again
(started after the outage was noticed) ends it, and the app posts `DatabaseBack` to every
screen, which reloads what it shows.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from textual import on
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui.messages import WorkFailed

if TYPE_CHECKING:
    from models.desk import Desk
    from tui.app import LicenseDeskApp


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot be reached right now (retried, not a bug):
    the same rule as the mail service's."""
    from mailer.service import database_unreachable as same_rule

    return same_rule(error)


class DatabaseBack(Message, bubble=False):
    """The database answers again after an outage: reload what this screen shows."""


class NotReady(Exception):
    """The desk was asked for before the console finished starting."""


class DeskNode(Widget):
    """Base for the console's screens and widgets that work with the desk (mixed in before
    `Screen`/`ModalScreen`/a widget class)."""

    @property
    def desk_app(self) -> LicenseDeskApp:
        return cast("LicenseDeskApp", self.app)

    @property
    def desk(self) -> Desk:
        desk = self.desk_app.desk
        if desk is None:
            raise NotReady("the console is still starting")
        return desk

    @property
    def ready(self) -> bool:
        return self.desk_app.desk is not None

    def reply(self, message: Message) -> None:
        """Post a worker's result to this node, unless the worker was superseded."""
        try:
            if get_current_worker().is_cancelled:
                return
        except Exception:  # noqa: S110 - not in a worker: nothing can have superseded it
            pass
        self.post_message(message)

    def busy(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished and w.node is self
                   for w in self.workers)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.node is not self:
            return
        started = _STARTED.setdefault(id(worker), time.monotonic())
        if event.state == WorkerState.SUCCESS:
            _STARTED.pop(id(worker), None)
            self.desk_app.database_answered(started)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            _STARTED.pop(id(worker), None)
            if event.state == WorkerState.ERROR and worker.error is not None:
                self.post_message(WorkFailed(worker.error, worker.group, self))


# When each running worker was first seen running: a success proves the database answers only
# for work begun after an outage was noticed.
_STARTED: dict[int, float] = {}


class DbWork:
    """Transitional: the old `self.db(job, then)` idiom, until every screen uses `DeskNode`."""

    def db(self, job, then=None, *, group="db", exclusive=False):
        app = self.app  # type: ignore[attr-defined]
        ctx = app.ctx
        if ctx is None:
            return None
        worker = self.run_worker(  # type: ignore[attr-defined]
            lambda: job(ctx), thread=True, group=group, exclusive=exclusive,
            exit_on_error=False, name=getattr(job, "__name__", group))
        if not hasattr(self, "_db_then"):
            self._db_then, self._db_started = {}, {}
        self._db_then[worker] = then or (lambda _r: None)
        self._db_started[worker] = time.monotonic()
        return worker

    def busy(self, group):
        return any(w.group == group and not w.is_finished
                   for w in getattr(self, "_db_then", {}))

    def on_worker_state_changed(self, event):
        then = getattr(self, "_db_then", {}).get(event.worker)
        if then is None or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        del self._db_then[event.worker]
        started = self._db_started.pop(event.worker, 0.0)
        app = self.app  # type: ignore[attr-defined]
        if event.state == WorkerState.SUCCESS:
            app.database_answered(started)
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            app.worker_failed(event.worker.error)
