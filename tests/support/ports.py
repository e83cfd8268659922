"""Loopback ports for servers a test starts later (a subprocess, Postfix, PostgreSQL), safe when
several test processes run at once (pytest-xdist workers, or two runs on one machine).

Binding port 0 and closing the socket gives a port that is free only until someone else binds
it: another worker's `bind(0)`, or a connection's ephemeral port, can take it before the server
starts. So `free_port()` picks from below the kernel's ephemeral range, where nothing is handed
out unasked, and claims each port with a lock file that this process holds until it exits: no
two test processes get the same port, and a port that is already bound is skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import socket
import tempfile
from pathlib import Path

LOCKS = Path(tempfile.gettempdir()) / "licensedesk-test-ports"
_held: list[int] = []  # lock files' descriptors, open (and locked) for this process's life


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on and no other test process will be given."""
    high = min(_ephemeral_low(), 32768)
    low = max(1024, high - 12000)
    with contextlib.suppress(FileExistsError):
        LOCKS.mkdir(mode=0o1777)
        LOCKS.chmod(0o1777)  # sticky, like /tmp: any account's tests may claim ports here
    for _ in range(500):
        port = random.randrange(low, high)
        try:
            fd = os.open(LOCKS / str(port), os.O_RDWR | os.O_CREAT, 0o600)
        except PermissionError:  # another account's claim
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if _bindable(port):
            _held.append(fd)
            return port
        os.close(fd)
    raise RuntimeError(f"no free loopback port found between {low} and {high}")
