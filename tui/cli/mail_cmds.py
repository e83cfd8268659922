"""`worker [--once]`, `outbox`, `mail list|show`: the mail side, for scripts and systemd."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from tui.cli.common import (
    CliError,
    add_json,
    add_paging,
    emit_json,
    fetch_page,
    fmt_time,
    open_ctx,
    open_desk,
    quote,
    settings_for,
    table,
)

if TYPE_CHECKING:
    import asyncio

    from models.context import Ctx

OUTBOX_STATUSES = ["queued", "sent", "failed", "cancelled"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("worker", help="send queued mail and run the overdue/expiry scans")
    p.add_argument("--once", action="store_true",
                   help="send what is due, run the scans, then exit")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("outbox", help="the mail queue: recipient, attempts, last error")
    p.add_argument("--status", choices=OUTBOX_STATUSES)
    add_paging(p, 200)
    add_json(p)
    p.set_defaults(func=cmd_outbox)

    mail = sub.add_parser("mail", help="the local mailbox (mail caught with no SMTP host set)")
    msub = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    p = msub.add_parser("list", help="caught mails, newest first")
    add_json(p)
    p.set_defaults(func=cmd_mail_list)
    p = msub.add_parser("show", help="one caught mail: headers and text")
    p.add_argument("mail_id", metavar="ID")
    p.add_argument("--html", action="store_true", help="show the HTML part instead")
    add_json(p)
    p.set_defaults(func=cmd_mail_show)


def cmd_worker(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    logging.basicConfig(
        stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx = open_ctx(args, staff_only=False)  # a service account may run it (systemd)
    return asyncio.run(_worker(ctx, once=args.once))


async def _worker(ctx: Ctx, once: bool) -> int:
    import asyncio
    import logging
    import os
    import signal

    from mailer.service import MailService
    from tui.collector import started

    log = logging.getLogger("licensedesk.worker")
    service = MailService(ctx)
    if once:
        alert = await service.run_once()
        if alert:
            log.error("stopped: %s", alert)
            return 1
        return 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    gone: list[Exception] = []
    watcher = asyncio.create_task(_watch_database(ctx, stop, gone), name="licensedesk-watch")
    await service.start()
    started()  # a relay runs for weeks: Python's collection thresholds from here on
    log.info("worker running (pid %s)%s", os.getpid(),
             f"; local mailbox {ctx.settings.data_dir / 'mailbox'}"
             if service.catcher_socket else "")
    await stop.wait()
    watcher.cancel()
    log.info("stopping: finishing the mail in flight")
    await service.stop()
    log.info("stopped")
    if gone:
        raise gone[0]  # main() says it in one line, exit 2
    return 0


async def _watch_database(ctx: Ctx, stop: asyncio.Event, gone: list[Exception]) -> None:
    """A SQLite file deleted or replaced under the worker stops it within a few seconds,
    instead of the worker writing on into a file nobody reads."""
    import asyncio
    import logging

    from models.db import WATCH_EVERY_S, DatabaseGone

    while not stop.is_set():
        await asyncio.sleep(WATCH_EVERY_S)
        try:
            ctx.db.check_file()
        except DatabaseGone as err:
            logging.getLogger("licensedesk.worker").error("%s", err)
            gone.append(err)
            stop.set()


def cmd_outbox(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    rows = fetch_page(args, lambda limit, offset: desk.outbox(
        status=args.status, limit=limit, offset=offset))
    if args.json:
        emit_json(rows)
        return 0
    table([[r.id, r.kind, r.to_addr, r.subject[:50], r.status, r.attempts,
            fmt_time(r.next_attempt_at), (r.last_error or "")[:60]] for r in rows],
          ["ID", "KIND", "TO", "SUBJECT", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"])
    return 0


def cmd_mail_list(args: argparse.Namespace) -> int:
    from mailer.mailbox import list_mails

    mails = list_mails(settings_for(args).data_dir)  # the mailbox only: no database needed
    if args.json:
        emit_json([{k: v for k, v in m.__dict__.items() if not k.endswith("_body")}
                   for m in mails])
        return 0
    table([[m.id, fmt_time(m.received_at), m.to, m.subject[:60]] for m in mails],
          ["ID", "RECEIVED", "TO", "SUBJECT"])
    return 0


def cmd_mail_show(args: argparse.Namespace) -> int:
    from mailer.mailbox import get_mail
    from models.text import display

    try:
        m = get_mail(settings_for(args).data_dir, args.mail_id)
    except KeyError:
        raise CliError(f"no mail {quote(args.mail_id)} in the local mailbox; see `mail list`"
                       ) from None
    if args.json:
        emit_json(m)
        return 0
    for name, value in (("From", m.sender), ("To", m.to), ("Subject", m.subject),
                        ("Date", fmt_time(m.received_at)), ("Message-ID", m.message_id)):
        print(f"{name}: {display(value)}")
    print()
    body = m.html_body if args.html else m.text_body
    # Keep line breaks and tabs; drop every other control character the mail may carry.
    print("\n".join(display(line) for line in body.splitlines()))
    return 0
