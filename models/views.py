"""Plain, immutable values the services hand out; never live ORM objects.

Import-light (no SQLModel) so the console can use these types before the database loads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from models.org_views import OrgPage, OrgRow  # noqa: F401 - re-exported: every view in one place


def to_json(value: Any) -> Any:
    """A view (or list of them) as JSON-ready data: times in ISO 8601 UTC."""
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class StaffRef:
    id: int
    email: str
    name: str
    login: str | None = None
    role: str = "agent"


@dataclass(frozen=True)
class LicenseRow:
    id: int
    organization_id: int
    organization: str
    product: str
    product_label: str
    status: str
    plan: str | None
    seats: int
    users: int
    open_invitations: int
    trial_ends_at: datetime | None
    payer: str
    data_center: str


@dataclass(frozen=True)
class LicenseSummary:
    license: LicenseRow
    client_name: str
    client_email: str
    counts: dict[str, int]
    billable_users: int
    created_at: datetime


@dataclass(frozen=True)
class UserRow:
    """One line of the Users tab: an account (kind='account') or an invitation."""

    kind: str
    id: int
    email: str
    name: str
    role: str
    status: str
    invited_by: str
    sent_at: datetime | None
    times_sent: int
    accepted_at: datetime | None
    overdue_at: datetime | None = None
    expires_at: datetime | None = None
    failed_reason: str | None = None


@dataclass(frozen=True)
class InvitationRow:
    id: int
    license_id: int
    organization_id: int
    organization: str
    product: str
    email: str
    role: str
    status: str
    invited_by: str
    sent_at: datetime
    times_sent: int
    overdue_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    failed_reason: str | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    kind: str
    detail: str
    invitation_id: int | None
    login: str | None = None  # the operating-system login of the process that wrote it


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    text: str
    license_id: int | None
    invitation_id: int | None
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class InviteRequest:
    """One typed row. `language`: the invitee's language (None: the organization's);
    `confirmed`: the person confirmed this row as it is: a typo suggestion declined, an
    Administrator outside the organization's domains (audited with who confirmed)."""

    email: str
    role: str
    language: str | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class InviteOutcome:
    """What happened (or would happen) to one typed row.

    result: invited | invalid | duplicate | member | open | role | rate | self | language
            | typo (a suggestion not confirmed) | outside (an Administrator outside the
            organization's domains, not confirmed)
    suggestion: "did you mean …?" (the corrected address), shown even once confirmed;
    outside: the address is outside the organization's domains; language: the invitee's
    language as it will be written to (the row's, else the organization's).
    """

    email: str
    role: str
    result: str
    message: str
    invitation_id: int | None = None
    suggestion: str | None = None
    outside: bool = False
    language: str | None = None
    confirmed: bool = False

    @property
    def ok(self) -> bool:
        return self.result == "invited"


@dataclass(frozen=True)
class InviteResult:
    outcomes: tuple[InviteOutcome, ...]
    seats_before: int
    seats_after: int
    billable_before: int
    billable_after: int

    @property
    def invited(self) -> tuple[InviteOutcome, ...]:
        return tuple(o for o in self.outcomes if o.ok)


@dataclass(frozen=True)
class ActionResult:
    """Outcome of remind/resend/revoke/change-role: what changed, and what was skipped why."""

    done: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class InvitationPublic:
    """What the invitee's page may show about a link."""

    state: str  # open | accepted | revoked | expired | unknown
    organization: str = ""
    product: str = ""
    license_id: int = 0
    role: str = ""
    role_meaning: str = ""
    email: str = ""
    invited_by: str = ""
    invited_by_email: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AcceptResult:
    account_id: int
    license_id: int
    organization: str
    product: str
    role: str
    email: str


@dataclass(frozen=True)
class ScanResult:
    overdue: int
    expired: int
    reminded: int = 0  # automatic reminders queued (issue 13)
    digests: int = 0  # digest mails queued (issue 13)


@dataclass(frozen=True)
class StaffRow:
    login: str
    name: str
    email: str
    role: str
    active: bool


