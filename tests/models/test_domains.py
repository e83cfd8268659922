"""Client domains: kept in one form, changed by agents and leads only, audited; who is
outside; the language columns; and 0004 upgrading a database that already has rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import select

from models.context import Ctx
from models.db import HEAD_REVISION, MIGRATIONS, Database
from models.domains import (
    InvalidDomain,
    add_domain,
    domain_key,
    domains,
    outside,
    remove_domain,
)
from models.errors import Forbidden, NotFound, Refused
from models.languages import InvalidLanguage, check_language, invitee_language
from models.organizations import create_organization
from models.staff import add_staff
from models.tables import AuditEvent, Organization
from models.views import StaffRef


def _audit(ctx: Ctx, kind: str) -> list[str]:
    with ctx.db.read() as s:
        return list(s.execute(select(AuditEvent.detail).where(AuditEvent.kind == kind)
                              .order_by(AuditEvent.id)).scalars())


def test_a_new_organization_has_its_clients_domain_and_english(dbctx: Ctx, me: StaffRef) -> None:
    org_id = create_organization(dbctx, me, name="Acme", client_name="Olivia",
                                 client_email="Olivia@Acme.EXAMPLE")
    assert domains(dbctx, org_id) == ("acme.example",)
    other = create_organization(dbctx, me, name="Bücher", client_name="Bea",
                                client_email="bea@bücher.example", language="pt-br")
    assert domains(dbctx, other) == ("xn--bcher-kva.example",)
    with dbctx.db.read() as s:
        langs = dict(s.execute(select(Organization.id, Organization.language)).all())
    assert langs == {org_id: "en", other: "pt_BR"}


def test_a_new_organization_with_an_unknown_language_is_refused(dbctx: Ctx,
                                                                me: StaffRef) -> None:
    with pytest.raises(InvalidLanguage, match="choose en, de, fr, es, pl, pt_BR"):
        create_organization(dbctx, me, name="Acme", client_name="Olivia",
                            client_email="olivia@acme.example", language="klingon")


def test_add_and_remove_are_audited_and_kept_case_folded(dbctx: Ctx, me: StaffRef,
                                                         org_id: int) -> None:
    assert add_domain(dbctx, me, org_id, "  Acme-Robotics.DE. ") == "acme-robotics.de"
    assert add_domain(dbctx, me, org_id, "ann@BÜCHER.example") == "xn--bcher-kva.example"
    assert domains(dbctx, org_id) == ("acme-robotics.de", "acme.example",
                                      "xn--bcher-kva.example")
    with pytest.raises(Refused, match="already a domain of Acme Robotics"):
        add_domain(dbctx, me, org_id, "xn--bcher-kva.example")
    assert remove_domain(dbctx, me, org_id, "ACME.example") == "acme.example"
    with pytest.raises(Refused, match=r"acme\.example is not a domain of Acme Robotics"):
        remove_domain(dbctx, me, org_id, "acme.example")
    assert domains(dbctx, org_id) == ("acme-robotics.de", "xn--bcher-kva.example")
    assert _audit(dbctx, "organization.domain_added") == [
        "added domain acme-robotics.de to Acme Robotics",
        "added domain xn--bcher-kva.example to Acme Robotics"]
    assert _audit(dbctx, "organization.domain_removed") == [
        "removed domain acme.example from Acme Robotics"]


@pytest.mark.parametrize("bad", ["", "  ", "acme", "a b.example", "acme..example",
                                 "-acme.example", "x" * 300 + ".example", "ac\nme.example"])
def test_a_bad_domain_is_refused_with_its_field(bad: str) -> None:
    with pytest.raises(InvalidDomain) as err:
        domain_key(bad)
    assert "domain" in err.value.fields


def test_a_viewer_may_not_change_domains_and_the_refusal_is_audited(
        dbctx: Ctx, me: StaffRef, org_id: int) -> None:
    viewer = add_staff(dbctx, me, "vic", email="vic@partner.example", name="Vic", role="viewer")
    with pytest.raises(Forbidden, match="changing an organization's domains needs the agent"):
        add_domain(dbctx, viewer, org_id, "other.example")
    with pytest.raises(Forbidden):
        remove_domain(dbctx, viewer, org_id, "acme.example")
    assert domains(dbctx, org_id) == ("acme.example",)
    assert len(_audit(dbctx, "refused")) == 2


def test_unknown_organization(dbctx: Ctx, me: StaffRef) -> None:
    with pytest.raises(NotFound):
        domains(dbctx, 999)
    with pytest.raises(NotFound):
        add_domain(dbctx, me, 999, "acme.example")


@pytest.mark.parametrize(("email", "is_outside"), [
    ("ann@acme.example", False),
    ("Ann@ACME.Example", False),
    ("ann@eu.acme.example", False),        # a subdomain is inside
    ("ann@notacme.example", True),         # a suffix that is not a subdomain is not
    ("ann@acme.example.evil", True),
    ("ann@gmail.com", True),
    ("ann@bücher.example", False),         # U-label typed, A-label stored
    ("not an address", True),
])
def test_outside(email: str, is_outside: bool) -> None:
    assert outside(email, ("acme.example", "xn--bcher-kva.example")) is is_outside


def test_with_no_domains_nobody_is_outside() -> None:
    assert outside("ann@gmail.com", ()) is False


def test_languages() -> None:
    assert [check_language(x) for x in ("de", "DE", "pt-BR", "pt_br", " fr ")] == [
        "de", "de", "pt_BR", "pt_BR", "fr"]
    assert invitee_language(None, "pl") == "pl"
    assert invitee_language("es", "pl") == "es"
    assert invitee_language(None, None) == "en"
    assert invitee_language("xx", "yy") == "en"


def test_0004_upgrades_a_database_with_organizations_and_invitations(tmp_path: Path) -> None:
    """A 0003 database with rows: every organization gets its client's domain and English,
    every invitation keeps following its organization (NULL), nothing else changes."""
    db_file = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{db_file}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    engine.dispose()
    con = sqlite3.connect(db_file)
    t = "2026-01-05 09:00:00+00:00"
    con.execute("INSERT INTO staff (id, email, email_key, name, created_at, login, role, "
                "active) VALUES (1, 'sam@partner.example', 'sam@partner.example', 'Sam', ?, "
                "'sam', 'lead', 1)", (t,))
    for i, email in enumerate(["ann@Acme.Example", "bea@bücher.example", "odd-no-at"], 1):
        con.execute("INSERT INTO organization VALUES (?, ?, ?, 'C', ?, ?, 'org', 'us', ?, 1)",
                    (i, f"Org {i}", f"org {i}", email, email.lower(), t))
    con.execute("INSERT INTO license VALUES (1, 1, 'livechat', 'trial', NULL, 1, NULL, "
                "'partner', 'us', ?, 1)", (t,))
    con.execute("INSERT INTO invitation VALUES (1, 1, 1, 'x@acme.example', 'x@acme.example', "
                "'Agent', 'pending', 'abc', 1, 1, ?, ?, ?, NULL, NULL, 1, ?)", (t, t, t, t))
    con.commit()
    con.close()

    db = Database(f"sqlite:///{db_file}")
    try:
        assert db.upgrade() is True
        assert db.current_revision() == HEAD_REVISION  # 0004 and the rest
    finally:
        db.dispose()
    con = sqlite3.connect(db_file)
    assert con.execute("SELECT organization_id, domain FROM organization_domain "
                       "ORDER BY organization_id").fetchall() == [
        (1, "acme.example"), (2, "xn--bcher-kva.example")]
    assert con.execute("SELECT id, language FROM organization ORDER BY id").fetchall() == [
        (1, "en"), (2, "en"), (3, "en")]
    assert con.execute("SELECT id, language, token_hash FROM invitation").fetchall() == [
        (1, None, "abc")]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_the_last_domain_stays(dbctx: Ctx, me: StaffRef, org_id: int) -> None:
    # Found by the attack on issue 12: removing every domain switched the Administrator
    # guard off (with no domains nobody is outside), without a word.
    with pytest.raises(Refused, match="last domain: add the new one first"):
        remove_domain(dbctx, me, org_id, "acme.example")
    assert domains(dbctx, org_id) == ("acme.example",)
    add_domain(dbctx, me, org_id, "acme.de")
    assert remove_domain(dbctx, me, org_id, "acme.example") == "acme.example"
    assert domains(dbctx, org_id) == ("acme.de",)
