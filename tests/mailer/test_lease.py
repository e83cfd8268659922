"""The lease on a claimed mail: renewed while its relay lives (however long a send takes),
gone within one lease when it dies."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from mailer.relay import Relay
from mailer.smtp import SmtpConfig
from models.context import Ctx
from models.outbox import claim
from models.timeutil import SystemClock
from tests.mailer.conftest import Handler, SmtpServer, mail_settings
from tests.mailer.data import bulk_mails


async def test_a_live_relay_keeps_a_slow_mail_past_its_lease(
        tmp_path: Path, smtp_server: SmtpServer, smtp_handler: Handler) -> None:
    smtp_handler.delay_data = 2.5  # the server takes 2.5 leases to answer DATA
    settings = mail_settings(tmp_path, smtp_server.port, outbox_lease=timedelta(seconds=1),
                             smtp_timeout=timedelta(seconds=10))
    ctx = Ctx.open(settings, clock=SystemClock())
    try:
        bulk_mails(ctx, 1)
        relay = Relay(ctx, SmtpConfig.from_settings(settings))
        sending = asyncio.create_task(relay.drain())
        await asyncio.sleep(1.8)  # past the first lease, before the server answers
        assert await asyncio.to_thread(claim, ctx, "another-relay", 5) == []
        await asyncio.wait_for(sending, 10)
        assert relay.counts == {"sent": 1, "retry": 0, "failed": 0, "lost": 0}
        assert len(smtp_handler.raw) == 1
    finally:
        ctx.db.dispose()


async def test_a_dead_relays_mails_are_free_after_one_lease(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    settings = mail_settings(tmp_path, smtp_server.port, outbox_lease=timedelta(seconds=1))
    ctx = Ctx.open(settings, clock=SystemClock())
    try:
        bulk_mails(ctx, 3)
        assert len(claim(ctx, "dead-relay", 5)) == 3  # claimed, then nobody renews
        assert claim(ctx, "live-relay", 5) == []
        await asyncio.sleep(1.2)
        assert len(claim(ctx, "live-relay", 5)) == 3
    finally:
        ctx.db.dispose()
