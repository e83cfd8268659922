"""The Clients filter: what it matches, and that it walks one covering index in name order."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models.context import Ctx
from models.organizations import create_organization
from models.queries import list_orgs
from models.views import StaffRef

NAMES = ["Zulu 100% Pure", "alpha_beta", "Alpha Beta", "Mike", "Pine Labs", "pineapple",
         "Quartz", "Échelle", "Oscar (100%)"]


@pytest.fixture
def orgs(ctx: Ctx, staff: StaffRef) -> None:
    for i, name in enumerate(NAMES):
        create_organization(ctx, staff, name=name, client_name=f"Client {i}",
                            client_email=f"c{i}@pine{i % 2}.example")


@pytest.mark.parametrize(("term", "expected"), [
    ("100%", ["Oscar (100%)", "Zulu 100% Pure"]),
    ("_", ["alpha_beta"]),
    ("PINE", NAMES),  # every client e-mail is at pine0/pine1
    ("pine labs", ["Pine Labs"]),
    ("échelle", ["Échelle"]),
    ("CLIENT 3", ["Mike"]),
    ("nothing", []),
])
def test_filter_matches_name_client_and_email(ctx: Ctx, orgs: None, term: str,
                                              expected: list[str]) -> None:
    page = list_orgs(ctx, term)
    assert sorted(r.name for r in page.rows) == sorted(expected)
    assert page.total == len(expected)


def test_pages_follow_name_order(ctx: Ctx, orgs: None) -> None:
    first, second = list_orgs(ctx, "", 0, 4), list_orgs(ctx, "", 4, 4, with_total=False)
    names = [r.name for r in first.rows + second.rows]
    assert names == sorted(names, key=str.casefold)
    assert second.total == -1 and first.total == len(NAMES)


def test_filter_walks_the_covering_name_index(ctx: Ctx) -> None:
    # A rare term must not cost a table lookup per organization: at 100,000 that is the
    # difference between ~15 ms and ~200 ms a keystroke.
    with ctx.db.read() as s:
        plan = " ".join(str(r[-1]) for r in s.execute(text(
            "EXPLAIN QUERY PLAN SELECT id, name FROM organization "
            "WHERE search_key LIKE '%zz%' ORDER BY name_key, id LIMIT 60")))
    assert "ix_org_name_search" in plan and "TEMP B-TREE" not in plan
