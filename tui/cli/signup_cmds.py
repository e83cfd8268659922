"""`signup-server`: the invitee's signup page, served by uvicorn."""

from __future__ import annotations

import argparse
import sys

from tui.cli.common import CliError, host_arg, open_ctx, quote, whole


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "signup-server", help="serve the invitee signup page the invitation mails link to",
        description="Serve the page behind LICENSEDESK_SIGNUP_URL. Put a TLS proxy in front "
        "of it before exposing it beyond this machine.",
    )
    p.add_argument("--host", type=host_arg, default="127.0.0.1",
                   help="address to listen on (127.0.0.1)")
    p.add_argument("--port", type=whole(1, 65535), default=8080,
                   help="port to listen on, 1 to 65535 (8080)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from signup.proxies import ProxySettingError, trusted_proxies_from_env
    from signup.server import exposure_warning, serve
    from tui.collector import started

    try:
        proxies = trusted_proxies_from_env()
    except ProxySettingError as err:
        raise CliError(str(err)) from None
    ctx = open_ctx(args, staff_only=False)  # the invitees' page, run as a service
    warning = exposure_warning(ctx, args.host, proxies)
    if warning:  # it still starts: a test box on a private network may want exactly this
        print(f"licensedesk: warning: {warning}", file=sys.stderr, flush=True)
    started()  # the page runs for weeks: Python's collection thresholds from here on
    try:
        serve(ctx, args.host, args.port, proxies=proxies)
    except OSError as err:  # could not listen there (checked before the server starts)
        raise CliError(f"cannot listen on {quote(args.host)} port {args.port}: "
                       f"{err.strerror or err}; choose another --host or --port") from None
    return 0
