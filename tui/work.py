"""Database calls off the event loop: a thread worker per call, the result back as a message.

Screens mix in `DbWork` and call `self.db(job, then=callback)`. The job runs in a thread with
the app's Ctx; the worker's StateChanged message brings the result back to the event loop,
where `then` runs. Errors from every worker go to one place: `LicenseDeskApp.worker_failed`.

A database that cannot be reached (a server restarting, a network cut) is not a failure of
the job: `worker_failed` turns it into one status for the whole console, the first job that
works again (started after the outage was noticed) clears it, and the app then posts
`DatabaseBack` to every screen, which reloads what it shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from models.context import Ctx

T = TypeVar("T")


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot be reached right now (retried, not a bug):
    the same rule as the mail service's."""
    from mailer.service import database_unreachable as same_rule

    return same_rule(error)


class DatabaseBack(Message, bubble=False):
    """The database answers again after an outage: reload what this screen shows."""


class DbWork:
    """Mixin for a Screen or Widget (anything with run_worker, app and message handlers)."""

    _db_then: dict[Worker[Any], Callable[[Any], None]]
    _db_started: dict[Worker[Any], float]

    def db(self, job: Callable[[Ctx], T], then: Callable[[T], None] | None = None, *,
           group: str = "db", exclusive: bool = False) -> Worker[T] | None:
        app: Any = self.app  # type: ignore[attr-defined]
        ctx = app.ctx
        if ctx is None:
            return None
        worker: Worker[T] = self.run_worker(  # type: ignore[attr-defined]
            lambda: job(ctx), thread=True, group=group, exclusive=exclusive,
            exit_on_error=False, name=getattr(job, "__name__", group))
        if not hasattr(self, "_db_then"):
            self._db_then, self._db_started = {}, {}
        self._db_then[worker] = then or (lambda _r: None)
        self._db_started[worker] = time.monotonic()
        return worker

    def busy(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished
                   for w in getattr(self, "_db_then", {}))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        then = getattr(self, "_db_then", {}).get(event.worker)
        if then is None or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        del self._db_then[event.worker]
        started = self._db_started.pop(event.worker, 0.0)
        app: Any = self.app  # type: ignore[attr-defined]
        if event.state == WorkerState.SUCCESS:
            app.database_answered(started)
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            app.worker_failed(event.worker.error)
