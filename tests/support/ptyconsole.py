"""The console as a person runs it over SSH: a real process on a pseudo-terminal, every byte
it writes counted.

    with PtyConsole(env, cols=80, rows=24) as con:
        con.until_quiet()            # the first paint, until output stops
        con.send(b"/")               # keys as raw bytes, in one write (a burst)
        sent = con.until_quiet()     # what that cost, in bytes
        idle = con.read_for(3.0)     # bytes written while nothing happens
        con.resize(60, 20)           # the kernel tells the console (SIGWINCH)

`screen()` renders what was written so far with pyte, when it is installed, so a test can
assert what the person sees.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class PtyConsole:
    def __init__(self, env: dict[str, str], *, cols: int = 80, rows: int = 24,
                 argv: list[str] | None = None) -> None:
        self.env, self.cols, self.rows = env, cols, rows
        self.argv = argv or [sys.executable, "-m", "tui.cli.main"]
        self.pid = 0
        self.fd = -1
        self.written = bytearray()
        self._screen: Any = None

    def __enter__(self) -> PtyConsole:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the console, with the pty as its terminal
            try:
                # Its size before it starts: set from the parent after the fork, it raced
                # the console's first look (under load it started at 80x24, and the
                # SIGWINCH came before it listened for one).
                fcntl.ioctl(0, termios.TIOCSWINSZ,
                            struct.pack("HHHH", self.rows, self.cols, 0, 0))
                os.chdir(ROOT)
                os.execve(self.argv[0], self.argv, self.env)  # noqa: S606 - the console itself
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self._winsize()

    def _winsize(self) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))

    def resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self._winsize()
        if self._screen is not None:
            self._screen.resize(rows, cols)
        try:
            os.kill(self.pid, signal.SIGWINCH)  # as the kernel does for the foreground group
        except ProcessLookupError:
            pass

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def read_for(self, seconds: float) -> bytes:
        """Everything written in the next `seconds`."""
        got = bytearray()
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            got += self._read(left)
        return bytes(got)

    def until_quiet(self, quiet: float = 0.6, timeout: float = 30.0) -> bytes:
        """Everything written until nothing more comes for `quiet` seconds."""
        got = bytearray()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            chunk = self._read(quiet)
            if not chunk:
                return bytes(got)
            got += chunk
        raise TimeoutError(f"still writing after {timeout} s ({len(got)} bytes)")

    def until(self, text: str, timeout: float = 30.0) -> None:
        """Wait until `text` is on the screen (needs pyte)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.screen():
                return
            self._read(0.2)
        raise TimeoutError(f"{text!r} never showed; the screen:\n{self.screen()}")

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return b""
        self.written += chunk
        if self._screen is not None:
            # One decoder for the whole stream: a character split across two reads is
            # one character, not two replacement marks.
            self._stream.feed(self._decoder.decode(chunk))
        return chunk

    def screen(self) -> str:
        """The text a person sees now (rendered with pyte from every byte so far)."""
        if self._screen is None:
            import pyte

            self._screen = pyte.Screen(self.cols, self.rows)
            self._stream = pyte.Stream(self._screen)
            self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
            self._stream.feed(self._decoder.decode(bytes(self.written)))
        return "\n".join(self._screen.display)

    def close(self) -> int | None:
        if self.pid <= 0:
            return None
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        status = None
        for _ in range(50):
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            self._read(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.pid = 0
        return status


def demo_data_dir(factory: Any, name: str, orgs: int,
                  env: Callable[[Path], dict[str, str]]) -> Path:
    """A fresh data directory with `orgs` demo organizations (made by the CLI, as a person
    would), for the consoles a test module starts; `env(dir)` is their environment."""
    d = Path(factory.mktemp(name))
    subprocess.run([sys.executable, "-m", "tui.cli.main", "demo-data", "--orgs", str(orgs)],
                   env=env(d), check=True, capture_output=True, cwd=ROOT)
    return d
