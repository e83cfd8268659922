"""Typing on in the Clients filter: a longer filter looks only among what a shorter one with
few matches found (and at organizations made since), and finds exactly what a fresh search
finds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text

from models.context import Ctx
from models.organizations import create_organization
from models.queries import list_orgs
from models.views import StaffRef

WORDS = ["Pine", "Oak", "Cedar", "Birch", "Maple", "Alder"]
KINDS = ["Labs", "Supply", "Partners", "Foods"]


def make_orgs(ctx: Ctx, staff: StaffRef) -> None:
    for i in range(48):
        name = f"{WORDS[i % 6]} {KINDS[i % 4]} {i}"
        create_organization(ctx, staff, name=name, client_name=f"Client {i}",
                            client_email=f"c{i}@{WORDS[i % 6].lower()}.example")


def fresh(ctx: Ctx, term: str, limit: int) -> list[str]:
    """What a search with nothing remembered finds: every organization, filtered here."""
    with ctx.db.read() as s:
        rows = s.execute(text("SELECT name, search_key FROM organization "
                              "ORDER BY name_key, id")).all()
    return [name for name, key in rows if term.casefold() in key][:limit]


@contextmanager
def statements(ctx: Ctx) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def before(_conn: object, _cursor: object, sql: str, params: object, *_a: object) -> None:
        seen.append((sql, params))

    event.listen(ctx.db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", before)


def test_a_longer_filter_reads_only_the_few_matches_of_a_shorter_one(
        ctx: Ctx, staff: StaffRef) -> None:
    make_orgs(ctx, staff)
    assert len(list_orgs(ctx, "pine lab", 0, 60).rows) == 4  # fewer than a page: all known
    with statements(ctx) as seen:
        page = list_orgs(ctx, "pine labs 1", 0, 60, with_total=False)
    assert [r.name for r in page.rows] == ["Pine Labs 12"]
    sql, params = next((q, p) for q, p in seen if "LIMIT" in q)
    with ctx.db.read() as s:
        plan = " ".join(str(r[-1]) for r in s.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", params))  # type: ignore[arg-type]
    # Looked up by id, not a walk past every organization.
    assert "INTEGER PRIMARY KEY" in plan and "SCAN" not in plan, plan


def test_an_organization_made_since_is_still_found(ctx: Ctx, staff: StaffRef) -> None:
    make_orgs(ctx, staff)
    assert list_orgs(ctx, "zz").rows == ()
    create_organization(ctx, staff, name="Zzyzx Ltd", client_name="Zed",
                        client_email="zed@zzyzx.example")
    page = list_orgs(ctx, "zzy")
    assert [r.name for r in page.rows] == ["Zzyzx Ltd"] and page.total == 1


def test_typing_on_finds_what_a_fresh_search_finds(ctx: Ctx, staff: StaffRef) -> None:
    make_orgs(ctx, staff)
    typed = ["p", "pi", "pin", "pine", "pine ", "pine s", "pine su", "pine s", "pine ",
             "pine l", "pine la", "pine lab", "pine labs", "pine labs 3", "pine labs 30",
             "ine labs", "c", "ce", "ced", "cedar", "cedar p", "cedar pa", "e"]
    for term in typed:
        page = list_orgs(ctx, term, 0, 10)
        assert [r.name for r in page.rows] == fresh(ctx, term, 10), term
        assert page.total == len(fresh(ctx, term, 1000)), term
