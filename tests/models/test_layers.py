"""models/ stays free of UI, SMTP and web imports; the migrations match the tables."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import models
from models.db import HEAD_REVISION, MIGRATIONS, Database
from tests.support.pg import fresh_database

FORBIDDEN = ("textual", "rich", "aiosmtplib", "aiosmtpd", "starlette", "uvicorn", "jinja2",
             "multipart", "httpx", "mailer", "signup", "tui")
ROOT = Path(models.__file__).parent


def _modules() -> list[str]:
    return sorted(f"models.{m.name}" for m in pkgutil.iter_modules([str(ROOT)]))


def test_importing_every_models_module_pulls_in_no_ui_web_or_smtp() -> None:
    names = _modules()
    assert "models.invitations" in names and "models.demo" in names
    code = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120, cwd=ROOT.parent)
    loaded = json.loads(out.stdout)
    bad = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert bad == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_import_statement_in_models_names_a_forbidden_package() -> None:
    # Also catches imports inside functions, which the subprocess check never runs.
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 15
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(FORBIDDEN)) for p in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_static_check_would_see_a_forbidden_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from textual.app import App\n    import mailer.relay\n")
    assert _imports(probe) & set(FORBIDDEN) == {"textual", "mailer"}


def test_alembic_head_is_the_revision_the_code_expects() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [HEAD_REVISION]


def _schema_diffs(url: str) -> list[object]:
    db = Database(url)
    try:
        assert db.upgrade() is True
        assert db.current_revision() == HEAD_REVISION
        assert db.upgrade() is False  # a second start does nothing
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set(SQLModel.metadata.tables)
        return list(diffs)
    finally:
        db.dispose()


def test_the_migration_creates_exactly_the_tables_on_sqlite(tmp_path: Path) -> None:
    assert _schema_diffs(f"sqlite:///{tmp_path / 'fresh.db'}") == []


def test_the_migration_creates_exactly_the_tables_on_postgresql(
        request: pytest.FixtureRequest) -> None:
    url = fresh_database(request.getfixturevalue("pg_url"))
    assert _schema_diffs(url) == []
