"""Audit rows, always written inside the transaction of the change they describe."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.tables import AuditEvent


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
        at=at, actor=actor, kind=kind, detail=detail, organization_id=organization_id,
        license_id=license_id, invitation_id=invitation_id,
    ))
