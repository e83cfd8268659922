"""Mail in a running console or worker: the catcher (when no SMTP host is set), the relay,
and the overdue/expiry scans on their period. The console's event loop never waits on the
database: the scans run in threads, and the relay's claims and marks (each well under a
millisecond) run on the loop only while SQLite's write lock is free, else in a thread.

A database that goes away (a PostgreSQL restart, a network cut) is weathered: the relay and
the scans retry every few seconds and resume by themselves, and the log says it once when it
starts (from the relay, or from the scans when the relay is not the one to notice) and once
when it works again, never a traceback per try. `database_problem` is that state for the
console.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from pathlib import Path

from mailer.compose import one_line
from mailer.relay import POLL_SECONDS, AlertHook, Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.db import unreachable

log = logging.getLogger("licensedesk.mailer")

SCAN_RETRY_SECONDS = 2.0  # while the scans fail: how often they try again (at most)


class MailService:
    def __init__(self, ctx: Ctx, on_alert: AlertHook | None = None) -> None:
        self.ctx = ctx
        self.catcher_socket: Path | None = None
        self.on_alert = on_alert
        self.relay: Relay | None = None
        self._catcher: object | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.scan_failing: str | None = None  # why the last scans failed, until some work
        self._scan_logged = False  # the scans, not the relay, logged that they fail

    @property
    def alert(self) -> str | None:
        """Why sending is paused (bad credentials, TLS refused), or None."""
        return self.relay.alert if self.relay else None

    @property
    def database_problem(self) -> str | None:
        """Why the relay or the scans cannot work with the database right now (one line,
        "<Type>: <message>"), or None: both retry by themselves meanwhile."""
        if self.relay is not None and self.relay.failing:
            return self.relay.failing
        return self.scan_failing

    async def _open(self) -> Relay:
        s = self.ctx.settings
        if s.smtp_host is None:
            from mailer.catcher import Catcher

            catcher = Catcher(s.data_dir / "mailbox")
            self.catcher_socket = await catcher.start()
            self._catcher = catcher
            # Our own catcher, on a socket only this account can reach: neither TLS nor
            # the relay's credentials.
            config = dataclasses.replace(
                SmtpConfig.from_settings(s, host="localhost", port=25, security="none"),
                username=None, password=None, password_error=None)
            log.info("no SMTP host set: mail goes to the local mailbox %s", s.data_dir / "mailbox")
            self.relay = Relay(self.ctx, config, on_alert=self.on_alert,
                               connector=catcher.connect)
            return self.relay
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
        self.catcher_socket = None

    async def _scan(self) -> None:
        from models.scans import run_scans

        result = await asyncio.to_thread(run_scans, self.ctx)
        if result.overdue or result.expired or result.reminded or result.digests:
            log.info("scans: %s overdue, %s expired, %s reminded, %s digests", result.overdue,
                     result.expired, result.reminded, result.digests)
        if (result.overdue or result.reminded or result.digests) and self.relay is not None:
            self.relay.kick()

    async def _scan_loop(self) -> None:
        period = max(self.ctx.settings.scan_period.total_seconds(), 0.05)
        while True:
            try:
                await self._scan()
            except Exception as err:
                await self._scans_failed(err, min(period, SCAN_RETRY_SECONDS))
            else:
                self._scans_worked()
            # While failing, try again soon: the scans resume within seconds of the database.
            await asyncio.sleep(min(period, SCAN_RETRY_SECONDS) if self.scan_failing else period)

    async def _scans_failed(self, err: Exception, retry: float) -> None:
        """One line when the scans start failing, unless the relay already says why."""
        self.scan_failing = f"{type(err).__name__}: {one_line(str(err), 200)}"
        log.debug("overdue/expiry scans failed", exc_info=True)
        if self._scan_logged or await self._relay_says_it():
            return
        self._scan_logged = True
        database = unreachable(err)
        log.error("overdue/expiry scans failed, retrying every %gs: %s", retry,
                  self.scan_failing if database else type(err).__name__,
                  exc_info=not database)  # not the database: a bug, whose trace is wanted once

    def _scans_worked(self) -> None:
        if self.scan_failing is not None and self._scan_logged:
            log.info("overdue/expiry scans working again")
        self.scan_failing = None
        self._scan_logged = False

    async def _relay_says_it(self) -> bool:
        """Whether the relay reports a failing pass (it meets a lost database too, and logs
        it once): asked to look now, it is given two poll periods and one SMTP exchange."""
        relay = self.relay
        if relay is None:
            return False
        if relay.failing is None and not relay.paused:
            relay.kick()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 2 * POLL_SECONDS + relay.config.timeout
            while relay.failing is None and loop.time() < deadline:
                await asyncio.sleep(0.05)
        return relay.failing is not None
