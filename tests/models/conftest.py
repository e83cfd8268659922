"""Fixtures for the domain suite: the same services on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.context import Ctx
from models.organizations import create_organization
from models.settings import Settings
from models.staff import ensure_staff
from models.timeutil import FixedClock
from models.views import StaffRef
from tests.support.migrated import place_migrated_sqlite
from tests.support.pg import fresh_database, pg_url  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def dbctx(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[Ctx]:
    """A ctx on a real SQLite file, then on a fresh PostgreSQL database."""
    url = None
    if request.param == "postgresql":
        url = fresh_database(request.getfixturevalue("pg_url"), migrated=True)
    settings = Settings(data_dir=tmp_path / "data", database_url=url,
                        staff_email="sam@partner.example", staff_name="Sam Support")
    place_migrated_sqlite(settings.resolved_database_url)
    c = Ctx.open(settings, clock=clock)
    yield c
    c.db.dispose()


@pytest.fixture
def me(dbctx: Ctx) -> StaffRef:
    return ensure_staff(dbctx)


@pytest.fixture
def org_id(dbctx: Ctx, me: StaffRef) -> int:
    return create_organization(dbctx, me, name="Acme Robotics", client_name="Olivia Owner",
                               client_email="olivia@acme.example")


@pytest.fixture
def license_id(dbctx: Ctx, me: StaffRef, org_id: int) -> int:
    from models.licenses import create_license

    lic, _ = create_license(dbctx, me, organization_id=org_id, product_key="helpdesk")
    return lic
