"""Shared by the hostile-input tests: running the CLI in this process and as a real
process, the argument surface read from the parser itself, hostile values, a snapshot of
every row, and the counts the closing note of issue 10 asks for."""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import tui.cli.main
from tui.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
EXIT_STATUSES = {0, 1, 2}

# Hostile values. Numbers: past 64 bits, negative, zero, the edges of BIGINT, and forms
# int() takes but a person would not mean (Unicode digits, underscores, spaces).
NUMBERS = ["0", "-1", "99999999999999999999", str(2**63), str(2**63 - 1), str(2**64),
           str(-(2**63)), "-99999999999999999999", "1e3", "0x10", "\u0661", "1_000", " 7 ",
           "+5", "9" * 5000, ""]
# Every kind of line break Python's str.splitlines() knows, and the escapes a terminal obeys.
LINE_BREAKS = ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
               "\u2029"]
TEXTS = [
    os.fsdecode(b"Acme\xff"),  # bytes that are not UTF-8, as argv holds them
    os.fsdecode(b"\xff\xfe"),
    *[f"line{c}break" for c in LINE_BREAKS],
    "\x1b[2J\x1b[H", "\x1b]0;owned\x07", "evil\x1b[31m@x.example:Agent",
    "=?utf-8?q?=41dmin?=", "=?utf-8?b?QWRtaW4=?= <a@b.example>",
    "x" * 10000, "a@" + "b" * 5000 + ".example:Agent", "", " ", "-", "--", ":", "a:b",
    "[b]markup[/b]", "%s%n%x", "\u202eevil", "a\x00b",
    "ann\u2028x@client.example:Agent", "bo@client.example:Ag\u2029ent",
]
HOSTILE = NUMBERS + TEXTS


@dataclass
class Run:
    code: int
    out: str
    err: str
    crashed: str | None = None  # an exception main() let out: a traceback at the process level

    @property
    def traceback(self) -> bool:
        return (self.crashed is not None or "Traceback" in self.err
                or "unexpected error" in self.err)


# The same parser for every case: building it is most of what a refused command line costs
# (argparse asks gettext for each help string), and parsing leaves it as it was.
_one_parser = functools.cache(build_parser)


def run_in_process(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Run:
    capsys.readouterr()
    crashed = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(tui.cli.main, "build_parser", _one_parser)
            code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    except BaseException as err:
        crashed, code = f"{type(err).__name__}: {err}", -1
    out, err = capsys.readouterr()
    return Run(code, out, err, crashed)


def run_process(argv: list[str | bytes], env: dict[str, str] | None = None,
                timeout: float = 120) -> Run:
    proc = subprocess.run([sys.executable, "-m", "tui.cli.main", *argv], cwd=ROOT,
                          capture_output=True, timeout=timeout, check=False,
                          env=env if env is not None else dict(os.environ))
    return Run(proc.returncode, proc.stdout.decode("utf-8", "backslashreplace"),
               proc.stderr.decode("utf-8", "backslashreplace"))


def one_line_failure(r: Run) -> None:
    """What every failure must look like: a status in {1, 2} and one line on stderr."""
    assert not r.traceback, r
    assert r.code in EXIT_STATUSES - {0}, r
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("licensedesk"), r
    # One line for a terminal too: nothing str.splitlines() would not see either.
    assert lines[0].isprintable(), r


# The argument surface, read from the parser so a new option is covered without a change.

@dataclass
class Command:
    path: tuple[str, ...]
    positionals: list[argparse.Action] = field(default_factory=list)
    options: list[argparse.Action] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(self.path)


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> Iterator[Command]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if subs:
        for name, sub in subs[0].choices.items():
            yield from _leaves(sub, (*path, name))
        return
    cmd = Command(path)
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction):
            continue
        (cmd.options if a.option_strings else cmd.positionals).append(a)
    yield cmd


