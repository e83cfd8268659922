"""The outbox relay: claim due rows with a lease, send each over its lane's connection,
record the result only while the lease is still ours.

Each lane sends one mail at a time, and a delivered mail is recorded before the server can
accept the lane's next one (before its DATA), so a relay killed at any moment leaves at
most one mail per lane sent but unrecorded (sent again later, with the same Message-ID).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import secrets
import socket
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from mailer.backoff import gave_up, retry_delay
from mailer.compose import ComposeError, Outgoing, prepare
from mailer.smtp import (
    Connector,
    Hook,
    Paused,
    Permanent,
    SendError,
    SmtpClient,
    SmtpConfig,
)
from models.context import Ctx
from models.outbox import (
    Busy,
    ClaimedMail,
    claim,
    mark_failed,
    mark_retry,
    mark_sent_many,
    release,
    renew,
)
from models.text import printable

log = logging.getLogger("licensedesk.mailer.relay")

PREFETCH = 16          # rows a lane leases at once
POLL_SECONDS = 2.0     # how often an idle relay looks for mail other processes queued
MAX_PAUSE = timedelta(minutes=5)
MIN_RETRY = timedelta(seconds=1)

AlertHook = Callable[[str | None], None]
T = TypeVar("T")


class RecordingFailed(Exception):
    """The database failed while recording a result: the pass ends, no mail is blamed."""


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


class Relay:
    def __init__(
        self, ctx: Ctx, config: SmtpConfig, *, owner: str | None = None,
        connections: int | None = None, connector: Connector | None = None,
        on_alert: AlertHook | None = None, rng: random.Random | None = None,
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.owner = owner or new_owner()
        n = max(1, connections or ctx.settings.smtp_connections)
        self.clients = [SmtpClient(config, connector) for _ in range(n)]
        self.on_alert = on_alert
        self.rng = rng or random.Random()
        self.alert: str | None = None
        self.paused_until: datetime | None = None
        self.counts = {"sent": 0, "retry": 0, "failed": 0, "lost": 0}
        self._stopping = False
        self._wake = asyncio.Event()
        self._recorder = _Recorder(self)
        # Rows this relay holds, with how long their lease is known to last (the heartbeat
        # pushes it forward; a row it no longer owns is dropped and never started).
        self._leases: dict[int, datetime] = {}
        self.failing: str | None = None  # why the last pass failed, until one succeeds
        self._beat_failed = False

    # -- control -------------------------------------------------------------------------

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the mail in flight, hand back the rest of the lease, return from run()."""
        self._stopping = True
        self._wake.set()

    @property
    def paused(self) -> bool:
        if self.paused_until is None:
            return False
        if self.ctx.now() >= self.paused_until:
            self.paused_until = None
            return False
        return True

    def _pause(self, reason: str) -> None:
        s = self.ctx.settings
        pause = min(MAX_PAUSE, max(s.smtp_retry_cap, s.smtp_retry_base))
        self.paused_until = self.ctx.now() + pause
        if reason != self.alert:
            log.error("sending paused: %s", reason)
            self.alert = reason
            if self.on_alert:
                self.on_alert(reason)

    def _clear_alert(self) -> None:
        if self.alert is not None:
            log.info("sending resumed")
            self.alert = None
            if self.on_alert:
                self.on_alert(None)

    # -- loops ---------------------------------------------------------------------------

    async def drain(self) -> int:
        """Send everything due now; returns the number of mails attempted."""
        # Every lane ends before an error goes up: a lane left running would share its
        # connection with the next pass's lane.
        beat = asyncio.create_task(self._heartbeat())
        try:
            done = await asyncio.gather(*(self._lane(c) for c in self.clients),
                                        return_exceptions=True)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            self._leases.clear()
        for result in done:
            if isinstance(result, BaseException):
                raise result
        return sum(r for r in done if isinstance(r, int))

    async def run(self) -> None:
        """Until stop(): drain, then sleep until kicked or the poll period passes."""
        try:
            while not self._stopping:
                self._wake.clear()
                if not self.paused:
                    try:
                        await self.drain()
                    except Exception as err:
                        # A locked or unreachable database must not end sending for good;
                        # one line when it starts failing, one when it works again.
                        if self.failing is None:
                            log.error("relay pass failed, retrying every %gs: %s: %s",
                                      POLL_SECONDS, type(err).__name__, printable(str(err), 200))
                            log.debug("relay pass failed", exc_info=True)
                        self.failing = f"{type(err).__name__}: {printable(str(err), 200)}"
                    else:
                        self._working()
                if self._stopping:
                    break
                try:
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                except TimeoutError:
                    pass
        finally:
            await asyncio.gather(*(c.quit() for c in self.clients))

    async def _heartbeat(self) -> None:
        """While lanes hold rows, renew their lease every third of it: a live relay keeps
        its rows however long a send takes, and a killed one lets them go within one lease
        (12 s by default) instead of a long fixed claim."""
        lease = self.ctx.settings.outbox_lease
        period = max(lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(period)
            ids = list(self._leases)
            if not ids:
                continue
            floor = self.ctx.now() + lease  # renew() sets at least this
            try:
                ours = await asyncio.to_thread(renew, self.ctx, self.owner, ids)
            except Exception as err:
                if not self._beat_failed:  # the pass's own failure line says why
                    log.debug("could not renew the mail lease: %s", type(err).__name__)
                    self._beat_failed = True
                continue
            self._beat_failed = False
            for mail_id in ids:
                if mail_id not in self._leases:
                    continue  # settled meanwhile
                if mail_id in ours:
                    self._leases[mail_id] = max(self._leases[mail_id], floor)
                else:
                    self._leases[mail_id] = datetime.min.replace(tzinfo=floor.tzinfo)

    def _working(self) -> None:
        """Called as soon as the database answers again (a claim went through), not after a
        whole pass: with a backlog, that could be minutes after it came back."""
        if self.failing is not None:
            log.info("relay working again")
            self.failing = None

    def _fetch(self, wait: bool = True) -> list[ClaimedMail]:
        return claim(self.ctx, self.owner, PREFETCH, wait=wait)

    def _soon(self, fn: Callable[..., T], *args: object) -> asyncio.Future[T]:
        """fn(*args, wait=False) right here when SQLite's write lock is free (well under a
        millisecond, and no thread hand-off for the event loop to wait on), else in a
        thread that waits for the lock."""
        loop = asyncio.get_running_loop()
        if self.ctx.db.is_sqlite:
            done: asyncio.Future[T] = loop.create_future()
            try:
                done.set_result(fn(*args, wait=False))
                return done
            except Busy:
                pass
            except Exception as err:
                done.set_exception(err)  # raised where the lane awaits it, as a thread's would be
                return done
        return loop.run_in_executor(None, functools.partial(fn, *args))

    def _prepare(self, mail: ClaimedMail) -> Outgoing | ComposeError:
        if mail.problem:
            return ComposeError(mail.problem)
        try:
            return prepare(mail, self.ctx.settings, self.ctx.now())
        except ComposeError as err:
            return err

    async def _lane(self, client: SmtpClient) -> int:
        """Send the rows this lane claims, one at a time. While the server answers a mail's
        MAIL FROM, the lane records the previous mail; while it answers its RCPT TO, the
        lane claims more rows when these run out and composes the next mail: work that
        would otherwise keep the server waiting."""
        handled = 0
        # Start a mail only while the lease still covers a whole attempt (or, with a lease
        # configured shorter than an attempt, half of the lease).
        need = min(self.config.timeout + 5, self.ctx.settings.outbox_lease.total_seconds() / 2)
        recorder = self._recorder
        recording: asyncio.Future[None] | None = None

        async def settle() -> None:
            """Wait until the previous mail's result is in the database."""
            nonlocal recording
            if recording is not None:
                task, recording = recording, None
                recorder.flush()
                await task

        queue: deque[ClaimedMail] = deque()  # leased, not started
        ahead: asyncio.Future[list[ClaimedMail]] | None = self._soon(self._fetch)
        full = False  # the last claim took all it asked for: likely more due
        job: tuple[int, Outgoing | ComposeError] | None = None  # composed ahead, for queue[0]
        ended = False
        trouble: Exception | None = None  # raised by meanwhile(), which the loop calls

        def take(batch: list[ClaimedMail]) -> None:
            nonlocal full
            self._working()
            self._leases.update((m.id, m.lease_until) for m in batch)
            queue.extend(batch)
            full = len(batch) == PREFETCH

        def meanwhile() -> None:
            """While the server looks at a mail's RCPT TO: claim more rows when these run
            out, and compose the next mail."""
            nonlocal ahead, job, trouble
            if ended or trouble is not None:
                return  # the lane is past the mail that asked for this
            try:
                if not queue and full and ahead is None:
                    ahead = self._soon(self._fetch)
                    if ahead.done() and not ahead.exception() and ahead.result():
                        take(ahead.result())
                        ahead = None  # else the loop takes it when this mail is done
                if queue and job is None:
                    job = (queue[0].id, self._prepare(queue[0]))
            except Exception as err:
                trouble = err

        try:
            while True:
                if not queue:
                    if ahead is None:
                        # Sending may have queued more (a failure notifies the inviter).
                        await settle()
                        ahead = self._soon(self._fetch)
                    batch = await ahead
                    ahead = None
                    take(batch)
                    if not queue:
                        break
                mail = queue.popleft()
                until = self._leases.get(mail.id, mail.lease_until)
                left = (until - self.ctx.now()).total_seconds()
                if self._stopping or self.paused or left < need:
                    # Not started: give it back now rather than make others wait it out.
                    await settle()
                    queue.appendleft(mail)
                    await self._give_back(list(queue))
                    queue.clear()
                    break
                ready = job[1] if job is not None and job[0] == mail.id else self._prepare(mail)
                job = None
                # The previous mail is recorded while the server answers this one's MAIL FROM.
                recording = await self._deliver(client, mail, ready, settle, recorder.flush,
                                                meanwhile)
                handled += 1
                if trouble is not None:
                    raise trouble
        finally:
            ended = True
            await settle()
            if ahead is not None:
                await self._give_back(await ahead)
        return handled

    async def _give_back(self, mails: list[ClaimedMail]) -> None:
        for m in mails:
            self._leases.pop(m.id, None)  # on the loop: the heartbeat reads it there
        await asyncio.to_thread(self._release, mails)

    def _release(self, mails: list[ClaimedMail]) -> None:
        for m in mails:
            release(self.ctx, m.id, self.owner)

    # -- one mail ------------------------------------------------------------------------

    async def _deliver(self, client: SmtpClient, mail: ClaimedMail,
                       job: Outgoing | ComposeError, settle: Hook,
                       while_mail: Callable[[], None],
                       while_rcpt: Callable[[], None]) -> asyncio.Future[None] | None:
        """Send one mail. A delivered mail is recorded in the background while the next one
        starts; `settle` (called before the next DATA) keeps at most one mail per lane
        delivered but unrecorded, whenever the process dies."""
        try:
            return await self._attempt(client, mail, job, settle, while_mail, while_rcpt)
        finally:
            self._leases.pop(mail.id, None)

    async def _attempt(self, client: SmtpClient, mail: ClaimedMail,
                       job: Outgoing | ComposeError, settle: Hook,
                       while_mail: Callable[[], None],
                       while_rcpt: Callable[[], None]) -> asyncio.Future[None] | None:
        ctx = self.ctx
        if isinstance(job, ComposeError):
            await settle()
            log.warning("mail %s cannot be built: %s", mail.id, job)
            await self._record("failed", mail, mark_failed, ctx, mail.id, self.owner,
                               printable(str(job)))
            return None

        async def recorded() -> None:
            try:
                await settle()
            except Exception as err:
                raise RecordingFailed(str(err)) from err

        try:
            await client.send(job, before_data=recorded, while_mail=while_mail,
                              while_rcpt=while_rcpt)
        except RecordingFailed:
            client.close()  # mid-transaction: never reuse that connection
            raise
        except SendError as err:
            await settle()
            await self._outcome(mail, err)
        except Exception as err:
            # Not a reply, not the network: something about this mail. It fails alone.
            client.close()
            await settle()
            reason = f"cannot send this mail: {type(err).__name__}: {printable(str(err), 200)}"
            log.error("mail %s: %s", mail.id, reason)
            await self._record("failed", mail, mark_failed, ctx, mail.id, self.owner, reason)
        else:
            self._clear_alert()
            return self._recorder.add(mail)
        return None

    async def _outcome(self, mail: ClaimedMail, error: SendError) -> None:
        ctx, s = self.ctx, self.ctx.settings
        err = printable(str(error))  # a server's words: one line, storable, no escapes
        if mail.token:
            # A content filter quotes what it matched, the invitation link too; stored or
            # logged, the link would work for whoever reads the outbox or the log.
            err = err.replace(mail.token, "[token]")
        if isinstance(error, Paused):
            self._pause(err)
            await asyncio.to_thread(release, ctx, mail.id, self.owner)
        elif isinstance(error, Permanent):
            log.warning("mail %s refused for good: %s", mail.id, err)
            await self._record("failed", mail, mark_failed, ctx, mail.id, self.owner, err)
        elif gave_up(mail.created_at, ctx.now(), s.smtp_give_up_after):
            reason = f"gave up after {mail.attempts} attempts; last: {err}"
            await self._record("failed", mail, mark_failed, ctx, mail.id, self.owner, reason)
        else:
            log.info("mail %s not sent this time: %s", mail.id, err)
            # At least a second: a mail due again at once would be claimed again in this
            # same pass, and a relay refusing it (or a zero base) would loop without end.
            delay = max(MIN_RETRY, retry_delay(mail.attempts, s.smtp_retry_base,
                                               s.smtp_retry_cap, self.rng))
            await self._record("retry", mail, mark_retry, ctx, mail.id, self.owner,
                               err, delay)

    async def _record(self, outcome: str, mail: ClaimedMail, fn: Callable[..., bool],
                      *args: object) -> None:
        if await asyncio.to_thread(fn, *args):
            self.counts[outcome] += 1
            log.info("mail %s (%s, attempt %s) %s: %s", mail.id, printable(mail.kind),
                     mail.attempts, outcome, printable(mail.message_id))
        else:
            # Our lease ran out and another relay took the row; its result stands.
            self.counts["lost"] += 1
            log.warning("mail %s: lease lost before recording %r; another relay owns it",
                        mail.id, outcome)


class _Recorder:
    """Records delivered mails as sent, in one commit per flush(): a lane flushes once its
    next mail's MAIL FROM is out (or before its next DATA, in settle), so the commit runs
    while the server works, and the mails other lanes delivered meanwhile go with it. While
    one commit runs in a thread (the database was busy), the next mails wait for the
    following one: with N connections, fewer commits than mails."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.waiting: list[tuple[ClaimedMail, asyncio.Future[None]]] = []
        self.busy = False
        self.work: asyncio.Future[set[int]] | None = None

    def add(self, mail: ClaimedMail) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((mail, done))
        return done

    def flush(self) -> None:
        if self.waiting and not self.busy:
            self._commit()

    def _commit(self) -> None:
        batch, self.waiting = self.waiting, []
        self.busy = True
        r = self.relay
        try:
            self.work = r._soon(mark_sent_many, r.ctx, [m.id for m, _ in batch], r.owner)
        except Exception as err:  # no thread to be had: the lanes waiting must hear of it
            self.work = asyncio.get_running_loop().create_future()
            self.work.set_exception(err)
        self.work.add_done_callback(lambda f: self._finished(batch, f))

    def _finished(self, batch: list[tuple[ClaimedMail, asyncio.Future[None]]],
                  work: asyncio.Future[set[int]]) -> None:
        self.busy = False
        error = work.exception()
        ours = set() if error else work.result()
        for mail, done in batch:
            if done.done():  # its lane was cancelled meanwhile
                continue
            if error is not None:
                done.set_exception(error)
                continue
            if mail.id in ours:
                self.relay.counts["sent"] += 1
                if log.isEnabledFor(logging.INFO):
                    log.info("mail %s (%s, attempt %s) sent: %s", mail.id,
                             printable(mail.kind), mail.attempts, printable(mail.message_id))
            else:
                self.relay.counts["lost"] += 1
                log.warning("mail %s: lease lost before recording 'sent'; another relay "
                            "owns it", mail.id)
            done.set_result(None)
        if self.waiting:
            self._commit()
