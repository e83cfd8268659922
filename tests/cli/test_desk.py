"""The CLI calls the same desk as the console (issue 17): commands that act for a staff
member reach the domain through `models.desk.Desk` only, role-gated commands are refused
before anything else is asked of the database (one line, exit 1, the refusal audited as the
service's own), and the CLI keeps no copy of a rule the domain has."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from models.audit import process_login
from models.context import Ctx
from models.settings import load_settings
from models.tables import AuditEvent
from tests.cli.test_commands import (  # noqa: F401  (fixtures)
    REFUSED,
    Cli,
    Run,
    bare_cli,
    cli,
    org,
)
from tests.models.helpers import row_counts

CLI = Path(__file__).resolve().parents[2] / "tui" / "cli"

# The models modules each CLI module may still import, and why. Everything a staff member
# does goes through the desk (models.desk); these are the setup commands with no staff
# member yet, the error types main() sorts into exit statuses, and plain values.
ALLOWED = {
    # errors and settings main() turns into one line and an exit status; where traces go
    "main": {"models.db", "models.errors", "models.settings", "models.location"},
    # settings, the context a desk is built on, the staff member it is bound to; shown values
    "common": {"models.settings", "models.context", "models.desk", "models.views",
               "models.text"},
    # db upgrade and grants (no staff member yet), the first lead's claim
    "db_cmds": {"models.context", "models.db", "models.pg_roles", "models.views",
                "models.desk"},
    # the headless worker: a service account, not a staff member; the local mailbox's text
    "mail_cmds": {"models.context", "models.db", "models.text"},
    "org_cmds": {"models.products"},
    "license_cmds": {"models.products", "models.views"},
    "invite_cmds": {"models.products", "models.views"},
    "staff_cmds": {"models.desk"},
    "signup_cmds": set(),
    # import and export: the desk (a file read safely, its check, the lists), the file's
    # problem type, the views reported, text made printable
    "io_cmds": {"models.desk", "models.errors", "models.views", "models.text"},
    # the digest, automatic reminders, notification choice: the desk; text made printable
    "digest_cmds": {"models.desk", "models.text", "models.views"},
}
# The domain's services and queries: never imported by the CLI, only by the desk.
SERVICES = {"models.invitations", "models.licenses", "models.organizations",
            "models.queries", "models.notifications", "models.outbox", "models.roles",
            "models.demo", "models.accept", "models.scans"}


def _models_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = {node.module}
        elif isinstance(node, ast.Import):
            names = {a.name for a in node.names}
        else:
            continue
        found |= {n for n in names if n.split(".")[0] == "models"}
    return found


def test_cli_modules_reach_the_domain_through_the_desk() -> None:
    modules = {p.stem: _models_imports(p) for p in sorted(CLI.glob("*.py"))
               if p.stem != "__init__"}
    assert set(modules) == set(ALLOWED), "a new CLI module: say what it may import"
    beyond = {name: sorted(found - ALLOWED[name]) for name, found in modules.items()}
    assert {k: v for k, v in beyond.items() if v} == {}
    assert not set().union(*modules.values()) & SERVICES


def test_the_staff_roles_the_parser_offers_are_the_domains() -> None:
    from models.roles import ROLES
    from tui.cli.staff_cmds import ROLES as CLI_ROLES

    assert CLI_ROLES == tuple(reversed(ROLES))


def test_no_cli_module_spells_a_product_role() -> None:
    from models.products import PRODUCTS

    roles = {r.name for p in PRODUCTS.values() for r in p.roles}
    for path in CLI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [r for r in roles if f'"{r}"' in text or f"as {r}" in text], path


def _demote_me(role: str) -> None:
    """This login becomes `role`; another login is the lead who did it."""
    from models.staff import add_staff, current_staff, set_role

    ctx = Ctx.open(load_settings())
    try:
        lead = add_staff(ctx, current_staff(ctx), "lee", "lee@partner.example", role="lead")
        set_role(ctx, lead, process_login(), role)
    finally:
        ctx.db.dispose()


def _state() -> tuple[dict[str, int], list[tuple[str, str]]]:
    ctx = Ctx.open(load_settings())
    try:
        with ctx.db.read() as s:
            refusals = [(r.login or "", r.detail) for r in s.execute(
                select(AuditEvent).where(col(AuditEvent.kind) == "refused")
                .order_by(col(AuditEvent.id))).scalars()]
        return row_counts(ctx), refusals
    finally:
        ctx.db.dispose()


def _refused_by_role(run: Cli, *argv: str, needs: str) -> Run:
    (counts, refusals) = _state()
    r = run(*argv)
    assert (r.code, r.out) == (REFUSED, ""), r
    (line,) = r.err.strip().splitlines()
    assert line.startswith("licensedesk: ") and f"needs the {needs} role" in line, line
    assert process_login() in line and "Traceback" not in r.err
    after, refusals_after = _state()
    # One audit row says who was refused what; nothing else was written.
    assert len(refusals_after) == len(refusals) + 1
    assert refusals_after[-1] == (process_login(), line.removeprefix("licensedesk: "))
    assert {**after, "AuditEvent": after["AuditEvent"] - 1} == counts
    return r


ORG_ADD = ["org", "add", "--name", "B", "--client-name", "B", "--client-email", "b@b.example"]


def test_a_viewer_is_refused_every_change_early_and_reads_everything(
        cli: Cli, org: int) -> None:  # noqa: F811
    made = cli("license", "create", "--org", str(org), "--product", "helpdesk", "--invite",
               "ann@client.example:Agent", "--json").json()
    assert isinstance(made, dict)
    lic, inv = made["id"], made["invitations"][0]["invitation_id"]
    _demote_me("viewer")
    for argv in (ORG_ADD,
                 ["license", "create", "--org", str(org), "--product", "livechat"],
                 # refused for the role before the address is looked at
                 ["invite", str(lic), "not-an-address:Pilot"],
                 ["remind", str(lic)],
                 ["resend", str(inv)],
                 # refused before the desk looks for the license or the invitation
                 ["remind", "999999"], ["resend", "999999"]):
        _refused_by_role(cli, *argv, needs="agent")
    for argv in (["revoke", str(inv)], ["staff", "add", "kim", "--email", "k@partner.example"],
                 ["staff", "set-role", "lee", "agent"], ["staff", "disable", "lee"],
                 ["demo-data", "--orgs", "1"]):
        _refused_by_role(cli, *argv, needs="lead")
    for argv in (["org", "list"], ["license", "show", str(lic)], ["invitations"],
                 ["alerts"], ["outbox"], ["staff", "list"], ["whoami"]):
        r = cli(*argv)
        assert r.code == 0 and r.err == "", (argv, r)
    assert "viewer" in cli("whoami").out


def test_an_agent_changes_what_agents_may_and_no_more(cli: Cli, org: int) -> None:  # noqa: F811
    _demote_me("agent")
    made = cli("license", "create", "--org", str(org), "--product", "textapp", "--add-me",
               "--json")
    assert made.code == 0, made.err
    data = made.json()
    assert isinstance(data, dict)
    (mine,) = data["invitations"]
    assert mine["role"] == "Administrator"
    assert cli("resend", str(mine["invitation_id"])).code == 0
    _refused_by_role(cli, "revoke", str(mine["invitation_id"]), needs="lead")
    _refused_by_role(cli, "staff", "disable", "lee", needs="lead")


@pytest.mark.parametrize("trial", [[], ["--trial-days", "30"]])
def test_license_terms_take_the_desks_default_and_rules(
        cli: Cli, org: int, trial: list[str]) -> None:  # noqa: F811
    r = cli("license", "create", "--org", str(org), "--product", "helpdesk", *trial)
    assert r.code == 0, r.err
    shown = cli("license", "show", r.out.split()[1], "--json").json()
    assert isinstance(shown, dict)
    lic = shown["summary"]["license"]
    assert lic["status"] == "trial"
    days = 30 if trial else 14
    history = " ".join(h["detail"] for h in shown["history"])
    assert f"trial of {days} days" in history
