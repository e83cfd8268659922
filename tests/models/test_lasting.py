"""Which database errors a person has to act on (said as such) and which are retried."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from models.db import lasting, unreachable


def _sqlite_error(name: str, message: str) -> OperationalError:
    orig = sqlite3.OperationalError(message)
    orig.sqlite_errorname = name  # type: ignore[attr-defined]
    return OperationalError("INSERT ...", {}, orig)


URL = "sqlite:////srv/desk/licensedesk.db"


@pytest.mark.parametrize(("name", "message", "words"), [
    ("SQLITE_FULL", "database or disk is full", "is full"),
    ("SQLITE_READONLY", "attempt to write a readonly database", "read"),
    ("SQLITE_READONLY_DBMOVED", "attempt to write a readonly database", "read"),
])
def test_what_a_person_must_fix_is_said(name: str, message: str, words: str) -> None:
    err = _sqlite_error(name, message)
    assert unreachable(err), "still no bug of ours"
    said = lasting(err, URL)
    assert said is not None and words in str(said) and "/srv/desk/licensedesk.db" in str(said)


@pytest.mark.parametrize(("name", "message"), [
    ("SQLITE_BUSY", "database is locked"),
    ("SQLITE_LOCKED", "database table is locked"),
    # Not readable either: the console's outage status, which keeps trying (found by review:
    # as a toast it came back at every poll).
    ("SQLITE_CORRUPT", "database disk image is malformed"),
    ("SQLITE_NOTADB", "file is not a database"),
    ("SQLITE_CANTOPEN", "unable to open database file"),
])
def test_a_lock_or_an_unreadable_database_is_retried(name: str, message: str) -> None:
    assert lasting(_sqlite_error(name, message), URL) is None


def test_a_server_away_and_a_bug_are_not_lasting() -> None:
    away = OperationalError("SELECT 1", {}, Exception("connection refused"))
    assert lasting(away, "postgresql://u@127.0.0.1:1/x") is None
    assert lasting(ValueError("a bug"), URL) is None
    assert lasting(None, URL) is None


def test_a_full_disk_from_the_file_system(tmp_path: Path) -> None:
    err = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.db-wal"))
    said = lasting(err, f"sqlite:///{tmp_path}/x.db")
    assert said is not None and "full" in str(said)


def test_a_full_disk_elsewhere_is_not_the_databases(tmp_path: Path) -> None:
    """Found by review: a full /tmp when the mail catcher starts is no full database disk."""
    err = OSError(errno.ENOSPC, "No space left on device", str(tmp_path.parent / "catcher"))
    assert lasting(err, f"sqlite:///{tmp_path}/x.db") is None
    assert lasting(OSError(errno.ENOSPC, "No space left on device"),
                   f"sqlite:///{tmp_path}/x.db") is None
