"""Keys land where they were typed, however fast they arrive (issue 15), on every form.

Textual's App hands each key to the focused widget's own queue the moment it reads it. Tab,
shift+tab and Enter move the focus (or submit) only when that widget processes them, and a
priority binding (ctrl+s) acts at once: over a laggy link, where keys arrive as one burst,
the rest of the burst has by then gone to the old field, or been overtaken. `TypeaheadApp`
hands keys and pastes over one at a time instead: each only once everything the one before
caused has been processed (the focus moved, a form submitted, a dialog opened), as if typed
slowly. A key typed while nothing is pending goes through at once, as before.

A screen, or the app, still loading what its fields need says so with `hold(node)` and
`ready(node)` when done, or starts its load with `hold_while(screen, load)` (every screen's
first load does: `tui.screens.base`): keys typed meanwhile wait, then land in the fields or act
on the rows loaded, never dropped. A load that never says ready lets them through after
`HOLD_AT_MOST` seconds, and a quit key cuts any wait short.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from time import monotonic
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App, ReturnType
from textual.dom import DOMNode
from textual.widgets import Input

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from textual._queue import Queue
    from textual.message_pump import MessagePump
    from textual.worker import Worker

HOLD_AT_MOST = 10.0    # seconds a load may hold typed keys
SETTLE_AT_MOST = 5.0   # seconds a key's consequences may take before the next key goes anyway
_QUIT_ACTIONS = frozenset({"quit", "app.quit"})

# What holds keys, each until `ready` (None) or until its workers of these groups finished.
_holding: WeakKeyDictionary[MessagePump, frozenset[str] | None] = WeakKeyDictionary()


def hold(node: MessagePump) -> None:
    """Keys typed from now on wait while `node` (a screen, when it is the one shown; or the
    app) loads what its fields need. Call it before the screen is pushed (in `__init__`)."""
    _holding[node] = None


def ready(node: MessagePump) -> None:
    """`node` is ready: the keys it held are applied (in the order typed)."""
    _holding.pop(node, None)


def hold_while(node: DOMNode, load: Callable[[], object]) -> None:
    """Run `load`; keys wait while workers of `node` in the groups it started run (a load
    started again meanwhile, exclusive, included). Their results are posted before they
    finish, so they are shown by then."""
    before = {id(w) for w in node.workers}
    load()
    groups = frozenset(w.group for w in _running(node) if id(w) not in before)
    if groups:
        _holding[node] = groups


def _running(node: DOMNode) -> list[Worker[Any]]:
    try:
        return [w for w in node.workers if w.node is node and not w.is_finished]
    except Exception:  # gone from the app: nothing of it runs
        return []


def holding(node: MessagePump) -> bool:
    if node not in _holding:
        return False
    groups = _holding[node]
    if groups is not None and isinstance(node, DOMNode) \
            and not any(w.group in groups for w in _running(node)):
        ready(node)
        return False
    return True


def _idle(pump: MessagePump) -> bool:
    """Nothing queued and not inside a handler: the pump waits for its next message.

    Textual's queue says the first; the second is its loop waiting on the queue's event (a
    handler that awaits a mount, or a widget still composing, leaves no waiter there).
    """
    if pump._closed or pump._closing:
        return True
    queue: Queue[Any] = pump._message_queue
    if queue.qsize():
        return False
    waiters = getattr(queue.ready_event, "_waiters", None)
    return waiters is None or bool(waiters)


class TypeaheadApp(App[ReturnType]):
    """An App that hands typed keys over in order (a base of `LicenseDeskApp`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed: deque[events.Event] = deque()
        self._released: set[int] = set()  # ids of keys the gate handed back to the app
        self._gate: asyncio.Task[None] | None = None
        self._held_since: float | None = None  # when keys began to wait for a load

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if id(event) in self._released:
                self._released.discard(id(event))
            elif self._gate is not None or self._typed or self._held():
                self._typed.append(event)
                self._start_gate()
                return
            else:
                # Nothing in flight: this key goes now; the next waits until it settled.
                await super().on_event(event)
                self._start_gate()
                return
        await super().on_event(event)

    def _start_gate(self) -> None:
        if self._gate is None:
            self._gate = asyncio.create_task(self._hand_over(), name="typeahead")

    async def _hand_over(self) -> None:
        try:
            while True:
                await self._settle()
                if not self._typed or not self.is_running:
                    return
                if not self._held():
                    self._held_since = None
                elif await self._until_ready():
                    continue  # what readiness set off settles before the next key
                if self._acts(self._typed[0]) and await self._until_worked():
                    continue  # the search or load it waited for posts its rows first
                self._release(self._typed.popleft())
        except Exception as error:  # a fault here must not eat keys: they go on, unordered
            self.log.error(f"typeahead: {error!r}")
            while self._typed:
                self._release(self._typed.popleft())
        finally:
            self._gate = self._held_since = None

    def _release(self, event: events.Event) -> None:
        """Back to the app's queue, to be handled as Textual handles a key it reads."""
        self._released.add(id(event))
        if not self.post_message(event):
            self._released.discard(id(event))

    # waiting ----------------------------------------------------------------------------

    def _pumps(self) -> Iterator[MessagePump]:
        yield self
        for screen in self.screen_stack:
            yield from screen.walk_children(with_self=True)

    async def _settle(self) -> None:
        """Until every pump of the app and its screens waits for a message: the key handed
        over last, and everything it caused, has been processed."""
        end = monotonic() + SETTLE_AT_MOST
        spins = 0
        while monotonic() < end and self.is_running:
            # Yield first: the key just posted must reach the app's queue and be seen.
            await asyncio.sleep(0 if spins < 20 else 0.002)
            spins += 1
            if all(_idle(pump) for pump in self._pumps()):
                return
        if self.is_running:
            busy = [pump for pump in self._pumps() if not _idle(pump)]
            self.log.warning(f"typeahead: still busy after {SETTLE_AT_MOST} s: {busy[:3]}")

    def _acts(self, event: events.Event) -> bool:
        """A key that acts on what the screen shows (Enter, arrows, a letter bound to an
        action), not text typed into a field: it waits for the screen's searches and loads
        (the rows Enter picks must be the rows the typed filter asked for)."""
        if not isinstance(event, events.Key):
            return False
        return not (event.is_printable and isinstance(self.focused, Input))

    def _screen_working(self) -> bool:
        try:
            screen = self.screen
        except Exception:  # no screen yet
            return False
        for worker in self.workers:
            if worker.is_finished:
                continue
            node = worker.node
            with contextlib.suppress(Exception):  # a node gone from the app
                if node is screen or getattr(node, "screen", None) is screen:
                    return True
        return False

    async def _until_worked(self) -> bool:
        """Wait while workers of the screen shown run; True when they finished (what they
        post settles before the key), False when there was nothing to wait for or the wait
        was cut short (SETTLE_AT_MOST, a quit key): the key goes on then."""
        if not self._screen_working():
            return False
        end = monotonic() + SETTLE_AT_MOST
        while self._screen_working():
            if monotonic() > end or not self.is_running or self._quitting():
                return False
            await asyncio.sleep(0.005)
        return True

    def _held(self) -> bool:
        with contextlib.suppress(Exception):  # no screen yet: nothing to hold for
            return holding(self) or holding(self.screen)
        return holding(self)

    async def _until_ready(self) -> bool:
        """Wait while the app or the screen shown holds keys; False when the wait was cut
        short (a quit key, or `HOLD_AT_MOST`)."""
        if self._held_since is None:
            self._held_since = monotonic()
        while self._held() and self.is_running:
            if self._quitting():
                return False
            if monotonic() - self._held_since > HOLD_AT_MOST:
                self.log.warning("typeahead: a load never said ready; keys go on")
                return False
            await asyncio.sleep(0.02)
        return True

    def _quitting(self) -> bool:
        """A quit key is among those waiting: nothing typed ahead matters any more."""
        keys = {k for k, found in self._bindings.key_to_bindings.items()
                if any(b.action in _QUIT_ACTIONS for b in found)}
        return any(isinstance(e, events.Key) and e.key in keys for e in self._typed)
