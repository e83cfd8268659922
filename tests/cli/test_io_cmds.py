"""`licensedesk import` and `licensedesk export`: a verdict line per row, a summary, the exit
status the help states; hostile files are one line and an exit status, never a hang."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli.test_commands import (  # noqa: F401  (fixtures)
    USAGE,
    Cli,
    bare_cli,
    cli,
    counts,
    lic,
    org,
    refused,
)
from tui.cli.main import main


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    f = tmp_path / "people.csv"
    f.write_text("E-mail;Role;Name\nnew@client.example;Agent;New\nann@client.example;Agent;\n"
                 "bad address;Agent;\nzed@client.example;Owner;\n", encoding="utf-8")
    return f


def test_dry_run_gives_every_row_a_line_and_sends_nothing(cli: Cli, lic: int,  # noqa: F811
                                                          sheet: Path) -> None:
    before = counts()
    r = cli("import", str(lic), str(sheet), "--dry-run")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split()[:4] == ["line", "2", "ok", "new@client.example"]
    assert lines[1].split()[:3] == ["line", "3", "open"]
    assert lines[2].split()[:3] == ["line", "4", "invalid"]
    assert lines[3].split()[:3] == ["line", "5", "role"]
    assert lines[4].startswith("dry run, nothing sent: 4 row(s), 1 would be invited, "
                               "3 refused")
    assert counts() == before


def test_a_real_run_sends_the_ok_rows_and_reports_the_rest(cli: Cli, lic: int,  # noqa: F811
                                                           sheet: Path) -> None:
    r = cli("import", str(lic), str(sheet), "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    assert data["sent"] == 1 and data["ok"] == 1 and data["refused"] == 3
    assert [row["verdict"] for row in data["rows"]] == ["ok", "open", "invalid", "role"]
    assert isinstance(data["rows"][0]["invitation_id"], int)
    # Again: nothing left to send; every row is reported, and the exit status says so.
    before = counts()
    again = cli("import", str(lic), str(sheet))
    assert again.code == 1
    assert again.out.splitlines()[-1].startswith("nothing sent: 4 row(s), 4 refused")
    assert counts() == before


@pytest.mark.parametrize(("make", "says"), [
    (lambda d: d / "missing.csv", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: (os.mkfifo(d / "fifo"), d / "fifo")[1], "not a regular file"),
    (lambda d: ((d / "zero").symlink_to("/dev/zero"), d / "zero")[1], "not a regular file"),
    (lambda d: ((d / "big.csv").write_bytes(b"x" * 20_000_000), d / "big.csv")[1],
     "larger than 5 MB"),
    (lambda d: ((d / "l1.csv").write_bytes("é@x.example,Agent\n".encode("latin-1")),
                d / "l1.csv")[1], "not UTF-8"),
    (lambda d: ((d / "empty.csv").write_bytes(b""), d / "empty.csv")[1], "no rows"),
])
def test_hostile_files_are_one_line_and_exit_2(cli: Cli, lic: int, tmp_path: Path,  # noqa: F811
                                               make: object, says: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    refused(cli, "import", str(lic), str(path), says=says, code=USAGE)


def test_import_help_states_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Exit status: 0 when at least one invitation was sent" in out


def test_export_writes_a_private_file_under_exports_and_prints_its_path(
        cli: Cli, lic: int) -> None:  # noqa: F811
    r = cli("export", "users", "--license", str(lic), "--bom")
    assert r.code == 0, r.err
    path = Path(r.out.strip())
    assert path.parent.name == "exports" and path.name.startswith(f"users-license{lic}-")
    assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffkind,id,email")
    emails = {row["email"] for row in csv.DictReader(io.StringIO(text[1:], newline=""))}
    assert {"ann@client.example", "bo@client.example"} <= emails


@pytest.mark.parametrize("what", ["clients", "licenses", "attention", "alerts", "outbox"])
def test_export_every_list_to_stdout_as_json(cli: Cli, lic: int, what: str) -> None:  # noqa: F811
    r = cli("export", what, "--format", "json", "--output", "-")
    assert r.code == 0, r.err
    assert isinstance(json.loads(r.out), list)


def test_export_to_a_named_file(cli: Cli, lic: int, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "hist.csv"
    r = cli("export", "history", "--license", str(lic), "--output", str(out))
    assert r.code == 0, r.err and r.out.strip() == str(out)
    assert next(csv.reader(io.StringIO(out.read_text())))[:3] == ["id", "at", "actor"]


@pytest.mark.parametrize(("argv", "says"), [
    (["export", "users"], "needs --license"),
    (["export", "clients", "--license", "1"], "--license is for users and history"),
    (["export", "users", "--org", "1", "--license", "1"], "--org is for licenses"),
    (["export", "clients", "--format", "json", "--bom"], "--bom is for CSV only"),
    (["export", "clients", "--output", "/nonexistent/dir/x.csv"], "no directory"),
    (["export", "clients", "--output", "/"], "is a directory"),
    (["export", "clients", "--output", "a\nb.csv"], "not a file name"),
    (["export", "spreadsheet"], "invalid choice"),
])
def test_export_refusals(cli: Cli, lic: int, argv: list[str], says: str) -> None:  # noqa: F811
    refused(cli, *argv, says=says)


def test_export_of_a_license_that_is_not_there(cli: Cli) -> None:  # noqa: F811
    refused(cli, "export", "users", "--license", "999", says="no license with id 999", code=1)
