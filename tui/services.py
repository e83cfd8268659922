"""The work a console does beside its screens: the mail relay (with the local catcher when
no SMTP relay is configured), the signup page beside it (`make run`), and the saved theme.

`ServicesApp` is a base of the console's App, so `tui.app` keeps to start-up and navigation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.message import Message

from tui.cells import clean
from tui.status import StatusApp

if TYPE_CHECKING:
    from models.context import Ctx


@dataclass
class _SignupServing(Message, bubble=False):
    server: Any
    line: str


class ServicesApp(StatusApp):
    ctx: Ctx | None
    mail: Any = None
    signup: Any = None
    _saved_theme: str | None = None

    # mail -----------------------------------------------------------------------------------

    def _start_mail(self) -> None:
        from mailer.service import MailService

        assert self.ctx is not None
        self.mail = MailService(self.ctx, on_alert=self._mail_alert)
        self.run_worker(self.mail.start(), exit_on_error=False, group="mail", name="mail")

    @work(thread=True, group="signup", exit_on_error=False)
    def _start_signup(self, ctx: Ctx) -> None:
        """`make run`: the page the caught mails link to, on loopback beside the console."""
        from signup.server import start_beside_console

        self.post_message(_SignupServing(*start_beside_console(ctx)))

    @on(_SignupServing)
    def _signup_serving(self, message: _SignupServing) -> None:
        self.signup = message.server
        self.notify(clean(message.line), markup=False, timeout=6)

    def _mail_alert(self, reason: str | None) -> None:
        """The relay paused (bad credentials, TLS refused) or resumed sending."""
        if reason:
            self.notify(clean(f"Sending mail is paused: {reason}"), severity="error",
                        markup=False, timeout=15)
        else:
            self.notify("Sending mail resumed.", markup=False)

    def kick_mail(self) -> None:
        """Something queued mail: the relay sends now, not at its next tick."""
        if self.mail is not None:
            self.run_worker(self.mail.kick(), exit_on_error=False, group="mail", name="kick")

    @property
    def catcher_socket(self) -> Any:
        """Where the local catcher listens (a Unix socket), or None: no catcher here."""
        return getattr(self.mail, "catcher_socket", None) if self.mail is not None else None

    async def on_unmount(self) -> None:
        import asyncio

        if self.mail is not None:
            await self.mail.stop()
        if self.signup is not None:
            await asyncio.to_thread(self.signup.stop)

    # theme ----------------------------------------------------------------------------------

    def _remember_theme(self, theme: Any) -> None:
        name = theme.name
        if name == self._saved_theme:
            return
        self._saved_theme = name

        def job() -> None:
            from models.settings import remember

            remember(theme=name)

        self.run_worker(job, thread=True, exit_on_error=False, group="theme", name="theme")

    def mailbox_available(self) -> bool:
        """The catcher is in use when no SMTP relay is configured."""
        return self.ctx is not None and not self.ctx.settings.smtp_host

