"""list_orgs_as_you_type (appended to models/queries.py for the Clients filter) answers
exactly what list_orgs answers, by either of its two ways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

import models.queries
from models.context import Ctx
from models.organizations import create_organization
from models.queries import list_orgs, list_orgs_as_you_type
from models.views import StaffRef


@pytest.fixture
def orgs(ctx: Ctx, staff: StaffRef) -> None:
    names = ["Zulu 100% Pure", "alpha_beta", "Alpha Beta", "Mike", "Pine Labs", "pineapple",
             "Quartz", "Échelle", "Oscar (100%)"]
    for i, name in enumerate(names):
        create_organization(ctx, staff, name=name, client_name=f"Client {i}",
                            client_email=f"c{i}@pine{i % 2}.example")


@pytest.fixture
def statements(ctx: Ctx) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(ctx.db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("way", ["walk", "scan"])
@pytest.mark.parametrize("term", ["a", "PINE", "100%", "_", "pine1", "nothing", "échelle"])
def test_same_rows_as_list_orgs(ctx: Ctx, orgs: None, statements: list[str],
                                monkeypatch: pytest.MonkeyPatch, term: str, way: str) -> None:
    if way == "scan":  # the clock is checked at every step and the budget is gone at once
        monkeypatch.setattr(models.queries, "_WALK_CHECK_EVERY", 1)
    budget = 0.0 if way == "scan" else 10.0
    for offset, limit in ((0, 60), (0, 2), (2, 2)):
        want = list_orgs(ctx, term, offset, limit, with_total=False)
        statements.clear()
        got = list_orgs_as_you_type(ctx, term, offset, limit, budget_s=budget)
        assert got.rows == want.rows
        assert got.offset == offset and got.total == -1
        scanned = any("+organization.name_key" in s for s in statements)
        assert scanned == (way == "scan")


def test_empty_search_is_list_orgs(ctx: Ctx, orgs: None) -> None:
    assert list_orgs_as_you_type(ctx, "  ").rows == list_orgs(ctx, "", 0, 60).rows
