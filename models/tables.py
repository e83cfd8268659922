"""The tables. Services in this package are the only code that writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


def _time(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    created_at: datetime = Field(sa_column=_time())
    # The operating-system login that acts as this person (None: a record without one,
    # e.g. from before logins were registered, or a demo colleague).
    login: str | None = Field(default=None, max_length=64, unique=True)
    role: str = Field(default="agent", max_length=16)  # lead | agent | viewer
    active: bool = Field(default=True)
    # How this person hears of accepted, overdue and failed invitations (issue 13): a mail
    # each ("each"), one digest a day at digest_hour in digest_zone ("digest"), or only in
    # the console ("none"). digest_at: when the last digest was claimed (models.digest).
    notify: str = Field(default="each", max_length=8,
                        sa_column_kwargs={"server_default": "each"})
    digest_hour: int = Field(default=8, sa_column_kwargs={"server_default": "8"})
    digest_zone: str = Field(default="UTC", max_length=64,
                             sa_column_kwargs={"server_default": "UTC"})
    digest_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    # When this person last had the console open ("since you were last here").
    last_seen_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class Organization(SQLModel, table=True):
    # Walking names in order while filtering on search_key reads only this index.
    __table_args__ = (Index("ix_org_name_search", "name_key", "id", "search_key"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)
    client_name: str = Field(max_length=200)
    client_email: str = Field(max_length=320)
    client_email_key: str = Field(max_length=320, index=True)
    # Case-folded name, client name and e-mail in one column: one LIKE filters all three.
    search_key: str = Field(default="", max_length=800)
    data_center: str = Field(default="us", max_length=8)
    created_at: datetime = Field(sa_column=_time())
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    # The language of the mails and signup page of its invitees (models.languages).
    language: str = Field(default="en", max_length=16,
                          sa_column_kwargs={"server_default": "en"})


class OrganizationDomain(SQLModel, table=True):
    """The client's own mail domains (case-folded A-label form): an invitation to an address
    outside them is marked, an Administrator outside them needs a confirmation."""

    __tablename__ = "organization_domain"
    __table_args__ = (UniqueConstraint("organization_id", "domain"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    domain: str = Field(max_length=253)


class License(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    product: str = Field(max_length=16)
    status: str = Field(default="trial", max_length=16)
    plan: str | None = Field(default=None, max_length=32)
    seats: int = Field(default=0)
    trial_ends_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    payer: str = Field(default="partner", max_length=16)
    data_center: str = Field(default="us", max_length=8)
    created_at: datetime = Field(sa_column=_time())
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    # Automatic reminders (LICENSEDESK_AUTO_REMIND) go to this license's invitees.
    auto_remind: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})


class Account(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("license_id", "email_key"),)
    id: int | None = Field(default=None, primary_key=True)
    license_id: int = Field(foreign_key="license.id", index=True)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=32)
    password_hash: str | None = Field(default=None, max_length=200)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    created_at: datetime = Field(sa_column=_time())


class Invitation(SQLModel, table=True):
    __table_args__ = (
        # One open invitation per license and case-folded address.
        Index(
            "uq_invitation_open", "license_id", "email_key", unique=True,
            sqlite_where=text("status IN ('pending','overdue','failed')"),
            postgresql_where=text("status IN ('pending','overdue','failed')"),
        ),
        Index("ix_invitation_status_overdue", "status", "overdue_at"),
        Index("ix_invitation_status_expires", "status", "expires_at"),
        Index("ix_invitation_license_status", "license_id", "status"),
        Index("ix_invitation_org_status", "organization_id", "status"),
        Index("ix_invitation_status_sent", "status", "sent_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    license_id: int = Field(foreign_key="license.id")
    organization_id: int = Field(foreign_key="organization.id")
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320)
    role: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    send_no: int = Field(default=1)
    times_sent: int = Field(default=1)
    sent_at: datetime = Field(sa_column=_time())
    overdue_at: datetime = Field(sa_column=_time())
    expires_at: datetime = Field(sa_column=_time())
    accepted_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    failed_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    invited_by: int | None = Field(default=None, foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_column=_time())
    # The invitee's language; None: the organization's (models.languages.invitee_language).
    language: str | None = Field(default=None, max_length=16)
    # Automatic reminders already sent for this send (a step of LICENSEDESK_AUTO_REMIND);
    # a send starts it at 0 again. Claimed with a compare-and-set (models.reminders).
    auto_reminded: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OutboxMail(SQLModel, table=True):
    __tablename__ = "outbox_mail"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_org_created", "organization_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    to_addr: str = Field(max_length=320)
    to_name: str = Field(default="", max_length=200)
    reply_to: str | None = Field(default=None, max_length=320)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=200, unique=True)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # The invitation token sealed with the key file; never stored in clear.
    token_sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="queued", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=_time())
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", index=True)
    send_no: int | None = Field(default=None)
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    created_at: datetime = Field(sa_column=_time())


class Notification(SQLModel, table=True):
    __table_args__ = (
        # One notification of a kind per send of an invitation, however many scanners run.
        UniqueConstraint("invitation_id", "kind", "send_no"),
        Index("ix_notification_staff", "staff_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=16)
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    license_id: int | None = Field(default=None, foreign_key="license.id")
    send_no: int = Field(default=0)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=_time())
    read_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_license", "license_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_time())
    actor: str = Field(max_length=320)
    login: str | None = Field(default=None, max_length=64)  # the OS login that acted
    kind: str = Field(max_length=48)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    license_id: int | None = Field(default=None, foreign_key="license.id")
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id", index=True)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
