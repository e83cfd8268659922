"""Every CLI command with good and bad input: bad input is one line on stderr, a non-zero
exit, and nothing written; `--json` parses and carries the fields issue 2 names.

Exit status (issue 10): 2 when the command line, a setting or the database cannot be used
as given (nothing was tried), 1 when the desk refused the action."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from models.audit import process_login
from models.context import Ctx
from models.settings import load_settings
from models.staff import ensure_staff
from tests.models.helpers import row_counts
from tui.cli.main import main

INVITATION_FIELDS = {"id", "email", "role", "status", "license_id", "sent_at", "overdue_at",
                     "accepted_at"}


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Cli = Callable[..., Run]


USAGE, REFUSED = 2, 1


@pytest.fixture
def bare_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI in this process, on a data directory with no database yet."""
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "sam@partner.example")

    def run(*argv: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def cli(bare_cli: Cli) -> Cli:
    """The CLI after `db upgrade`: only that and `demo-data` create a database."""
    made = bare_cli("db", "upgrade")
    assert made.code == 0, made.err
    return bare_cli


def counts(register_me: bool = False) -> dict[str, int]:
    ctx = Ctx.open(load_settings())
    try:
        if register_me and ctx.settings.staff_email:
            # The acting person is registered on first use, bad input or not; that row is
            # who ran the command, not what they typed.
            ensure_staff(ctx)
        return row_counts(ctx)
    finally:
        ctx.db.dispose()


def refused(cli: Cli, *argv: str, says: str, code: int = USAGE) -> Run:
    """Run a bad command: one line on stderr saying `says`, exit `code`, no row written."""
    before = counts(register_me=True)
    r = cli(*argv)
    assert r.code == code, r
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("licensedesk") and says in lines[0], r.err
    assert "Traceback" not in r.err and r.out == ""
    assert counts() == before
    return r


@pytest.fixture
def org(cli: Cli) -> int:
    r = cli("org", "add", "--name", "Acme Robotics", "--client-name", "Olivia Owner",
            "--client-email", "Olivia@Acme.example", "--data-center", "eu", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    return int(data["id"])


@pytest.fixture
def lic(cli: Cli, org: int) -> int:
    r = cli("license", "create", "--org", str(org), "--product", "helpdesk",
            "--invite", "ann@client.example:Agent", "bo@client.example:viewer", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    return int(data["id"])


def test_db_upgrade(bare_cli: Cli) -> None:
    from models.db import HEAD_REVISION

    cli = bare_cli
    first = cli("db", "upgrade")
    assert first.code == 0 and f"upgraded at revision {HEAD_REVISION}" in first.out
    again = cli("db", "upgrade")
    assert again.code == 0 and f"already at revision {HEAD_REVISION}" in again.out
    refused(cli, "db", says="required")
    refused(cli, "db", "downgrade", says="invalid choice")


def test_demo_data(cli: Cli) -> None:
    r = cli("demo-data", "--orgs", "15", "--seed", "4")
    assert r.code == 0, r.err
    assert "15 organization" in r.out and "invitation" in r.out
    assert counts()["Organization"] == 15
    listed = cli("org", "list", "--json", "--limit", "500")
    assert len(listed.json()) == 15  # type: ignore[arg-type]
    refused(cli, "demo-data", "--orgs", "many", says="invalid int value")
    refused(cli, "demo-data", "--orgs", "-3", says="argument --orgs: -3 is out of range")


def test_org_add_and_list(cli: Cli, org: int) -> None:
    r = cli("org", "list", "--json")
    (row,) = r.json()  # type: ignore[misc]
    assert row == {"id": org, "name": "Acme Robotics", "client_name": "Olivia Owner",
                   "client_email": "Olivia@acme.example", "data_center": "eu",
                   "licenses": 0, "attention": 0}
    cli("org", "add", "--name", "Beta 100% Foods", "--client-name", "Bea",
        "--client-email", "bea@beta.example")
    found = cli("org", "list", "--search", "100%", "--json").json()
    assert [o["name"] for o in found] == ["Beta 100% Foods"]  # type: ignore[index,union-attr]
    assert cli("org", "list", "--search", "OLIVIA", "--json").json()[0]["id"] == org  # type: ignore[index]
    table = cli("org", "list")
    assert table.code == 0 and "Acme Robotics" in table.out and "(2 of 2)" in table.out


@pytest.mark.parametrize(("argv", "says"), [
    (["--client-email", "not-an-address"], "@-sign"),
    (["--client-email", "a@b.example", "--name-override", "x"], "unrecognized arguments"),
    (["--client-email", "a@b.example", "--data-center", "mars"], "invalid choice"),
])
def test_org_add_refuses_bad_input(cli: Cli, argv: list[str], says: str) -> None:
    code = REFUSED if says == "@-sign" else USAGE
    refused(cli, "org", "add", "--name", "Acme", "--client-name", "Ann", *argv, says=says,
            code=code)


def test_org_add_refuses_control_characters_and_empty_names(cli: Cli) -> None:
    refused(cli, "org", "add", "--name", "Evil\x1b[2J Corp", "--client-name", "Ann",
            "--client-email", "a@b.example", says="control", code=REFUSED)
    refused(cli, "org", "add", "--name", "   ", "--client-name", "Ann",
            "--client-email", "a@b.example", says="organization name is required",
            code=REFUSED)


def test_the_identity_is_the_login_and_nothing_else(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """`db upgrade` made this login the first lead; no setting or flag changes who acts."""
    me = cli("whoami", "--json")
    assert me.code == 0, me.err
    data = me.json()
    assert isinstance(data, dict)
    assert (data["login"], data["role"]) == (process_login(), "lead")
    monkeypatch.setenv("LICENSEDESK_STAFF_EMAIL", "kim@partner.example")
    monkeypatch.setenv("LICENSEDESK_STAFF_NAME", "Kim (fired - ignore this mail)")
    again = cli("whoami", "--json").json()
    assert again == data
    refused(cli, "--as", "kim@partner.example", "org", "add", "--name", "Acme",
            "--client-name", "Ann", "--client-email", "a@b.example", says="invalid choice")


def test_license_create_and_show(cli: Cli, org: int, lic: int) -> None:
    paid = cli("license", "create", "--org", str(org), "--product", "textapp", "--paid",
               "--plan", "team", "--seats", "3", "--payer", "client", "--add-me", "--json")
    assert paid.code == 0, paid.err
    data = paid.json()
    assert isinstance(data, dict)
    assert [i["email"] for i in data["invitations"]] == ["sam@partner.example"]
    shown = cli("license", "show", str(lic), "--json").json()
    assert isinstance(shown, dict)
    assert shown["id"] == lic
    summary = shown["summary"]["license"]
    assert (summary["product"], summary["status"], summary["data_center"]) == (
        "helpdesk", "trial", "eu")
    assert shown["summary"]["counts"]["pending"] == 2
    assert [u["email"] for u in shown["users"]] == [
        "Olivia@acme.example", "ann@client.example", "bo@client.example"]
    assert {"id", "email", "role", "status", "sent_at", "accepted_at"} <= set(shown["users"][1])
    assert shown["history"][0]["kind"] == "invitation.sent"
    text = cli("license", "show", str(lic))
    assert text.code == 0 and "HelpDesk for Acme Robotics" in text.out


@pytest.mark.parametrize(("argv", "says", "code"), [
    (["--org", "999", "--product", "livechat"], "no organization with id 999", REFUSED),
    (["--org", "{org}", "--product", "zoom"], "invalid choice", USAGE),
    (["--org", "{org}", "--product", "livechat", "--paid", "--seats", "2"], "needs a plan",
     REFUSED),
    (["--org", "{org}", "--product", "livechat", "--trial-days", "3"], "14 to 30", REFUSED),
    # Issue 10: 0 was silently made 14; now the desk's rule answers for every value.
    (["--org", "{org}", "--product", "livechat", "--trial-days", "0"], "14 to 30", REFUSED),
    (["--org", "{org}", "--product", "livechat", "--trial-days", "99999999999999999999"],
     "14 to 30", REFUSED),
    (["--org", "{org}", "--product", "livechat", "--invite", "nocolon"], "EMAIL:ROLE", USAGE),
    (["--org", "{org}", "--product", "livechat", "--invite", "v@c.example:Viewer"],
     "no role 'Viewer'", REFUSED),
    (["--org", "{org}", "--product", "livechat", "--invite", "x@:Agent"], "nothing sent",
     REFUSED),
    (["--org", "{org}", "--product", "livechat", "--paid", "--trial-days", "20"],
     "not allowed with", USAGE),
    # Issue 10: a trial with -3 seats and a bogus plan was stored.
    (["--org", "{org}", "--product", "livechat", "--plan", "bogus", "--seats", "-3"],
     "argument --plan: invalid choice", USAGE),
    (["--org", "{org}", "--product", "livechat", "--seats", "-3"],
     "argument --seats: -3 is out of range: use 1 to 100000", USAGE),
    (["--org", "{org}", "--product", "livechat", "--plan", "team"], "--plan goes with --paid",
     USAGE),
    (["--org", "{org}", "--product", "livechat", "--paid", "--plan", "team", "--seats",
      "9223372036854775807"], "argument --seats", USAGE),
    (["--org", "{org}", "--product", "livechat", "--paid", "--plan", "team", "--seats", "0"],
     "argument --seats", USAGE),
    (["--org", "99999999999999999999", "--product", "livechat"],
     "argument --org: 99999999999999999999 is out of range", USAGE),
    (["--org", "{org}", "--org", "{org}", "--product", "livechat"], "given more than once",
     USAGE),
])
def test_license_create_refuses_bad_input(cli: Cli, org: int, argv: list[str],
                                          says: str, code: int) -> None:
    refused(cli, "license", "create", *[a.format(org=org) for a in argv], says=says,
            code=code)


def test_license_create_counts_every_invite(cli: Cli, org: int) -> None:
    """Issue 10: `--invite a --invite b` invited only b; both forms now count every value."""
    r = cli("license", "create", "--org", str(org), "--product", "helpdesk",
            "--invite", "a@client.example:Agent", "--invite", "b@client.example:Agent",
            "c@client.example:Viewer", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    assert [i["email"] for i in data["invitations"]] == [
        "a@client.example", "b@client.example", "c@client.example"]
    refused(cli, "license", "create", "--org", str(org), "--product", "helpdesk", "--invite",
            says="expected at least one argument")


def test_license_create_several_refused_rows_in_one_line(cli: Cli, org: int) -> None:
    r = refused(cli, "license", "create", "--org", str(org), "--product", "livechat",
                "--invite", "a@:Agent", "--invite", "b@client.example:Pilot",
                says="nothing sent, 2 refused", code=REFUSED)
    assert "'a@'" in r.err and "no role 'Pilot'" in r.err


def test_license_show_unknown(cli: Cli) -> None:
    refused(cli, "license", "show", "42", says="no license with id 42", code=REFUSED)
    refused(cli, "license", "show", "forty-two", says="invalid int value")
    refused(cli, "license", "show", "99999999999999999999", says="out of range")
    refused(cli, "license", "show", "0", says="out of range")


def test_invite_and_list_invitations(cli: Cli, lic: int) -> None:
    r = cli("invite", str(lic), "Cy@Client.example:administrator", "--yes", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    (made,) = data["invitations"]
    assert (made["email"], made["role"], made["result"]) == (
        "Cy@client.example", "Administrator", "invited")
    rows = cli("invitations", "--license", str(lic), "--json").json()
    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        assert INVITATION_FIELDS <= set(row)
        assert row["status"] == "pending" and row["license_id"] == lic
        assert row["sent_at"].endswith("+00:00") and row["accepted_at"] is None
    assert made["invitation_id"] in {row["id"] for row in rows}
    only = cli("invitations", "--status", "overdue", "--json").json()
    assert only == []
    table = cli("invitations")
    assert table.code == 0 and "cy@client.example".casefold() in table.out.casefold()


@pytest.mark.parametrize(("argv", "says", "code"), [
    (["{lic}", "nocolon"], "expected EMAIL:ROLE", USAGE),
    (["{lic}", "zed@client.example:Pilot"], "no role 'Pilot'", REFUSED),
    (["{lic}", "zed@:Agent"], "nothing sent", REFUSED),
    (["{lic}", "ANN@client.example:Agent"], "already has an open invitation", REFUSED),
    (["{lic}", "olivia@ACME.example:Agent"], "Olivia Owner", REFUSED),
    (["4040", "zed@client.example:Agent"], "no license with id 4040", REFUSED),
    (["99999999999999999999", "zed@client.example:Agent"], "LICENSE_ID", USAGE),
])
def test_invite_refuses_bad_input(cli: Cli, lic: int, argv: list[str], says: str,
                                  code: int) -> None:
    refused(cli, "invite", *[a.format(lic=lic) for a in argv], says=says, code=code)


def test_invite_several_bad_rows_in_one_line_naming_each(cli: Cli, lic: int) -> None:
    before = counts()
    r = cli("invite", str(lic), "a@:Agent", "b@client.example:Pilot", "ok@client.example:Agent")
    assert r.code == REFUSED and counts() == before
    (line,) = r.err.strip().splitlines()
    assert line.startswith("licensedesk: nothing sent, 2 refused: 'a@'")
    assert "no role 'Pilot'" in line


def test_invite_refusal_echoes_a_line_separator_escaped(cli: Cli, lic: int) -> None:
    r = refused(cli, "invite", str(lic), "ann\u2028x@client.example:Agent", says="nothing sent",
                code=REFUSED)
    assert "\u2028" not in r.err and "\\u2028" in r.err


def test_invitations_refuses_bad_filters(cli: Cli) -> None:
    refused(cli, "invitations", "--status", "lost", says="invalid choice")
    refused(cli, "invitations", "--license", "one", says="invalid int value")
    refused(cli, "invitations", "--license", "99999999999999999999", says="--license")
    refused(cli, "invitations", "--limit", "0", says="argument --limit: 0 is out of range")
    refused(cli, "org", "list", "--limit", "-1", says="argument --limit")
    refused(cli, "org", "list", "--offset", "-1", says="argument --offset")


def test_remind_resend_revoke(cli: Cli, lic: int) -> None:
    reminded = cli("remind", str(lic), "--json").json()
    assert isinstance(reminded, dict) and sorted(reminded["done"]) == [1, 2]
    resent = cli("resend", "1", "--json").json()
    assert resent == {"done": [1], "skipped": []}
    revoked = cli("revoke", "2", "--json").json()
    assert revoked == {"done": [2], "skipped": []}
    again = cli("revoke", "2")
    assert again.code == 0 and "skipped 2: bo@client.example is revoked" in again.out
    rows = {r["id"]: r for r in cli("invitations", "--json").json()}  # type: ignore[union-attr]
    assert (rows[1]["status"], rows[1]["times_sent"]) == ("pending", 3)
    assert rows[2]["status"] == "revoked"
    assert cli("remind", str(lic)).out.strip() == "reminded 1 invitation(s)"


@pytest.mark.parametrize(("argv", "code"), [
    (["remind", "777"], REFUSED), (["resend", "777"], REFUSED),
    (["revoke", "1", "777"], REFUSED), (["resend"], USAGE), (["revoke", "x"], USAGE),
    (["revoke", "99999999999999999999"], USAGE), (["remind", "-1"], USAGE),
    (["resend", "1", str(2**64)], USAGE)])
def test_remind_resend_revoke_refuse_unknown_ids(cli: Cli, lic: int, argv: list[str],
                                                 code: int) -> None:
    refused(cli, *argv, says="licensedesk", code=code)


def test_alerts(cli: Cli, lic: int) -> None:
    from models.accept import accept
    from models.outbox import claim

    ctx = Ctx.open(load_settings())
    try:
        token = next(m.token for m in claim(ctx, "t", 50) if m.to_addr == "ann@client.example")
        assert token
        accept(ctx, token, "Ann Accepted", "correct horse battery")
    finally:
        ctx.db.dispose()
    got = cli("alerts", "--json")
    assert got.code == 0, got.err
    rows = got.json()
    assert isinstance(rows, list) and len(rows) == 1
    assert {"id", "kind", "text", "license_id", "created_at", "read"} <= set(rows[0])
    assert (rows[0]["kind"], rows[0]["read"], rows[0]["license_id"]) == ("accepted", False, lic)
    assert cli("alerts", "--unread", "--mark-read").code == 0
    assert cli("alerts", "--unread", "--json").json() == []
    refused(cli, "alerts", "--since", "yesterday", says="unrecognized arguments")


def test_the_module_entry_point(cli: Cli) -> None:
    ok = subprocess.run([sys.executable, "-m", "tui.cli.main", "org", "list", "--json"],
                        capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == []
    bad = subprocess.run([sys.executable, "-m", "tui.cli.main", "invite", "1", "x"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_commands_other_than_upgrade_and_demo_data_create_no_database(
        bare_cli: Cli, tmp_path: Path) -> None:
    """Issue 10: a missing database was silently created (empty) by any command."""
    db = tmp_path / "data" / "licensedesk.db"
    for argv in (["org", "list"], ["invitations"], ["license", "show", "1"], ["outbox"],
                 ["org", "add", "--name", "A", "--client-name", "B", "--client-email",
                  "b@x.example"], ["worker", "--once"]):
        r = bare_cli(*argv)
        assert r.code == USAGE, r
        (line,) = r.err.strip().splitlines()
        assert f"no database at {str(db)!r}" in line and "licensedesk db upgrade" in line
        assert not db.exists()
    assert bare_cli("demo-data", "--orgs", "1").code == 0 and db.exists()


def test_a_long_list_is_never_cut_silently(cli: Cli, lic: int) -> None:
    """Issue 16: `outbox --json` gave 200 of 202 rows and `invitations --json` stopped at
    1,000, with no sign. A cut list says so on stderr; --offset shows the rest."""
    for command in (["outbox"], ["invitations", "--license", str(lic)]):
        whole = cli(*command, "--json")
        assert whole.code == 0 and whole.err == "", whole.err
        every = whole.json()
        assert isinstance(every, list) and len(every) == 2
        first = cli(*command, "--json", "--limit", "1")
        assert first.code == 0
        assert "more follow: add --offset 1" in first.err
        assert len(first.err.strip().splitlines()) == 1
        rest = cli(*command, "--json", "--limit", "1", "--offset", "1")
        assert rest.err == ""
        assert first.json() + rest.json() == every  # type: ignore[operator]


def test_the_seat_change_invite_prints_is_the_licenses(cli: Cli, lic: int) -> None:
    done = cli("invite", str(lic), "c1@client.example:agent", "c2@client.example:agent",
               "--json")
    assert done.code == 0, done.err
    result = done.json()
    assert isinstance(result, dict) and result["seats_after"] > result["seats_before"]
    shown = cli("license", "show", str(lic), "--json").json()
    assert isinstance(shown, dict)
    assert shown["summary"]["license"]["seats"] == result["seats_after"], shown
