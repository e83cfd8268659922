"""A console or relay killed outright leaves its catcher's directory in /tmp; the next one of
the same account takes such leftovers away, and nothing else."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailer.catcher import PREFIX, STALE_AFTER_S, Catcher, sweep_leftovers

OLD = time.time() - STALE_AFTER_S - 5


def _catcher_dir(root: Path, name: str, *, listening: bool | None, age: float = OLD) -> Path:
    """A directory as a catcher leaves it: with a socket a server listens on (True), with
    the socket of a server gone (False), or empty (None: killed before it listened)."""
    where = root / f"{PREFIX}{name}"
    where.mkdir(mode=0o700)
    if listening is not None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(where / "smtp.sock"))
        if listening:
            server.listen()
            _servers.append(server)
        else:
            server.close()
    os.utime(where, (age, age))
    return where


_servers: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_servers() -> Iterator[None]:
    yield
    while _servers:
        _servers.pop().close()


@pytest.fixture
def root() -> Iterator[Path]:
    """A short directory: a socket's path must fit in 108 bytes, and xdist's tmp_path may not."""
    where = Path(tempfile.mkdtemp(prefix="ldc-"))
    yield where
    shutil.rmtree(where, ignore_errors=True)


def test_only_this_accounts_dead_and_old_catchers_go(root: Path) -> None:
    dead = _catcher_dir(root, "dead", listening=False)
    empty = _catcher_dir(root, "empty", listening=None)
    live = _catcher_dir(root, "live", listening=True)
    young = _catcher_dir(root, "young", listening=None, age=time.time())
    other = _catcher_dir(root, "other", listening=False)
    (other / "smtp.sock").unlink()
    (other / "notes.txt").write_text("not a catcher's")
    os.utime(other, (OLD, OLD))
    plain = _catcher_dir(root, "plain", listening=None)
    (plain / "smtp.sock").write_text("a file, not a socket")
    os.utime(plain, (OLD, OLD))
    unrelated = root / "licensedesk-other-dead"
    unrelated.mkdir()
    os.utime(unrelated, (OLD, OLD))

    gone = sweep_leftovers(root)

    assert sorted(gone) == sorted([dead, empty])
    assert not dead.exists() and not empty.exists()
    for kept in (live, young, other, plain, unrelated):
        assert kept.exists(), kept
    assert (live / "smtp.sock").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a directory to another account needs root")
def test_another_accounts_leftover_stays(root: Path) -> None:
    theirs = _catcher_dir(root, "theirs", listening=None)
    os.chown(theirs, 65534, 65534)
    assert sweep_leftovers(root) == []
    assert theirs.exists()


async def test_a_starting_catcher_sweeps_what_a_killed_one_left(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(root))
    dead = _catcher_dir(root, "killed", listening=False)
    catcher = Catcher(root / "mailbox")
    path = await catcher.start()
    try:
        assert not dead.exists()
        assert path.parent.parent == root and path.exists()
        # its own, young and listening, survives another start's sweep
        assert sweep_leftovers(root, now=time.time() + STALE_AFTER_S * 2) == []
    finally:
        await catcher.stop()
    assert not path.parent.exists()
