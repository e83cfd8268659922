"""`licensedesk`: with no command, the console; with one, a scriptable action."""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import NoReturn

from tui.cli.common import CliError

# Each module has register(subparsers); kept as names so `--help` imports only argparse.
MODULES = (
    "tui.cli.db_cmds",
    "tui.cli.org_cmds",
    "tui.cli.license_cmds",
    "tui.cli.invite_cmds",
    "tui.cli.mail_cmds",
    "tui.cli.signup_cmds",
)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, like every other refusal (scripts read one line)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="licensedesk",
        description="Licenses and invitations for partner support staff. "
        "Without a command, starts the console.",
    )
    parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help="act as this staff member (else LICENSEDESK_STAFF_EMAIL)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES:
        import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        from tui.launch import run_console

        return run_console(args)
    from models.errors import DomainError

    try:
        return int(args.func(args) or 0)
    except (CliError, DomainError) as err:
        print(f"licensedesk: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `licensedesk invitations --json | head` is fine.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
