"""Issue 12 in the CLI: `link` (the one place a link is printed), `org domains`, `org
language`, `org add --language`, `EMAIL:ROLE[:LANG]` and `--yes` (typo suggestions and an
Administrator outside the client's domains are refused without it, and confirmed with it)."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from models.context import Ctx
from models.settings import load_settings
from models.tables import AuditEvent, Invitation
from tests.cli import test_commands as base
from tests.cli.test_commands import REFUSED, Cli, refused

# The CLI fixtures of the commands' tests: a fresh database, an organization, a license.
bare_cli, cli, org, lic = base.bare_cli, base.cli, base.org, base.lic


def _db() -> Ctx:
    return Ctx.open(load_settings())


def _audit(kind: str) -> list[str]:
    ctx = _db()
    try:
        with ctx.db.read() as s:
            return list(s.execute(select(AuditEvent.detail).where(AuditEvent.kind == kind)
                                  ).scalars())
    finally:
        ctx.db.dispose()


def _invitations() -> dict[str, Invitation]:
    ctx = _db()
    try:
        with ctx.db.read() as s:
            return {i.email: i for i in s.execute(select(Invitation)).scalars()}
    finally:
        ctx.db.dispose()


def test_link_prints_the_link_alone_and_rotates_it(
        cli: Cli, lic: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    inv = _invitations()["ann@client.example"]
    before = inv.token_hash
    r = cli("link", str(inv.id))
    assert r.code == 0, r.err
    (link,) = r.out.splitlines()
    assert link.startswith(load_settings().signup_url) and r.err == ""
    after = _invitations()["ann@client.example"]
    assert after.token_hash != before and after.times_sent == 2
    assert _audit("invitation.handed_over")[0].startswith("link handed over by ")
    token = link.rpartition("/")[2]
    assert token not in caplog.text and all(token not in a for a in
                                            _audit("invitation.handed_over"))
    data = cli("link", str(inv.id), "--json").json()
    assert isinstance(data, dict)
    assert data["id"] == inv.id and data["link"] != link and data["status"] == "pending"


def test_link_refusals(cli: Cli, lic: int) -> None:
    refused(cli, "link", "4040", says="no invitation with id 4040", code=REFUSED)
    refused(cli, "link", "x", says="INVITATION_ID")
    inv = _invitations()["bo@client.example"]
    assert cli("revoke", str(inv.id)).code == 0
    refused(cli, "link", str(inv.id), says="is revoked", code=REFUSED)


def test_org_domains(cli: Cli, org: int) -> None:
    assert cli("org", "domains", str(org)).out.split() == ["acme.example"]
    r = cli("org", "domains", str(org), "add", "Client.Example")
    assert (r.code, r.out.strip()) == (0, "added client.example")
    data = cli("org", "domains", str(org), "--json").json()
    assert data == {"id": org, "domains": ["acme.example", "client.example"]}
    refused(cli, "org", "domains", str(org), "add", "client.example",
            says="already a domain", code=REFUSED)
    refused(cli, "org", "domains", str(org), "add", says="needs a DOMAIN")
    refused(cli, "org", "domains", str(org), "add", "no dots", says="not a mail domain",
            code=REFUSED)
    refused(cli, "org", "domains", str(org), "drop", "x.example", says="invalid choice")
    refused(cli, "org", "domains", "4040", "add", "x.example",
            says="no organization with id 4040", code=REFUSED)
    assert cli("org", "domains", str(org), "remove", "client.example").out.strip() == \
        "removed client.example"
    refused(cli, "org", "domains", str(org), "remove", "client.example",
            says="is not a domain", code=REFUSED)
    assert _audit("organization.domain_added") == ["added domain client.example to Acme Robotics"]


def test_org_language(cli: Cli) -> None:
    r = cli("org", "add", "--name", "Zeta", "--client-name", "Zoe", "--client-email",
            "zoe@zeta.example", "--language", "pt-br", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    assert cli("org", "language", str(data["id"])).out.strip() == "pt_BR"
    assert cli("org", "language", str(data["id"]), "DE").out.strip() == "de"
    refused(cli, "org", "language", str(data["id"]), "klingon", says="no language 'klingon'",
            code=REFUSED)
    refused(cli, "org", "add", "--name", "Yps", "--client-name", "Y", "--client-email",
            "y@yps.example", "--language", "xx", says="no language 'xx'", code=REFUSED)


def test_invite_with_a_language(cli: Cli, lic: int) -> None:
    r = cli("invite", str(lic), "dora@acme.example:Agent:de", "eli@acme.example:agent",
            "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict)
    assert [(o["email"], o["language"]) for o in data["invitations"]] == [
        ("dora@acme.example", "de"), ("eli@acme.example", "en")]
    stored = _invitations()
    assert (stored["dora@acme.example"].language, stored["eli@acme.example"].language) == (
        "de", None)
    refused(cli, "invite", str(lic), "fay@acme.example:Agent:xx", says="no language 'xx'",
            code=REFUSED)


def test_a_typo_is_refused_with_the_suggestion_unless_yes(cli: Cli, lic: int) -> None:
    r = refused(cli, "invite", str(lic), "gus@gmial.com:Agent", code=REFUSED,
                says="did you mean gus@gmail.com?")
    assert "--yes" in r.err
    ok = cli("invite", str(lic), "gus@gmial.com:Agent", "--yes")
    assert ok.code == 0, ok.err
    (line,) = _audit("invitation.confirmed")
    assert line.endswith(" kept gus@gmial.com as typed (suggested gus@gmail.com)")


def test_an_administrator_outside_needs_yes_and_is_audited(cli: Cli, lic: int) -> None:
    r = refused(cli, "invite", str(lic), "hal@elsewhere.example:Administrator",
                says="outside Acme Robotics's domains (acme.example)", code=REFUSED)
    assert "--yes" in r.err
    assert cli("invite", str(lic), "ida@elsewhere.example:Agent").code == 0  # agents pass
    ok = cli("invite", str(lic), "hal@elsewhere.example:Administrator", "--yes", "--json")
    assert ok.code == 0, ok.err
    data = ok.json()
    assert isinstance(data, dict)
    (o,) = data["invitations"]
    assert (o["outside"], o["confirmed"]) == (True, True)
    (line,) = _audit("invitation.confirmed")
    assert "confirmed hal@elsewhere.example as Administrator outside" in line


def test_license_create_with_yes(cli: Cli, org: int) -> None:
    refused(cli, "license", "create", "--org", str(org), "--product", "livechat",
            "--invite", "jo@outside.example:Administrator", says="needs a confirmation",
            code=REFUSED)
    r = cli("license", "create", "--org", str(org), "--product", "livechat",
            "--invite", "jo@outside.example:Administrator:fr", "--yes", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["invitations"][0]["language"] == "fr"
