"""Live across hosts on PostgreSQL: a notification committed anywhere wakes every console.

The transaction that writes notification rows also calls `pg_notify` (`announce`); the server
delivers it at commit, and only then, to every session LISTENing on the channel. A `Listener`
is such a session on a thread of its own: it calls back on each wake-up, and says when its
connection is made or lost so that the caller's poll takes over meanwhile (a wake-up sent
while nobody listens is gone for good). The payload is the staff id the rows are for, nothing
a person wrote: the rows themselves are read the usual way.

On SQLite there is nothing to listen to (`listen` returns None): the console polls.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from models.db import CONNECT_TIMEOUT_S

if TYPE_CHECKING:
    from sqlmodel import Session

    from models.db import Database

CHANNEL = "licensedesk_alerts"
BACKOFF_S = (0.25, 5.0)  # first retry after a lost connection, then doubling up to this
# A peer that vanished without closing (a cable, a NAT) is noticed in about 25 s, and the
# probes keep an idle connection open through firewalls.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
             "keepalives_count": 3}
log = logging.getLogger(__name__)


def announce(session: Session, staff_ids: Iterable[int]) -> None:
    """Wake the listeners when this transaction commits (PostgreSQL; nothing on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for staff_id in sorted(set(staff_ids)):
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": str(staff_id)})


def _ignore(_healthy: bool) -> None:
    pass


class Listener:
    """A thread holding one connection in LISTEN. `on_notify(payload)` and
    `on_state(healthy)` run on that thread: hand the work to your own loop."""

    def __init__(self, connect_args: dict[str, Any], on_notify: Callable[[str], None],
                 on_state: Callable[[bool], None] = _ignore, *, channel: str = CHANNEL,
                 backoff: tuple[float, float] = BACKOFF_S) -> None:
        self._args = {"connect_timeout": CONNECT_TIMEOUT_S, **KEEPALIVE, **connect_args}
        self._on_notify, self._on_state = on_notify, on_state
        self.channel, self._backoff = channel, backoff
        self.healthy = False
        self._stop = threading.Event()
        # select() waits on the connection and this pair at once, so stop() is immediate.
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="licensedesk-live", daemon=True)

    @classmethod
    def for_database(cls, db: Database, on_notify: Callable[[str], None],
                     on_state: Callable[[bool], None] = _ignore, **kw: Any) -> Listener:
        engine = db.engine
        _, args = engine.dialect.create_connect_args(engine.url)
        args.pop("context", None)  # SQLAlchemy's type adapters: a plain connection here
        return cls(dict(args), on_notify, on_state, **kw)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, wait: float = 1.0) -> None:
        """Stop listening; the callbacks are not called any more once this returns. A
        thread stuck connecting (at most the connect timeout) ends by itself: it is a
        daemon and never calls back after this."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(wait)
        if not self._thread.is_alive():
            self._wake_r.close()
            self._wake_w.close()

    # the thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        import psycopg
        from psycopg import sql

        delay = self._backoff[0]
        while not self._stop.is_set():
            try:
                with psycopg.connect(**self._args, autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    delay = self._backoff[0]
                    self._state(True)
                    self._listen(conn)
            except Exception as err:  # the server away, a network cut: try again later
                log.info("listening for alerts: %s", (str(err).strip().splitlines() or [""])[0])
            self._state(False)
            self._stop.wait(delay)
            delay = min(delay * 2, self._backoff[1])

    def _listen(self, conn: Any) -> None:
        pgconn = conn.pgconn
        while not self._stop.is_set():
            ready, _, _ = select.select([conn.fileno(), self._wake_r], [], [])
            if self._wake_r in ready:
                return
            pgconn.consume_input()  # raises once the server has closed the connection
            while (note := pgconn.notifies()) is not None:
                if not self._stop.is_set():
                    self._call(self._on_notify, note.extra.decode())

    def _state(self, healthy: bool) -> None:
        if healthy != self.healthy and not self._stop.is_set():
            self.healthy = healthy
            self._call(self._on_state, healthy)

    @staticmethod
    def _call(callback: Callable[[Any], None], arg: Any) -> None:
        try:
            callback(arg)
        except Exception:  # the caller's bug must not end the listening
            log.exception("live callback failed")


def listen(db: Database, staff_id: int | None, wake: Callable[[bool], None],
           state: Callable[[bool], None]) -> Callable[[], None] | None:
    """Start a listener for `db`; `wake(mine)` on each notification committed anywhere
    (`mine`: for `staff_id`), `state(healthy)` when its connection is made or lost. Returns
    how to stop it; None on SQLite."""
    if db.dialect != "postgresql":
        return None
    me = str(staff_id)
    listener = Listener.for_database(db, lambda payload: wake(payload == me), state).start()
    return listener.stop