@dataclass(frozen=True)
class Terms:
    """A license's product and terms, checked (`licenses.check_terms` makes them)."""

    product_key: str
    paid: bool
    trial_days: int | None
    plan: str | None
    seats: int | None
    payer: str
    data_center: str | None

    def words(self) -> str:
        """One line for a person: what is about to be created."""
        from models.products import PRODUCTS

        what = (f"paid, {self.plan} plan, {self.seats} seat(s)" if self.paid
                else f"{self.trial_days}-day trial")
        where = f" · {self.data_center.upper()} data centre" if self.data_center else ""
        return f"{PRODUCTS[self.product_key].label} · {what} · paid by the {self.payer}{where}"


@dataclass(frozen=True)
class OrgDraft:
    """A new organization's fields, checked (`organizations.check_org` makes them)."""

    name: str
    client_name: str
    client_email: str
    client_email_key: str
    data_center: str


@dataclass(frozen=True)
class ImportLine:
    """One row of an imported file (issue 13): the line it starts on, the name and language
    as typed, and what sending would do with it (the invitation rules' own outcome)."""

    line: int
    name: str
    language: str
    outcome: InviteOutcome

    @property
    def verdict(self) -> str:
        """ok, or why not: invalid | duplicate | member | open | role | language | typo |
        outside | rate (InviteOutcome.result)."""
        return "ok" if self.outcome.ok else self.outcome.result


@dataclass(frozen=True)
class ImportPreview:
    """What importing a file would do: every row's verdict, and the seat change of the whole
    file (the ok rows)."""

    license_id: int
    lines: tuple[ImportLine, ...]
    seats_before: int
    seats_after: int
    billable_before: int
    billable_after: int

    @property
    def ok(self) -> tuple[ImportLine, ...]:
        return tuple(x for x in self.lines if x.outcome.ok)

    @property
    def refused(self) -> tuple[ImportLine, ...]:
        return tuple(x for x in self.lines if not x.outcome.ok)

    def requests(self) -> tuple[InviteRequest, ...]:
        """The ok rows as the invitation service takes them."""
        return tuple(InviteRequest(x.outcome.email, x.outcome.role, language=x.language or None)
                     for x in self.ok)


@dataclass(frozen=True)
class ImportResult:
    """An import sent: the check it was sent on, and the invitations made (the ok rows)."""

    preview: ImportPreview
    sent: InviteResult


@dataclass(frozen=True)
class ExportFile:
    """A list written out: where, how many rows, in which format."""

    path: str
    rows: int
    format: str


# reminders and the digest (issue 13) --------------------------------------------------------

@dataclass(frozen=True)
class NotifyPrefs:
    """How a staff member hears of accepted, overdue and failed invitations: "each" (a mail
    each), "digest" (one a day at `digest_hour` in `digest_zone`), "none" (console only)."""

    notify: str
    digest_hour: int
    digest_zone: str


@dataclass(frozen=True)
class SinceItem:
    kind: str  # accepted | overdue | failed | expired
    at: datetime
    text: str  # untrusted (addresses, organization names): never markup
    license_id: int | None
    invitation_id: int | None


@dataclass(frozen=True)
class SinceReport:
    """What happened to this person's invitations in (since, until]: counts, and the newest
    lines (at most a few hundred; the counts are complete)."""

    since: datetime | None
    until: datetime
    accepted: int
    overdue: int
    failed: int
    expired: int
    items: tuple[SinceItem, ...]

    @property
    def total(self) -> int:
        return self.accepted + self.overdue + self.failed + self.expired

    def counts(self) -> dict[str, int]:
        return {"accepted": self.accepted, "overdue": self.overdue, "failed": self.failed,
                "expired": self.expired}


# charts (issue 13) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusSeries:
    """One status's events a day (`daily`, oldest day first)."""

    status: str  # sent | accepted | overdue | failed
    daily: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.daily)

    @property
    def peak(self) -> int:
        return max(self.daily, default=0)


@dataclass(frozen=True)
class StatusHistory:
    """A license's invitation events by status and UTC day, `days` days up to today."""

    license_id: int
    since: datetime  # midnight UTC that starts the first day
    days: int
    series: tuple[StatusSeries, ...]


@dataclass(frozen=True)
class AgeBucket:
    """Open invitations whose last send is `label` old (number 1, 2, 3: newest first)."""

    number: int
    label: str
    count: int


@dataclass(frozen=True)
class OpenAges:
    buckets: tuple[AgeBucket, ...]

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)

    def label(self, number: int) -> str:
        return next((b.label for b in self.buckets if b.number == number), "")
