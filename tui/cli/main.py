"""`licensedesk`: with no command, the console; with one, a scriptable action.

Every failure a person can cause by what they type or configure ends here, in `_failure`,
as one line on stderr (user text escaped, so it stays one line) and an exit status:

- 0: done.
- 1: the desk refused the action (no such license, an address it will not take, a limit
  reached), or a worker could not send. Also an unexpected error (a bug): then the line
  says where the full trace was written.
- 2: nothing was tried, because the command line, a setting, the identity, the database
  or its directory cannot be used as they are; the line says what to fix.
- 130: interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import errno
import sys
from importlib import import_module
from typing import Any, NoReturn

from tui.cli.common import CliError, one_line, quote

# Each module has register(subparsers); kept as names so `--help` imports only argparse.
MODULES = (
    "tui.cli.db_cmds",
    "tui.cli.org_cmds",
    "tui.cli.license_cmds",
    "tui.cli.invite_cmds",
    "tui.cli.io_cmds",
    "tui.cli.mail_cmds",
    "tui.cli.signup_cmds",
    "tui.cli.staff_cmds",
    "tui.cli.digest_cmds",
)
USAGE, REFUSED = 2, 1
# OS errors that describe the machine (a full disk, a read-only or missing directory, a
# port taken), not a bug: one line, no trace.
ENVIRONMENT_ERRNOS = {
    errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT,
    errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.ELOOP, errno.EIO,
    errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.ECONNREFUSED, errno.EMFILE, errno.ENFILE,
}


class _StoreOnce(argparse._StoreAction):
    """An option that takes one value refuses to be given twice: the first would be lost."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        seen: set[str] = namespace.__dict__.setdefault("_given", set())
        if option_string is not None and self.dest in seen:
            raise argparse.ArgumentError(self, "given more than once; give it once")
        seen.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, like every other refusal (scripts read one line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, one_line(f"{self.prog}: {message} (see {self.prog} --help)") + "\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # `--name=--`: Python 3.11 drops the "--" and hands the option an empty list.
        if action.nargs is None and action.option_strings and arg_strings == ["--"]:
            raise argparse.ArgumentError(action, "expected one argument")
        return super()._get_values(action, arg_strings)

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        # Bytes that are not UTF-8 reach argv as surrogate escapes; no column, file or
        # terminal takes them. Refused here, by the option's name. (A subcommand's own
        # parser checks its arguments; the COMMAND action only sees them pass through.)
        if action.nargs != argparse.PARSER and any(
                "\ud800" <= ch <= "\udfff" for ch in arg_string):
            raise argparse.ArgumentError(
                action, f"{quote(arg_string)} is not valid UTF-8 text; type it again")
        return super()._get_value(action, arg_string)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="licensedesk",
        description="Licenses and invitations for partner support staff. "
        "Without a command, starts the console.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in MODULES:
        import_module(name).register(sub)
    return parser


def say(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    try:
        print(f"licensedesk: {one_line(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed or gone: nothing else to tell
        pass


def main(argv: list[str] | None = None) -> int:
    # Every file this process makes (database, its journal, key, mailbox, traces) is for
    # its owner and the directory's group (the team, in a setgid directory) only: never
    # open to other accounts, and writable by the team that shares the database. Put back
    # on return, for a caller that runs main() in its own process (the tests).
    import os

    if argv is None:  # this process's own command line: the process starts here
        from tui.collector import starting

        starting()
    before = os.umask(0o007)
    try:
        return _main(argv)
    finally:
        os.umask(before)


def _main(argv: list[str] | None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        # The console itself: paint first; the parser imports every command's module.
        from tui.launch import run_console

        return run_console(argparse.Namespace())
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # usage error (already said in one line), or --help
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None
                                                                else USAGE)
    if not getattr(args, "func", None):
        from tui.launch import run_console

        return run_console(args)
    # A terminal that cannot show a character (LANG=C on an old system) gets an escape
    # for it, not a UnicodeEncodeError halfway through a listing.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `licensedesk invitations --json | head` is fine.
        sys.stderr.close()
        return 0
    except Exception as err:
        return _failure(args, err)
    finally:
        for ctx in args.__dict__.get("_opened", []):
            ctx.db.dispose()


def _failure(args: argparse.Namespace, err: Exception) -> int:
    """The one place a command's failure becomes a line on stderr and an exit status."""
    code, message = _classify(args, err)
    if message is None:
        path = _write_trace(args, err)
        where = f"the full trace is in {path}" if path else "the trace could not be written"
        message = (f"unexpected error, a bug: {type(err).__name__}: {quote(err, 200)}; "
                   f"{where}")
    say(message)
    return code


def _classify(args: argparse.Namespace, err: Exception) -> tuple[int, str | None]:
    """(exit status, message), or message None for an error nobody expected."""
    from models.db import DatabaseProblem, describe
    from models.errors import DomainError, InviteRefused, NoStaffIdentity
    from models.settings import SettingsError

    if isinstance(err, CliError):
        return err.code, str(err)
    if isinstance(err, SettingsError | DatabaseProblem | NoStaffIdentity):
        return USAGE, str(err)
    if isinstance(err, InviteRefused):
        return REFUSED, _refused_rows(err)
    if isinstance(err, DomainError):
        return REFUSED, str(err)
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DBAPIError

        problem = describe(err, _database_url(args)) if isinstance(err, DBAPIError) or (
            "sqlite3" in type(err).__module__ or "psycopg" in type(err).__module__) else None
        if problem is not None:
            return USAGE, str(problem)
    if isinstance(err, OSError) and err.errno in ENVIRONMENT_ERRNOS:
        where = f" ({quote(err.filename, 200)})" if err.filename else ""
        return USAGE, f"{err.strerror or err}{where}"
    return REFUSED, None


def _database_url(args: argparse.Namespace) -> str:
    from models.location import default_data_dir, setting

    settings = args.__dict__.get("_settings")
    if settings is not None:
        return str(settings.resolved_database_url)
    url = setting("database_url")
    if url:
        return str(url)
    data_dir = setting("data_dir")
    return f"sqlite:///{data_dir or default_data_dir()}/licensedesk.db"


def _refused_rows(err: Any) -> str:
    """Every refused row of an invitation in one line: `nothing sent: a: why; b: why`."""
    outcomes = [o for o in getattr(err, "outcomes", ()) if not o.ok]
    bad = [o.message for o in outcomes]
    # A typo suggestion or an Administrator outside the client's domains: --yes confirms.
    hint = ("; give --yes to confirm the address as typed" if any(
        getattr(o, "result", "") in ("typo", "outside") for o in outcomes) else "")
    if len(bad) <= 1:
        return f"{err}{hint}"
    shown = "; ".join(bad[:20]) + (f"; and {len(bad) - 20} more" if len(bad) > 20 else "")
    return f"nothing sent, {len(bad)} refused: {shown}{hint}"


def _write_trace(args: argparse.Namespace, err: Exception) -> str | None:
    """The full trace, in a private file under the data directory (else the temp dir)."""
    import os
    import tempfile
    import traceback
    from pathlib import Path

    text = "".join(traceback.format_exception(err))
    dirs: list[Path | None] = []
    settings = args.__dict__.get("_settings")
    if settings is not None:
        dirs.append(Path(settings.data_dir))
    else:
        from models.location import default_data_dir, setting

        data_dir = setting("data_dir")
        dirs.append(Path(str(data_dir)) if data_dir else default_data_dir())
    dirs.append(None)  # the system's temp directory
    for d in dirs:
        try:
            if d is not None:
                d.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="licensedesk-error-", suffix=".txt",
                                        dir=None if d is None else str(d))
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(text)
            return path
        except (OSError, ValueError):
            continue
    return None


if __name__ == "__main__":
    sys.exit(main())
