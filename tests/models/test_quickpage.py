"""The console's first page without SQLAlchemy: the same rows, from the same file, or None."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from models.context import Ctx
from models.demo import make_demo_data
from models.location import sqlite_file
from models.queries import list_orgs
from models.quickpage import first_page
from models.settings import Settings


def test_first_page_equals_list_orgs(ctx: Ctx) -> None:
    make_demo_data(ctx, orgs=40, seed=3)
    quick = first_page(25)
    assert quick is not None
    assert quick.rows == list_orgs(ctx, "", 0, 25, with_total=False).rows
    assert any(r.attention for r in quick.rows) and any(r.licenses > 1 for r in quick.rows)


def test_none_without_a_database(tmp_path: Path) -> None:
    assert first_page(10) is None


def test_none_when_the_schema_is_not_current(ctx: Ctx) -> None:
    make_demo_data(ctx, orgs=5, seed=1)
    with ctx.db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert first_page(10) is None


@pytest.mark.parametrize("env, toml", [
    ({}, ""),
    ({"LICENSEDESK_DATA_DIR": "{tmp}/elsewhere"}, ""),
    ({}, 'data_dir = "{tmp}/from-toml"\n'),
    ({"LICENSEDESK_DATABASE_URL": "sqlite:///{tmp}/team/shared.db"}, 'data_dir = "{tmp}/x"\n'),
    ({}, 'database_url = "sqlite:///{tmp}/toml.db"\n'),
    ({"LICENSEDESK_DATABASE_URL": "postgresql://u@127.0.0.1/ld"}, ""),
])
def test_sqlite_file_agrees_with_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          env: dict[str, str], toml: str) -> None:
    monkeypatch.delenv("LICENSEDESK_DATA_DIR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value.format(tmp=tmp_path))
    (tmp_path / "config.toml").write_text(toml.format(tmp=tmp_path))
    url = Settings().resolved_database_url
    expected = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    assert sqlite_file() == expected
