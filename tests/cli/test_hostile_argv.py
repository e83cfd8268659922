"""Issue 10: the CLI's whole argument surface, as a clumsy user or an attacker types it.

The commands and options come from the parser itself, so a new one is covered without
touching this file. Every case must end with no traceback, an exit status in {0, 1, 2},
and, when it fails, exactly one printable line on stderr and not one row changed.

- `test_every_argument_with_every_hostile_value`: each value-taking argument of each
  command, in turn, with each hostile value (the others plausible).
- `test_hostile_command_lines`: hypothesis mixes several hostile and plausible values,
  flags and stray tokens in one command line.
- `test_hostile_command_lines_as_real_processes`: a handful of them through a real
  process, with real non-UTF-8 bytes in argv.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.context import Ctx
from models.settings import Settings
from models.staff import ensure_staff
from tests.cli.hostile import (
    EXIT_STATUSES,
    HOSTILE,
    NUMBERS,
    TEXTS,
    Command,
    Run,
    Snapshots,
    is_number,
    one_line_failure,
    option_string,
    plausible,
    run_in_process,
    run_process,
    snapshot,
    stubbed_long_runners,
    surface,
    takes_value,
    with_value,
)
from tests.support.hostile_tally import count

STAFF = "sam@partner.example"
OTHER_STAFF = "kim@partner.example"
TOP, COMMANDS = surface()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database with a little of everything, shared by every case of this module
    (a refused case must leave it as it was, which each case checks)."""
    from models.invitations import revoke
    from models.licenses import create_license
    from models.organizations import create_organization
    from models.staff import claim_first_lead
    from models.views import InviteRequest

    data = tmp_path_factory.mktemp("hostile") / "data"
    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF, staff_name="Sam"))
    try:
        # This login its lead, as `db upgrade` makes it: a case must not depend on an
        # earlier one in the same process having done that (xdist splits the module).
        me = claim_first_lead(ctx, "Sam", STAFF)
        ensure_staff(ctx, OTHER_STAFF)
        for n in range(3):
            org = create_organization(ctx, me, name=f"Org {n}", client_name=f"Client {n}",
                                      client_email=f"owner{n}@client{n}.example")
            create_license(ctx, me, organization_id=org, product_key="helpdesk", invites=[
                InviteRequest(f"{who}@client{n}.example", role)
                for who, role in (("ann", "Agent"), ("bo", "Viewer"), ("cy", "Administrator"))])
        revoke(ctx, me, [2])
    finally:
        ctx.db.dispose()
    return data


