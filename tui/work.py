"""Database calls off the event loop: a thread worker per call, the result back as a message.

Screens mix in `DbWork` and call `self.db(job, then=callback)`. The job runs in a thread with
the app's Ctx; the worker's StateChanged message brings the result back to the event loop,
where `then` runs. Errors from every worker go to one place: `LicenseDeskApp.worker_failed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from models.context import Ctx

T = TypeVar("T")


class DbWork:
    """Mixin for a Screen or Widget (anything with run_worker, app and message handlers)."""

    _db_then: dict[Worker[Any], Callable[[Any], None]]

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
            self._db_then = {}
        self._db_then[worker] = then or (lambda _r: None)
        return worker

    def busy(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished
                   for w in getattr(self, "_db_then", {}))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        then = getattr(self, "_db_then", {}).get(event.worker)
        if then is None:
            return
        if event.state == WorkerState.SUCCESS:
            del self._db_then[event.worker]
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            del self._db_then[event.worker]
            self.app.worker_failed(event.worker.error)  # type: ignore[attr-defined]
        elif event.state == WorkerState.CANCELLED:
            del self._db_then[event.worker]
