"""The console leaves when its terminal goes away: on SIGHUP, and also when no SIGHUP comes
(its terminal just hangs up under a parent that does not pass the signal on)."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tui.hangup import HANGUP_RETURN_CODE, terminal_alive

pytestmark = pytest.mark.slow


def test_a_hung_up_terminal_is_noticed() -> None:
    master, slave = pty.openpty()
    try:
        assert terminal_alive(slave)
        os.close(master)
        assert not terminal_alive(slave)
    finally:
        os.close(slave)
    assert not terminal_alive(slave)  # a closed descriptor is no terminal either


class Console:
    """`licensedesk` in a pseudo-terminal of its own, in a new session: the terminal is not
    its controlling one, so closing it sends no SIGHUP (as under `make run`)."""

    def __init__(self, tmp_path: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("LICENSEDESK_")}
        env.update(LICENSEDESK_DATA_DIR=str(tmp_path / "data"),
                   LICENSEDESK_CONFIG=str(tmp_path / "config.toml"),
                   LICENSEDESK_STAFF_EMAIL="sam@partner.example",
                   LICENSEDESK_STAFF_NAME="Sam Support",
                   # invitation links elsewhere: no signup page on a loopback port
                   LICENSEDESK_SIGNUP_URL="https://signup.partner.example/invite/",
                   TERM="xterm-256color")
        self.proc = subprocess.Popen([sys.executable, "-m", "tui.cli.main"], stdin=slave,
                                     stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, text: bytes, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while text not in self.output:
            assert self.proc.poll() is None, self.output[-2000:]
            assert time.monotonic() < end, f"no {text!r} on screen"
            time.sleep(0.05)


@contextmanager
def console(tmp_path: Path) -> Iterator[Console]:
    c = Console(tmp_path)
    try:
        yield c
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
            c.proc.wait(10)
        try:
            os.close(c.master)
        except OSError:
            pass


def test_console_exits_when_its_terminal_hangs_up_without_sighup(tmp_path: Path) -> None:
    with console(tmp_path) as c:
        c.wait_for(b"organizations")  # the first page is on screen, the database is up
        os.close(c.master)
        assert c.proc.wait(15) == HANGUP_RETURN_CODE


def test_console_exits_cleanly_on_sighup(tmp_path: Path) -> None:
    with console(tmp_path) as c:
        c.wait_for(b"organizations")
        c.proc.send_signal(signal.SIGHUP)
        # Its own exit code, not death by the signal: the mail in flight was finished.
        assert c.proc.wait(15) == HANGUP_RETURN_CODE
