"""What every service needs: the database, the settings, the clock, the token sealer."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from models.db import Database, DatabaseProblem
from models.settings import Settings, load_settings
from models.timeutil import Clock, SystemClock
from models.tokens import KEY_MODE, Sealer


@dataclass
class Ctx:
    db: Database
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    sealer: Sealer | None = None

    def __post_init__(self) -> None:
        if self.sealer is None:
            self.sealer = Sealer(self.settings.resolved_secret_file)

    def now(self) -> datetime:
        return self.clock.now()

    @classmethod
    def open(cls, settings: Settings | None = None, clock: Clock | None = None,
             upgrade: bool = True, create: bool = True) -> Ctx:
        """Open and check the database and the key file beside it.

        `create=False` refuses to make a SQLite file (or a schema) that is not there yet:
        only `db upgrade`, `demo-data` and the console's first start create one. Anything
        that makes them unusable is a DatabaseProblem, one line saying what to do.
        """
        settings = settings or load_settings()
        db = Database.open_checked(settings.resolved_database_url, create=create,
                                   upgrade=upgrade)
        try:
            key = settings.resolved_secret_file
            if not (key.exists() or key.is_symlink()) and _sealed_mail_waiting(db):
                # A new key could not open them: every queued invitation would fail.
                raise DatabaseProblem(
                    f"the key file {key} is missing, and queued invitation mails were sealed "
                    "with it; restore it (or fix LICENSEDESK_SECRET_FILE), or revoke and "
                    "resend those invitations after moving the database's outbox aside")
            ensure_key_file(key)
        except BaseException:
            db.dispose()
            raise
        return cls(db=db, settings=settings, clock=clock or SystemClock())


def _sealed_mail_waiting(db: Database) -> bool:
    """Whether the outbox holds a queued token sealed with the key (a fresh schema: no)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            return conn.execute(text(
                "SELECT 1 FROM outbox_mail WHERE token_sealed IS NOT NULL LIMIT 1")).first() \
                is not None
    except DBAPIError:
        return False  # no outbox yet


def ensure_key_file(path: Path) -> None:
    """The key that seals queued tokens: readable and well formed, or made now (mode 0600).

    Made the way models.tokens.Sealer makes it (a private temporary file, linked into place
    so that two processes starting at once end up reading one key), but a failure on the
    way (a full disk, a read-only directory) leaves no temporary file behind.
    """
    verb = "read"
    try:
        if path.exists() or path.is_symlink():
            _check_key(path, path.read_bytes())
            return
        verb = "write"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_MODE)
            with os.fdopen(fd, "wb") as f:
                f.write(base64.urlsafe_b64encode(os.urandom(32)))  # a Fernet key
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        _check_key(path, path.read_bytes())
    except OSError as err:
        reason = err.strerror or str(err)
        hint = ("it must be a file this user can read" if verb == "read" else
                "its directory must be writable, with space to spare")
        raise DatabaseProblem(
            f"cannot {verb} the key file {str(path)!r}: {reason}; {hint} (or set "
            "LICENSEDESK_SECRET_FILE to another file)") from None


def _check_key(path: Path, data: bytes) -> None:
    try:
        ok = len(base64.urlsafe_b64decode(data.strip())) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise DatabaseProblem(
            f"the key file {str(path)!r} does not hold a licensedesk key; restore it from a "
            "backup (queued invitation mails cannot be sent without it)")
