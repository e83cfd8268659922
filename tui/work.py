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
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui.messages import WorkFailed

if TYPE_CHECKING:
    from models.desk import Desk
    from tui.app import LicenseDeskApp


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot be reached right now (retried, not a bug):
    the relay's rule too, imported only when an error needs it."""
    from models.desk import unreachable

    return unreachable(error)


class DatabaseBack(Message, bubble=False):
    """The database answers again after an outage: reload what this screen shows."""


class NotReady(Exception):
    """The desk was asked for before the console finished starting."""


class DeskNode(Widget):
    """Base for the console's screens and widgets that work with the desk, mixed in AFTER the
    Textual class (`class X(ModalScreen[int], DeskNode)`): Textual takes a class's CSS type
    names and default CSS from its first base only, so first it would hide `Screen` from
    every `Screen {…}` rule (tests/tui/test_desk_nodes.py keeps it last)."""

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
        if event.worker.node is self:
            settled(self, self.desk_app, event)


def settled(node: MessagePump, app: LicenseDeskApp, event: Worker.StateChanged) -> None:
    """The one bookkeeping of a finished worker of `node` (a DeskNode, or the app for its
    own database work): a success tells the app the database answers; a failure becomes a
    `WorkFailed` posted to `node`, which bubbles to whoever shows it."""
    worker = event.worker
    started = _STARTED.setdefault(id(worker), time.monotonic())
    if event.state == WorkerState.SUCCESS:
        _STARTED.pop(id(worker), None)
        app.database_answered(started)
    elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
        _STARTED.pop(id(worker), None)
        if event.state == WorkerState.ERROR and worker.error is not None:
            node.post_message(WorkFailed(worker.error, worker.group, node))


# When each running worker was first seen running: a success proves the database answers only
# for work begun after an outage was noticed.
_STARTED: dict[int, float] = {}
