"""A SQLite file already at the newest migration, copied where a test's Ctx.open will look.

Running every migration takes about 60 ms of CPU; the shared fixtures open hundreds of fresh
databases a run. They get a copy of one file migrated once per test process instead: still a
real SQLite file of their own, made by the same migrations. Tests of creating and upgrading
a database open their own paths and still run them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from models.db import DB_MODE, Database

_template: Path | None = None


def _migrated_template() -> Path:
    global _template
    if _template is None:
        where = Path(tempfile.mkdtemp(prefix="licensedesk-migrated-"))
        atexit.register(shutil.rmtree, where, ignore_errors=True)  # one a test process
        path = where / "template.db"
        db = Database(f"sqlite:///{path}", create=True)
        try:
            db.upgrade()
        finally:
            db.dispose()  # the last connection folds the write-ahead log into the file
        _template = path
    return _template


def place_migrated_sqlite(url: str) -> None:
    """Put a migrated database at the SQLite `url`'s path, made as Ctx.open makes one (the
    directory, the file's mode), unless a file is already there. Other URLs: nothing."""
    if not url.startswith("sqlite:////"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_MODE))
    shutil.copyfile(_migrated_template(), path)
