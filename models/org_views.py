"""The Clients list's rows, apart from the other views: the console's first page is read
before the database layer loads (`models.quickpage`), and `models.views` alone, thirty
dataclasses, costs tens of milliseconds of that start."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    client_name: str
    client_email: str
    data_center: str
    licenses: int
    attention: int


@dataclass(frozen=True)
class OrgPage:
    rows: tuple[OrgRow, ...]
    total: int
    offset: int
