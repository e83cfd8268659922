"""The desk's reach: the outbox and demo data for the CLI; links by hand, client domains and
languages (issue 12). Mixed into `models.desk.Desk`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.desk_seat import Seat
from models.views import InvitationRow

if TYPE_CHECKING:
    from models.outbox import OutboxRow


class Reach(Seat):
    # for the CLI -------------------------------------------------------------------------

    def outbox(self, status: str | None = None, limit: int = 200,
               offset: int = 0) -> list[OutboxRow]:
        """The mail queue, newest first: recipient, attempts, next attempt, last error."""
        from models.outbox import list_outbox

        return list_outbox(self.ctx, status=status, limit=limit, offset=offset)

    def load_demo(self, *, orgs: int, seed: int) -> dict[str, int]:
        """Demo organizations, licenses and invitations (rows written per table); a lead's
        action, checked from the stored role (and a refusal audited) before anything is
        written."""
        from models.demo import make_demo_data

        self.refuse_unless("demo.load")
        return make_demo_data(self.ctx, orgs=orgs, seed=seed)

    # links by hand, client domains, languages (issue 12) ------------------------------------

    def hand_over_link(self, invitation_id: int) -> tuple[str, InvitationRow]:
        """A fresh link for an open or expired invitation, for staff to hand over another
        way: (the link, the invitation as it now is). The earlier link stops working; it
        counts as a send; audited as "link handed over by …". Show the link to the person
        who asked; never log it."""
        from models.handover import hand_over_link

        return hand_over_link(self.ctx, self.staff, invitation_id)

    def domains(self, org_id: int) -> tuple[str, ...]:
        """The organization's own mail domains, sorted (A-labels)."""
        from models.domains import domains

        return domains(self.ctx, org_id)

    def add_domain(self, org_id: int, domain: str) -> str:
        """Add a domain (audited); returns its stored form."""
        from models.domains import add_domain

        return add_domain(self.ctx, self.staff, org_id, domain)

    def remove_domain(self, org_id: int, domain: str) -> str:
        """Remove a domain (audited); returns its stored form."""
        from models.domains import remove_domain

        return remove_domain(self.ctx, self.staff, org_id, domain)

    @staticmethod
    def languages() -> dict[str, str]:
        """The invitees' languages: code -> the language's own name, in picker order."""
        from models.languages import LANGUAGES

        return dict(LANGUAGES)

    @staticmethod
    def check_language(raw: str) -> str:
        """A typed language's code (``pt-br`` -> ``pt_BR``), or a DomainError naming the
        choices."""
        from models.languages import check_language

        return check_language(raw)

    def org_language(self, org_id: int) -> str:
        """The organization's default language for its invitees."""
        from models.organizations import language_of

        return language_of(self.ctx, org_id)

    def set_org_language(self, org_id: int, language: str) -> str:
        """Set the organization's default language (audited); returns its code."""
        from models.organizations import set_language

        return set_language(self.ctx, self.staff, org_id, language)
