"""Leaving when the terminal goes away.

Over SSH a dropped connection normally sends SIGHUP, which this turns into a clean exit
(the mail in flight finishes, leases are handed back). Run under a parent that does not
pass SIGHUP on (`make run`, a wrapper), the console only sees its terminal hung up, and
Textual's input thread then spins on end-of-file at 100 % of a core (Textualize/textual
PR #6690). On a shared jump host that is a colleague's CPU: the terminal is checked every
few seconds, and the console exits once it is gone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

CHECK_EVERY = 2.0  # seconds
HANGUP_RETURN_CODE = 129  # 128 + SIGHUP, as a shell reports a hangup


def terminal_alive(fd: int) -> bool:
    """A hung-up terminal refuses tcgetattr (EIO), so isatty() says no."""
    try:
        return os.isatty(fd)
    except OSError:
        return False


def watch_terminal(app: App[Any]) -> None:
    """Exit `app` on SIGHUP, or once its terminal is no longer there."""
    if app.is_headless:
        return
    fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else -1

    def gone() -> None:
        app.exit(return_code=HANGUP_RETURN_CODE)

    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, gone)
    except (NotImplementedError, RuntimeError, ValueError):
        pass  # no SIGHUP here (Windows), or not the main thread: the check below remains

    def check() -> None:
        if not terminal_alive(fd):
            gone()

    app.set_interval(CHECK_EVERY, check, name="terminal-watch")