def surface() -> tuple[list[argparse.Action], list[Command]]:
    """(top-level options, every leaf command with its positionals and options)."""
    parser = build_parser()
    top = [a for a in parser._actions
           if a.option_strings and not isinstance(a, argparse._HelpAction)]
    return top, list(_leaves(parser, ()))


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


def is_number(action: argparse.Action) -> bool:
    return getattr(action.type, "__name__", "") == "int"


# Plausible values, so that a command gets past its other arguments to the one under test.
PLAUSIBLE = {
    "license_id": "1", "ids": "1", "org": "1", "license": "1", "limit": "5", "offset": "0",
    "orgs": "1", "seed": "3", "seats": "2", "trial_days": "20", "port": "8080",
    "host": "127.0.0.1", "name": "Acme", "client_name": "Ann", "client_email": "a@b.example",
    "invites": "zed@client.example:Agent", "invite": "zed@client.example:Agent",
    "search": "a", "mail_id": "nope", "as_email": "sam@partner.example",
}


def plausible(action: argparse.Action) -> str:
    if action.choices:
        return str(next(iter(action.choices)))
    return PLAUSIBLE.get(action.dest, "1" if is_number(action) else "x")


def option_string(action: argparse.Action) -> str:
    return max(action.option_strings, key=len)


def baseline(cmd: Command) -> list[str]:
    """The command with every required argument given a plausible value."""
    argv = list(cmd.path)
    for a in cmd.options:
        if a.required:
            argv += [option_string(a), plausible(a)]
    for a in cmd.positionals:
        argv.append(plausible(a))
    return argv


def with_value(cmd: Command, target: argparse.Action, value: str) -> list[str]:
    """The command with `value` given to `target` and plausible values elsewhere."""
    argv = list(cmd.path)
    for a in cmd.options:
        if a is target:
            argv += [f"{option_string(a)}={value}"]
        elif a.required:
            argv += [option_string(a), plausible(a)]
    for a in cmd.positionals:
        argv.append(value if a is target else plausible(a))
    return argv


# Every row, to show that a refused command changed none.

def snapshot(db_file: Path, skip: tuple[str, ...] = ()) -> str:
    con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return _digest(con, skip)
    finally:
        con.close()


def _digest(con: sqlite3.Connection, skip: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    tables = [t for (t,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    for t in tables:
        if t in skip:
            continue
        digest.update(t.encode())
        for row in con.execute(f'SELECT * FROM "{t}" ORDER BY rowid'):  # noqa: S608
            digest.update(repr(row).encode())
    return digest.hexdigest()


class Snapshots:
    """`snapshot`, read again only when the database may have changed: SQLite's
    `PRAGMA data_version`, asked on one connection that never writes, moves whenever any
    other connection (or process) commits. The sweep of thousands of refused commands
    read every row twice a case, a third of its time, for a database none of them touched."""

    def __init__(self, db_file: Path) -> None:
        self.con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        self.version: int | None = None
        self.digests: dict[tuple[str, ...], str] = {}

    def __call__(self, skip: tuple[str, ...] = ()) -> str:
        (version,) = self.con.execute("PRAGMA data_version").fetchone()
        if version != self.version:
            self.version, self.digests = version, {}
        if skip not in self.digests:
            self.digests[skip] = _digest(self.con, skip)
        return self.digests[skip]

    def close(self) -> None:
        self.con.close()


@contextlib.contextmanager
def stubbed_long_runners(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`signup-server` and `worker` run until stopped, and `demo-data` would grow the shared
    database with every case it accepts: once their arguments have passed, they return.
    (Each has its own tests; here only what stands before them is under test.)"""
    import models.demo
    import signup.server
    import tui.cli.mail_cmds

    async def worker(ctx: object, once: bool) -> int:
        return 0

    monkeypatch.setattr(signup.server, "serve", lambda *a, **k: None)
    monkeypatch.setattr(tui.cli.mail_cmds, "_worker", worker)
    monkeypatch.setattr(models.demo, "make_demo_data", lambda *a, **k: {"organizations": 0})
    yield
