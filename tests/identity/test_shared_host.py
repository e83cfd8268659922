"""Three real logins on one database in a group directory, as on a jump host: what each
may do, that nothing lets one act as another, what the audit records, and that nothing
is readable or reachable by accounts outside the team."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.context import Ctx
from models.settings import Settings
from models.tables import AuditEvent, Invitation, License, Organization, Staff
from tests.support.oslogins import SharedHost, shared_host  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """One line on stderr, no traceback, a non-zero status."""
    assert done.returncode in (1, 2), (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def counts(host: SharedHost) -> tuple[int, ...]:
    ctx = Ctx.open(Settings(data_dir=host.data_dir), create=False)
    try:
        with ctx.db.read() as s:
            return tuple(s.execute(select(func.count()).select_from(t)).scalar_one()
                         for t in (Organization, License, Invitation, Staff, AuditEvent))
    finally:
        ctx.db.dispose()


def audit(host: SharedHost, kind: str) -> list[tuple[str | None, str]]:
    ctx = Ctx.open(Settings(data_dir=host.data_dir), create=False)
    try:
        with ctx.db.read() as s:
            return [(r.login, r.detail) for r in s.execute(
                select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
            ).scalars()]
    finally:
        ctx.db.dispose()


@pytest.fixture(scope="module")
def team(shared_host: SharedHost) -> dict[str, int]:  # noqa: F811
    """The lead creates the database (becoming its first lead) and registers the agent;
    an organization and a license with one invitation exist."""
    h = shared_host
    ok(h.run(h.lead, "db", "upgrade", LICENSEDESK_STAFF_EMAIL="lee@partner.example",
             LICENSEDESK_STAFF_NAME="Lee Lead"))
    ok(h.run(h.lead, "staff", "add", h.agent, "--role", "agent",
             "--email", "ada@partner.example", "--name", "Ada Agent"))
    org = json.loads(ok(h.run(h.lead, "org", "add", "--name", "Acme", "--client-name",
                              "Olivia", "--client-email", "olivia@acme.example", "--json")))
    lic = json.loads(ok(h.run(h.lead, "license", "create", "--org", str(org["id"]),
                              "--product", "helpdesk", "--invite", "ann@acme.example:agent",
                              "--json")))
    return {"org": org["id"], "license": lic["id"],
            "invitation": lic["invitations"][0]["invitation_id"]}


def test_whoami_is_the_login(shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    me = json.loads(ok(h.run(h.lead, "whoami", "--json")))
    assert (me["login"], me["role"], me["email"]) == (h.lead, "lead", "lee@partner.example")
    me = json.loads(ok(h.run(h.agent, "whoami", "--json")))
    assert (me["login"], me["role"]) == (h.agent, "agent")


def test_an_agent_invites_but_cannot_revoke_or_manage_staff(
        shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    ok(h.run(h.agent, "invite", str(team["license"]), "bob@acme.example:agent"))
    before = counts(h)
    line = refused(h.run(h.agent, "revoke", str(team["invitation"])))
    assert "needs the lead role" in line and h.agent in line
    line = refused(h.run(h.agent, "staff", "add", h.stranger, "--email", "x@partner.example"))
    assert "needs the lead role" in line
    after = counts(h)
    assert after[:4] == before[:4]  # nothing changed but the two refusal rows
    refusals = audit(h, "refused")
    assert [login for login, _ in refusals[-2:]] == [h.agent, h.agent]


def test_a_viewer_changes_nothing_and_a_lead_can(
        shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    ok(h.run(h.lead, "staff", "set-role", h.agent, "viewer"))
    try:
        before = counts(h)[:4]
        for argv in (["invite", str(team["license"]), "cy@acme.example:agent"],
                     ["org", "add", "--name", "B", "--client-name", "B",
                      "--client-email", "b@b.example"],
                     ["remind", str(team["license"])]):
            line = refused(h.run(h.agent, *argv))
            assert "needs the agent role" in line, line
        assert counts(h)[:4] == before
        ok(h.run(h.agent, "invitations", "--license", str(team["license"])))  # reading is fine
    finally:
        ok(h.run(h.lead, "staff", "set-role", h.agent, "agent"))
    ok(h.run(h.lead, "revoke", str(team["invitation"])))
    assert audit(h, "invitation.revoked")[-1][0] == h.lead


def test_no_setting_or_flag_lets_one_login_act_as_another(
        shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    pose = {"LICENSEDESK_STAFF_EMAIL": "lee@partner.example",
            "LICENSEDESK_STAFF_NAME": "Lee (fired - ignore this mail)"}
    me = json.loads(ok(h.run(h.agent, "whoami", "--json", **pose)))
    assert me["login"] == h.agent
    line = refused(h.run(h.agent, "revoke", str(team["invitation"]), **pose))
    assert "lead role" in line or "revoked" in line
    refused(h.run(h.agent, "--as", "lee@partner.example", "revoke", str(team["invitation"])))
    for user in (h.lead, h.agent):
        json.loads(ok(h.run(user, "whoami", "--json")))
    lead = json.loads(ok(h.run(h.lead, "whoami", "--json")))
    assert lead["name"] == "Lee Lead"  # nobody renamed the lead


def test_an_unregistered_login_is_refused_and_nothing_is_written(
        shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    before = counts(h)
    for argv in (["org", "list"], ["org", "add", "--name", "X", "--client-name", "X",
                                   "--client-email", "x@x.example"], ["whoami"]):
        line = refused(h.run(h.stranger, *argv, LICENSEDESK_STAFF_EMAIL="x@partner.example"))
        assert f"staff add {h.stranger}" in line and h.lead in line, line
    assert counts(h) == before


def test_files_are_for_the_team_only_and_the_catcher_for_its_process(
        shared_host: SharedHost, team: dict[str, int]) -> None:  # noqa: F811
    h = shared_host
    ok(h.run(h.agent, "worker", "--once"))  # files the invitation mails into the mailbox
    files = [p for p in h.data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "licensedesk.db" for p in files)
    assert any("mailbox" in p.parts for p in files)
    open_to_others = {str(p): oct(p.stat().st_mode) for p in [h.data_dir, *files]
                      if p.stat().st_mode & stat.S_IRWXO}
    assert not open_to_others
    # The catcher of a running worker: its socket is beyond reach of another login.
    proc = subprocess.Popen(
        ["runuser", "-u", h.lead, "--", h.interpreter, "-m", "tui.cli.main", "worker"],
        env=h.env(PYTHONPATH=os.pathsep.join(h.path)), cwd=h.root,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lead_uid = h.uid(h.lead)
        deadline = time.monotonic() + 30
        sockets: list[Path] = []
        tmp = Path(tempfile.gettempdir())
        while not sockets and time.monotonic() < deadline:
            sockets = [p / "smtp.sock" for p in tmp.glob("licensedesk-catcher-*")
                       if p.stat().st_uid == lead_uid and (p / "smtp.sock").exists()]
            time.sleep(0.1)
        assert sockets, "the worker's catcher socket did not appear"
        probe = h.python(h.agent, "-c", (
            "import socket, sys; s = socket.socket(socket.AF_UNIX)\n"
            f"try: s.connect({str(sockets[0])!r})\n"
            "except PermissionError: sys.exit(3)\n"))
        assert probe.returncode == 3, (probe.returncode, probe.stderr)
    finally:
        proc.terminate()
        proc.wait(20)
