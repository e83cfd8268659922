"""Running a blocking service call in a thread worker and bringing its result back to the UI.

The wizards never touch the database on the event loop. A result (or a DomainError, whose
str() is a message for a person) is handed to a callback on the event loop, unless the
worker was superseded or its screen has gone meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from models.errors import DomainError
from tui.work import database_unreachable

T = TypeVar("T")
log = logging.getLogger(__name__)


def run_service(
    screen: Screen[Any],
    call: Callable[[], T],
    done: Callable[[T], Any],
    failed: Callable[[DomainError], Any],
    *,
    group: str,
    exclusive: bool = True,
) -> Worker[None]:
    """Run `call` in a thread; `done(result)` or `failed(error)` run later on the event loop."""

    def deliver(callback: Callable[..., Any], value: Any, worker: Worker[None]) -> Any:
        if worker.is_cancelled or not screen.is_attached:
            return None
        return callback(value)  # an awaitable is awaited by call_from_thread

    def work() -> None:
        worker = get_current_worker()
        callback: Callable[..., Any]
        value: Any
        try:
            value, callback = call(), done
        except DomainError as err:
            value, callback = err, failed
        except Exception as err:
            if database_unreachable(err):
                # Not this form's fault: the app shows the one outage status; nothing typed
                # is lost, and the same action works once the database answers.
                _tell_app(screen, err)
                value, callback = DomainError("the database cannot be reached right now; "
                                              "try again in a moment"), failed
            else:
                # Unexpected: the trace goes to the log, the person gets a message without
                # internals.
                log.exception("%s failed", group)
                value, callback = DomainError(f"unexpected error ({type(err).__name__}); "
                                              "see the log, then try again"), failed
        try:
            screen.app.call_from_thread(deliver, callback, value, worker)
        except RuntimeError:
            pass  # the app is shutting down; nobody is left to tell

    return screen.run_worker(work, thread=True, group=group, exclusive=exclusive,
                             exit_on_error=False, name=group)


def _tell_app(screen: Screen[Any], err: Exception) -> None:
    lost = getattr(screen.app, "database_lost", None)
    if lost is not None:
        try:
            screen.app.call_from_thread(lost, err)
        except RuntimeError:
            pass
