"""Audit rows, always written inside the transaction of the change they describe.

Each row names the operating-system login of the process that wrote it, taken from the
kernel (the effective user), never from an argument: no flag or setting can put another
person's login on a row.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlmodel import Session

from models.tables import AuditEvent


class AuditText(NamedTuple):
    """Who, what and the words of one audit row: each service states its own wording once,
    as a function returning this (`record(s, now, *text, ...)`), which the demo data reuses."""

    actor: str
    kind: str
    detail: str


def record(
    session: Session,
    at: datetime,
    actor: str,
    kind: str,
    detail: str,
    *,
    organization_id: int | None = None,
    license_id: int | None = None,
    invitation_id: int | None = None,
) -> None:
    session.add(AuditEvent(
        at=at, actor=actor, login=process_login(), kind=kind, detail=detail,
        organization_id=organization_id,
        license_id=license_id, invitation_id=invitation_id,
    ))


@cache
def process_login() -> str:
    """The login of this process's effective user (its uid's name, or the uid itself)."""
    uid = os.geteuid()
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)
