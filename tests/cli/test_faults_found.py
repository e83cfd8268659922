"""Faults a tester found in the built product (given the issue, not our tests): each is one
line and the right exit status now, and nothing is half done."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from tests.cli.test_faults import (
    READ,
    STAFF,
    data,  # noqa: F401  (a fixture)
    fails,
    make_database,
    read_only,
    run_in_process,
)
from tests.mailer.data import license_with_invites


def test_a_missing_key_with_sealed_mail_waiting_is_refused_not_replaced(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """A new key cannot open the queued links: the worker failed every queued invitation."""
    make_database(data)
    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF))
    license_with_invites(ctx, ["bob@acme.example"])
    ctx.db.dispose()
    key = data / "licensedesk.db.key"
    key.unlink()
    for argv in (["worker", "--once"], READ):
        fails(capsys, argv, ["key file", "missing", str(key)], "fault table (database)")
    assert not key.exists()


def test_a_missing_key_with_nothing_sealed_is_simply_made(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    make_database(data)
    (data / "licensedesk.db.key").unlink()
    assert run_in_process(capsys, READ).code == 0
    assert (data / "licensedesk.db.key").exists()


def test_a_bad_staff_email_is_named_before_anything_is_written(
        data: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "bogus")
    fails(capsys, ["db", "upgrade"], ["LICENSEDESK_STAFF_EMAIL", "@-sign"],
          "fault table (settings)")
    assert not (data / "licensedesk.db").exists()


def test_a_worker_on_a_read_only_database_says_so(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    db = make_database(data)
    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF))
    license_with_invites(ctx, ["bob@acme.example"], staff_name=ensure_staff(ctx).name)
    ctx.db.dispose()
    with read_only(db):
        r = fails(capsys, ["worker", "--once"], ["read-only"], "fault table (database)")
    assert "a bug" not in r.err


def test_signup_server_on_a_taken_port_is_one_line(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    make_database(data)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        fails(capsys, ["signup-server", "--port", str(port)], ["cannot listen", str(port)],
              "fault table (database)")
