"""The desk's reads: lists, a license with its users and history, one's own alerts.
Mixed into `models.desk.Desk`."""

from __future__ import annotations

from models.desk_seat import Seat
from models.views import (
    AuditRow,
    InvitationRow,
    LicenseRow,
    LicenseSummary,
    NotificationRow,
    OrgPage,
    OrgRow,
    StaffRow,
    UserRow,
)


class Reads(Seat):
    # reads -------------------------------------------------------------------------------

    def clients(self, search: str = "", offset: int = 0, limit: int = 50,
                with_total: bool = True) -> OrgPage:
        from models.queries import list_orgs

        return list_orgs(self.ctx, search, offset, limit, with_total=with_total)

    def organization(self, org_id: int) -> OrgRow:
        from models.queries import get_org

        return get_org(self.ctx, org_id)

    def licenses(self, org_id: int) -> list[LicenseRow]:
        from models.queries import list_licenses

        return list_licenses(self.ctx, org_id)

    def license(self, license_id: int) -> LicenseRow:
        from models.queries import get_license

        return get_license(self.ctx, license_id)

    def find_licenses(self, text: str, limit: int = 20) -> list[LicenseRow]:
        from models.queries import find_licenses

        return find_licenses(self.ctx, text, limit=limit)

    def summary(self, license_id: int) -> LicenseSummary:
        from models.queries import license_summary

        return license_summary(self.ctx, license_id)

    def users(self, license_id: int, status: str | None = None) -> list[UserRow]:
        from models.queries import license_users

        return license_users(self.ctx, license_id, status)

    def history(self, license_id: int, limit: int = 500) -> list[AuditRow]:
        from models.queries import license_history

        return license_history(self.ctx, license_id, limit)

    def license_version(self, license_id: int) -> int:
        """Changes when anything shown about the license changes (for a cheap poll)."""
        from models.queries import license_version

        return license_version(self.ctx, license_id)

    def invitations(self, license_id: int | None = None, status: str | None = None,
                    limit: int = 1000, offset: int = 0) -> list[InvitationRow]:
        from models.queries import list_invitations

        return list_invitations(self.ctx, license_id, status, limit, offset)

    def attention(self, limit: int = 500) -> list[InvitationRow]:
        from models.queries import needs_attention

        return needs_attention(self.ctx, limit)

    def remindable(self, license_id: int) -> int:
        from models.invitations import remindable_count

        return remindable_count(self.ctx, license_id)

    def staff_list(self) -> list[StaffRow]:
        from models.staff import staff_rows

        return staff_rows(self.ctx)

    # my alerts ---------------------------------------------------------------------------

    def alerts(self, *, unread_only: bool = False, limit: int = 200) -> list[NotificationRow]:
        from models.notifications import list_notifications

        return list_notifications(self.ctx, self.staff.id, unread_only=unread_only,
                                  limit=limit)

    def alerts_after(self, after_id: int) -> tuple[list[NotificationRow], int]:
        """New alerts since `after_id` (oldest first) and the unread count."""
        from models.notifications import notifications_after, unread_count

        return (notifications_after(self.ctx, self.staff.id, after_id),
                unread_count(self.ctx, self.staff.id))

    def alerts_mark(self) -> tuple[int, int]:
        """The newest alert's id and the unread count: where a console starts watching."""
        from models.notifications import latest_notification_id, unread_count

        return (latest_notification_id(self.ctx, self.staff.id),
                unread_count(self.ctx, self.staff.id))

    def mark_read(self, ids: list[int] | None = None) -> int:
        from models.notifications import mark_read

        return mark_read(self.ctx, self.staff.id, ids)
