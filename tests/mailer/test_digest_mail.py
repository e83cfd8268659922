"""The daily digest over a real SMTP server (issue 13): one mail per person per day, built
by the compose path from its template, with the counts and a line per event; the invitee's
automatic reminder goes the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailer.service import MailService
from models.context import Ctx
from models.digest import set_prefs
from models.timeutil import FixedClock
from tests.mailer.conftest import Handler
from tests.mailer.data import license_with_invites

H = timedelta(hours=1)


async def test_one_digest_a_day_with_the_counts_and_lines(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    clock.current = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    staff, _lic, _ids = license_with_invites(mctx, ["bob@acme.example", "red+x@acme.example"])
    set_prefs(mctx, staff, "digest", 10, "UTC")
    service = MailService(mctx)
    assert await service.run_once() is None  # the two invitations; no digest before 10:00
    assert len(smtp_handler.accepted) == 2
    clock.current = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
    assert await service.run_once() is None  # 6 Jan's digest: nothing to say, no mail
    assert len(smtp_handler.accepted) == 2
    clock.current = datetime(2026, 1, 7, 9, 30, tzinfo=UTC)  # both overdue, no mail each
    assert await service.run_once() is None
    assert len(smtp_handler.accepted) == 2
    clock.current = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    assert await service.run_once() is None
    assert await service.run_once() is None  # the same day: no second digest
    mails = smtp_handler.accepted[2:]
    assert len(mails) == 1
    (digest,) = mails
    assert digest["To"].addresses[0].addr_spec == "sam@partner.example"
    assert digest["Subject"] == ("licensedesk digest: 0 accepted, 2 overdue, 0 failed, "
                                 "0 expired")
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = digest.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Overdue:  2" in text and text.count("overdue ") == 2
    assert "red+x@acme.example has not picked up" in text
    assert "<li>" in html and "Acme Rockets" in html
    clock.advance(24 * H)
    assert await service.run_once() is None  # nothing new: no digest
    assert len(smtp_handler.accepted) == 3


async def test_an_automatic_reminder_is_mailed_with_a_link(
        mctx: Ctx, smtp_handler: Handler, clock: FixedClock) -> None:
    mctx.settings.auto_remind = (24 * H,)
    license_with_invites(mctx, ["bob@acme.example"])
    service = MailService(mctx)
    assert await service.run_once() is None
    clock.advance(24 * H)
    assert await service.run_once() is None
    clock.advance(H)
    assert await service.run_once() is None
    first, reminder = smtp_handler.accepted
    assert reminder["Subject"].startswith("Reminder: Sam Support invites you")
    body = reminder.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://signup.partner.example/invite/" in body
    assert reminder["Message-ID"] != first["Message-ID"]
