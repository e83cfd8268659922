"""Each room reaches the others only through its door (issue 17, DESIGN.md "Layers"):

- the console (tui, not its CLI) reaches models only through the desk and the plain values
  (views, errors, text, products) and the few start-up modules (settings, context, location,
  the quick first page);
- the CLI likewise, plus the setup commands' database tools (db, pg_roles);
- the signup page and the mailer use their own services in models, never the desk (which is
  for staff), and never the staff-side services;
- nothing outside tui imports tui; models imports none of the others (tests/models/
  test_layers.py keeps that, and that no UI, web or SMTP package is loaded by it).

Imports inside functions count: the check reads every import statement of every file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAIN = {"models.views", "models.errors", "models.text", "models.products"}
START = {"models.settings", "models.context", "models.location", "models.quickpage"}
ALLOWED = {
    "tui": {"models.desk", *PLAIN, *START},
    "tui/cli": {"models.desk", *PLAIN, *START, "models.db", "models.pg_roles"},
    "signup": {"models.accept", "models.context", "models.errors", "models.languages",
               "models.net", "models.passwords", "models.text", "models.timeutil",
               "models.tokens", "models.views", "models.settings"},
    "mailer": {"models.context", "models.db", "models.handover", "models.languages",
               "models.net", "models.notifications", "models.outbox", "models.products",
               "models.scans", "models.settings", "models.text"},
}


def room(path: Path) -> str:
    rel = path.relative_to(ROOT).as_posix()
    return "tui/cli" if rel.startswith("tui/cli/") else rel.split("/")[0]


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(*rooms: str) -> list[Path]:
    return sorted(p for r in rooms for p in (ROOT / r).rglob("*.py")
                  if "migrations" not in p.parts)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_room_reaches_models_only_through_its_door(name: str) -> None:
    top = name.split("/")[0]
    checked = [p for p in files(top) if room(p) == name]
    assert len(checked) >= 5
    wrong = {}
    for path in checked:
        bad = {m for m in imports(path) if m.split(".")[0] == "models"} - ALLOWED[name]
        if bad:
            wrong[path.relative_to(ROOT).as_posix()] = sorted(bad)
    assert wrong == {}


def test_nothing_outside_the_console_imports_it() -> None:
    wrong = {p.relative_to(ROOT).as_posix(): sorted(m for m in imports(p)
                                                   if m.split(".")[0] == "tui")
             for p in files("models", "mailer", "signup")}
    assert {k: v for k, v in wrong.items() if v} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from models.queries import list_orgs\n    import tui.app\n")
    assert imports(probe) == {"models.queries", "tui.app"}
