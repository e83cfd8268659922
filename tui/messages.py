"""Messages screens post upward; the app (or the screen that owns the behaviour) handles them
with `@on`. Screens never call into the app to navigate or to start app-wide work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from models.views import StaffRef


@dataclass
class OpenOrganization(Message):
    org_id: int


@dataclass
class OpenLicense(Message):
    license_id: int
    tab: str = "summary"


@dataclass
class NewLicense(Message):
    """Start the license wizard, for this organization when one is given."""

    organization_id: int | None = None


@dataclass
class InviteUsers(Message):
    """Open the invite wizard for a license."""

    license_id: int


@dataclass
class MailQueued(Message):
    """Something queued mail: the relay sends now, not at its next tick."""


@dataclass
class AlertsChanged(Message):
    """Alerts were read or changed here: the unread count is counted again."""


@dataclass
class StaffChanged(Message):
    """This console's own staff record as the domain returned it after a change."""

    staff: StaffRef


@dataclass
class WorkFailed(Message):
    """A worker failed. The nearest node that can show it where the person looks (a form's
    field, a status line) handles it and stops it; otherwise the app shows a toast, or the
    one outage status when the database cannot be reached."""

    error: BaseException
    group: str = ""
    node: Any = None
