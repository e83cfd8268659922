"""Mail in a running console or worker: the catcher (when no SMTP host is set), the relay,
and the overdue/expiry scans on their period. The console's event loop never waits on the
database: the scans run in threads, and the relay's claims and marks (each well under a
millisecond) run on the loop only while SQLite's write lock is free, else in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from mailer.relay import AlertHook, Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx

log = logging.getLogger("licensedesk.mailer")


class MailService:
    def __init__(self, ctx: Ctx, on_alert: AlertHook | None = None) -> None:
        self.ctx = ctx
        self.catcher_port: int | None = None
        self.on_alert = on_alert
        self.relay: Relay | None = None
        self._catcher: object | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def alert(self) -> str | None:
        """Why sending is paused (bad credentials, TLS refused), or None."""
        return self.relay.alert if self.relay else None

    async def _open(self) -> Relay:
        s = self.ctx.settings
        if s.smtp_host is None:
            from mailer.catcher import Catcher

            catcher = Catcher(s.data_dir / "mailbox")
            self.catcher_port = await catcher.start()
            self._catcher = catcher
            # Our own loopback catcher needs neither TLS nor the relay's credentials.
            config = dataclasses.replace(
                SmtpConfig.from_settings(s, host="127.0.0.1", port=self.catcher_port,
                                         security="none"),
                username=None, password=None, password_error=None)
            log.info("no SMTP host set: mail goes to the local mailbox %s", s.data_dir / "mailbox")
        else:
            config = SmtpConfig.from_settings(s)
        self.relay = Relay(self.ctx, config, on_alert=self.on_alert)
        return self.relay

    async def start(self) -> None:
        relay = await self._open()
        self._tasks = [asyncio.create_task(relay.run(), name="licensedesk-relay"),
                       asyncio.create_task(self._scan_loop(), name="licensedesk-scans")]

    async def stop(self) -> None:
        """Finish the mail in flight, then stop everything."""
        if self.relay is not None:
            self.relay.stop()
        for task in self._tasks[1:]:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._close_catcher()

    async def kick(self) -> None:
        if self.relay is not None:
            self.relay.kick()

    async def run_once(self) -> str | None:
        """Drain what is due, run the scans, send what they queued; the alert, if any."""
        relay = await self._open()
        try:
            await relay.drain()
            if relay.alert is None:
                await self._scan()
                await relay.drain()
        finally:
            for c in relay.clients:
                await c.quit()
            await self._close_catcher()
        return relay.alert

    async def _close_catcher(self) -> None:
        from mailer.catcher import Catcher

        if isinstance(self._catcher, Catcher):
            await self._catcher.stop()
        self._catcher = None

    async def _scan(self) -> None:
        from models.scans import run_scans

        result = await asyncio.to_thread(run_scans, self.ctx)
        if result.overdue or result.expired:
            log.info("scans: %s overdue, %s expired", result.overdue, result.expired)
        if result.overdue and self.relay is not None:
            self.relay.kick()

    async def _scan_loop(self) -> None:
        period = max(self.ctx.settings.scan_period.total_seconds(), 0.05)
        while True:
            try:
                await self._scan()
            except Exception:
                log.exception("overdue/expiry scan failed; next try in %gs", period)
            await asyncio.sleep(period)
