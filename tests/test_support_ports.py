"""tests/support/ports.py: parallel test processes never share a port."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ports

ROOT = Path(__file__).resolve().parents[1]
HOLD = ("import sys; from tests.support.ports import free_port\n"
        "print(free_port(), flush=True); sys.stdin.read()")


def _offer(monkeypatch: pytest.MonkeyPatch, *choices: int) -> None:
    """The ports `free_port` draws, in this order (then any)."""
    queue = list(choices)
    real = ports.random.randrange
    monkeypatch.setattr(ports.random, "randrange",
                        lambda a, b: queue.pop(0) if queue else real(a, b))


@pytest.fixture
def held_elsewhere() -> Iterator[int]:
    """A port another live process got from free_port."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline())
    finally:
        proc.kill()
        proc.wait(10)


def test_a_port_another_process_was_given_is_not_given_again(
        monkeypatch: pytest.MonkeyPatch, held_elsewhere: int) -> None:
    _offer(monkeypatch, held_elsewhere)
    assert ports.free_port() != held_elsewhere


def test_a_bound_port_is_skipped_and_ports_are_below_the_ephemeral_range(
        monkeypatch: pytest.MonkeyPatch) -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        _offer(monkeypatch, s.getsockname()[1])
        port = ports.free_port()
    assert port < low
    with socket.socket() as s:  # and it really is free
        s.bind(("127.0.0.1", port))


def test_one_process_never_gets_a_port_twice() -> None:
    got = [ports.free_port() for _ in range(50)]
    assert len(set(got)) == len(got)