@pytest.fixture
def env(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LICENSEDESK_DATA_DIR", str(seeded))
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", STAFF)
    # `export --output` writes the file it is given: hostile names land here, not in the
    # directory the tests were started from.
    monkeypatch.chdir(tmp_path)
    with stubbed_long_runners(monkeypatch):
        yield seeded / "licensedesk.db"


@pytest.fixture(scope="module")
def rows(seeded: Path) -> Iterator[Snapshots]:
    snapshots = Snapshots(seeded / "licensedesk.db")
    yield snapshots
    snapshots.close()


def check(capsys: pytest.CaptureFixture[str], rows: Snapshots, argv: list[str],
          kind: str) -> Run:
    # Someone acting with --as is registered on first use, refused command or not: that row
    # is who ran it, not what they typed. Every other table must stay as it was.
    skip = ("staff",) if "--as" in argv or any(a.startswith("--as=") for a in argv) else ()
    before = rows(skip)
    r = run_in_process(capsys, argv)
    count(kind, r.traceback, r.code)
    assert not r.traceback, (argv, r)
    assert r.code in EXIT_STATUSES, (argv, r)
    if r.code != 0:
        one_line_failure(r)
        assert rows(skip) == before, (argv, r)
    return r


def _value_args(cmd: Command) -> list[object]:
    return [a for a in (*cmd.positionals, *cmd.options) if takes_value(a)]


SWEEP = [(cmd, arg) for cmd in COMMANDS for arg in _value_args(cmd)]


def test_the_surface_is_read_from_the_parser() -> None:
    names = {c.name for c in COMMANDS}
    assert {"db upgrade", "demo-data", "org add", "org list", "license create", "license show",
            "invite", "invitations", "remind", "resend", "revoke", "alerts", "worker",
            "outbox", "mail list", "mail show", "signup-server", "import", "export"} <= names
    assert len(SWEEP) >= 25


@pytest.mark.parametrize(("cmd", "arg"), SWEEP,
                         ids=[f"{c.name}:{getattr(a, 'dest', '?')}" for c, a in SWEEP])
def test_every_argument_with_every_hostile_value(
        env: Path, rows: Snapshots, capsys: pytest.CaptureFixture[str], cmd: Command,
        arg: object) -> None:
    import argparse

    assert isinstance(arg, argparse.Action)
    values = NUMBERS + TEXTS[:12] if is_number(arg) else HOSTILE
    for value in values:
        check(capsys, rows, with_value(cmd, arg, value), "sweep (every argument x every value)")


def test_every_top_level_option_with_every_hostile_value(
        env: Path, rows: Snapshots, capsys: pytest.CaptureFixture[str]) -> None:
    for action in TOP:
        for value in HOSTILE:
            check(capsys, rows, [f"{option_string(action)}={value}", "org", "list"],
                  "sweep (every argument x every value)")


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command with a random mix of hostile and plausible values, flags and strays."""
    cmd = draw(st.sampled_from(COMMANDS))

    def value(action: object) -> str:
        import argparse

        assert isinstance(action, argparse.Action)
        pool = NUMBERS if is_number(action) else HOSTILE
        choices = [str(c) for c in action.choices or ()]
        return draw(st.one_of(st.sampled_from(pool), st.sampled_from(choices or pool),
                              st.just(plausible(action)),
                              st.text(max_size=12), st.integers().map(str)))

    argv: list[str] = []
    if draw(st.booleans()):
        argv += ["--as", draw(st.sampled_from([STAFF, OTHER_STAFF, *TEXTS[:8]]))]
    argv += list(cmd.path)
    for a in cmd.options:
        if a.required or draw(st.booleans()):
            if not takes_value(a):
                argv.append(option_string(a))
                continue
            n = draw(st.integers(1, 3)) if a.nargs in ("+", "*") else 1
            for _ in range(draw(st.integers(1, 2))):  # an option given twice, sometimes
                argv += [option_string(a), *[value(a) for _ in range(n)]]
                if not draw(st.booleans()):
                    break
    for a in cmd.positionals:
        n = draw(st.integers(1, 3)) if a.nargs in ("+", "*") else 1
        argv += [value(a) for _ in range(n)]
    if draw(st.integers(0, 9)) == 0:  # a stray token somewhere
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from(HOSTILE)))
    return argv


@settings(max_examples=1000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(argv=command_lines())
def test_hostile_command_lines(env: Path, rows: Snapshots,
                               capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    check(capsys, rows, argv, "property (hypothesis command lines)")


PROCESS_CASES: list[tuple[list[str | bytes], str]] = [
    ([b"org", b"add", b"--name", b"Acme\xff", b"--client-name", b"Ann", b"--client-email",
      b"a@b.example"], "argument --name"),
    ([b"org", b"list", b"--search", b"\xff"], "argument --search"),
    (["revoke", "99999999999999999999"], "out of range"),
    (["license", "show", str(2**64)], "out of range"),
    (["invitations", "--limit", "-1"], "argument --limit"),
    (["signup-server", "--port", "70000"], "argument --port"),
    (["invite", "1", "ann\u2028x@client.example:Agent"], "nothing sent"),
    (["alerts", "--since", "x\ny\x1b[2J"], "unrecognized arguments"),
    (["license", "create", "--org", "1", "--product", "livechat", "--plan", "bogus",
      "--seats", "-3"], "invalid choice"),
]


@pytest.mark.parametrize(("argv", "says"), PROCESS_CASES,
                         ids=[str(i) for i in range(len(PROCESS_CASES))])
def test_hostile_command_lines_as_real_processes(env: Path, argv: list[str | bytes],
                                                 says: str) -> None:
    before = snapshot(env)
    r = run_process(argv, env=dict(os.environ))
    count("real processes", r.traceback, r.code)
    one_line_failure(r)
    assert says in r.err, r
    assert snapshot(env) == before


def test_the_cached_snapshot_sees_another_connections_commit(tmp_path: Path) -> None:
    """What lets the sweep skip reading every row: a row another connection commits moves
    the snapshot; a refused command (another process) leaves it as it was."""
    data = tmp_path / "data"
    ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF))
    ensure_staff(ctx)
    ctx.db.dispose()
    rows = Snapshots(data / "licensedesk.db")
    try:
        before = rows()
        refused = run_process(["org", "add", "--name", "", "--client-name", "A",
                               "--client-email", "a@b.example"],
                              env={**os.environ, "LICENSEDESK_DATA_DIR": str(data),
                                   "LICENSEDESK_STAFF_EMAIL": STAFF})
        assert refused.code != 0 and rows() == before
        from models.organizations import create_organization

        ctx = Ctx.open(Settings(data_dir=data, staff_email=STAFF))
        try:
            create_organization(ctx, ensure_staff(ctx), name="Acme", client_name="Ann",
                                client_email="ann@acme.example")
        finally:
            ctx.db.dispose()
        assert rows() != before
        assert rows() == snapshot(data / "licensedesk.db")
    finally:
        rows.close()
