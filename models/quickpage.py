"""The first page of clients straight from SQLite, for the console's first painted list.

SQLAlchemy, SQLModel and pydantic take about 0.7 s to import, twice Textual; this reads the
same rows as queries.list_orgs(ctx, "", 0, limit) with the standard library alone, read-only,
and only from a database already at the newest schema. A test keeps the two in step.
"""

from __future__ import annotations

import sqlite3

from models.location import sqlite_file
from models.org_views import OrgPage, OrgRow
from models.revision import HEAD_REVISION

_FIRST_PAGE = """
SELECT o.id, o.name, o.client_name, o.client_email, o.data_center,
       (SELECT count(*) FROM license l WHERE l.organization_id = o.id),
       (SELECT count(*) FROM invitation i
         WHERE i.organization_id = o.id AND i.status IN ('overdue', 'failed'))
FROM organization o ORDER BY o.name_key, o.id LIMIT ?
"""


def first_page(limit: int) -> OrgPage | None:
    """None when there is no such SQLite file yet, or it needs a migration, or any doubt."""
    path = sqlite_file()
    if path is None or not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if version is None or version[0] != HEAD_REVISION:
            return None
        rows = tuple(OrgRow(*r) for r in conn.execute(_FIRST_PAGE, (limit,)))
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return OrgPage(rows, -1, 0) if rows else None
