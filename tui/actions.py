"""Acting on invitations from a screen, one flow each: resend, revoke, remind a license.

`InvitationActions` is mixed into a screen before its base (it is a `DeskNode`). It asks
first where the action asks, runs the desk in a worker, tells the person what happened,
queues the mail, and posts `Acted` to the screen, which clears its marks and reloads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message

from tui.cells import clean
from tui.messages import MailQueued
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.desk import Desk
    from models.views import ActionResult, InvitationRow


@dataclass
class Acted(Message, bubble=False):
    """An action on invitations was done (some may have been skipped, and said so)."""

    verb: str
    result: ActionResult


@dataclass
class _Remindable(Message, bubble=False):
    license_id: int
    what: str
    count: int


@dataclass
class _HandedOver(Message, bubble=False):
    # Shown in the dialog only: never logged (not even in a debug log of messages), never
    # in a toast.
    link: str = field(repr=False)
    invitation: InvitationRow = field(repr=False)


def people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def invitations(n: int) -> str:
    return f"{n} invitation{'s' if n != 1 else ''}"


def said(verb: str, result: ActionResult) -> str:
    """"Sent again 2 invitations; skipped a@x is accepted and 3 more"."""
    text = f"{verb} {invitations(len(result.done))}"
    if result.skipped:
        text += "; skipped " + "; ".join(clean(why) for _i, why in result.skipped[:3])
        if len(result.skipped) > 3:
            text += f" and {len(result.skipped) - 3} more"
    return text


class InvitationActions(DeskNode):
    def resend(self, ids: Sequence[int]) -> None:
        if ids:
            ids = tuple(ids)
            self._act("Sent again", lambda desk: desk.resend(ids))

    def revoke(self, ids: Sequence[int], emails: Sequence[str]) -> None:
        """Revoke after asking, naming the first few addresses."""
        from tui.screens.confirm import ConfirmScreen

        if not ids:
            return
        ids = tuple(ids)
        names = ", ".join(clean(e) for e in emails[:3])
        more = f" and {len(emails) - 3} more" if len(emails) > 3 else ""
        question = (f"Revoke {invitations(len(ids))} ({names}{more})? Their links stop "
                    "working at once.")

        def go(yes: bool | None) -> None:
            if yes:
                self._act("Revoked", lambda desk: desk.revoke(ids))

        self.app.push_screen(ConfirmScreen("Revoke invitations", question, "Revoke"), go)

    def remind(self, license_id: int, what: str) -> None:
        """Remind everyone on the license who has not picked up their invitation, after
        asking (saying to how many); `what` names the license in the question."""
        self._count_remindable(license_id, what)

    @work(thread=True, group="remindable", exclusive=True, exit_on_error=False)
    def _count_remindable(self, license_id: int, what: str) -> None:
        self.reply(_Remindable(license_id, what, self.desk.remindable(license_id)))

    @on(_Remindable)
    def _ask_remind(self, message: _Remindable) -> None:
        from tui.screens.confirm import ConfirmScreen

        n, license_id = message.count, message.license_id
        if n == 0:
            self.app.notify("Nobody to remind: every invitation was picked up or closed.",
                            markup=False)
            return
        question = (f"Send a reminder to {people(n)} who have not picked up their "
                    f"invitation to {clean(message.what)}? Each gets a new link.")

        def go(yes: bool | None) -> None:
            if yes:
                self._act("Reminded", lambda desk: desk.remind(license_id))

        self.app.push_screen(ConfirmScreen("Send invitation reminder", question, "Send"), go)

    def hand_over(self, invitation_id: int) -> None:
        """A fresh link for the invitation, shown in a dialog and put on the clipboard."""
        self._hand_over(invitation_id)

    @work(thread=True, group="hand_over", exclusive=True, exit_on_error=False)
    def _hand_over(self, invitation_id: int) -> None:
        self.reply(_HandedOver(*self.desk.hand_over_link(invitation_id)))

    @on(_HandedOver)
    def _show_link(self, message: _HandedOver) -> None:
        from tui.screens.link_dialog import LinkDialog

        # Closing the dialog resumes the screen, which reloads (the invitation changed).
        self.app.push_screen(LinkDialog(message.link, message.invitation))

    @work(thread=True, group="act", exit_on_error=False)
    def _act(self, verb: str, job: Callable[[Desk], ActionResult]) -> None:
        self.reply(Acted(verb, job(self.desk)))

    @on(Acted)
    def _acted(self, message: Acted) -> None:
        result = message.result
        self.app.notify(said(message.verb, result), markup=False,
                        severity="warning" if result.skipped else "information")
        if message.verb != "Revoked":
            self.post_message(MailQueued())
