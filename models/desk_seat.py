"""Who sits at the desk: the staff member a `models.desk.Desk` is bound to, and the role
checks every part of the desk shares."""

from __future__ import annotations

from models.context import Ctx
from models.roles import NEEDS, WORDS, allowed
from models.views import StaffRef


class Seat:
    """The bound staff member (fields of the Desk dataclass) and what their role allows."""

    ctx: Ctx
    staff: StaffRef

    def may(self, action: str) -> bool:
        """Whether the bound role allows `action` (a key of `models.roles.NEEDS`)."""
        return allowed(self.staff.role, action)

    def needs(self, action: str) -> str:
        """What `action` needs, in words: "managing staff needs the lead role"."""
        return f"{WORDS[action]} needs the {NEEDS[action]} role"

    def refuse_unless(self, action: str) -> None:
        """Refuse early, before asking anything of the person, when the bound role does not
        allow `action`: the stored role is asked as the commit would ask it, so the one line
        names the login and the refusal leaves its audit row, as the service's own refusal
        does. Nothing else is written; an allowed action costs no query."""
        if self.may(action):
            return
        from models.roles import acting

        with acting(self.ctx, self.staff, action):
            pass  # the stored role allows it after all; the commit checks it again
