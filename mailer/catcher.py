"""The embedded default: an aiosmtpd server filing every mail into a Maildir.

It listens on a Unix-domain socket in a directory only this account can enter (0700, made
afresh), not on a loopback TCP port that any local account could connect to and file mail
into the Mailbox. Only this process's own relay sends to it. Several consoles each run
their own; Maildir delivery (write to tmp/, rename into new/) keeps them from stepping on
each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mailbox
import os
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

PREFIX = "licensedesk-catcher-"
# A catcher makes its directory a moment before it listens in it: younger ones are let be.
STALE_AFTER_S = 60.0

# aiosmtpd logs every DATA line at debug level: that would put invitation links in logs.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class MaildirHandler:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._box: mailbox.Maildir | None = None

    def deliver(self, content: bytes) -> None:
        if self._box is None:
            # Another console may be creating the same Maildir right now: no exclusive mkdir.
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            self._box = mailbox.Maildir(self.path, factory=None, create=False)
        self._box.add(content)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        try:
            await asyncio.to_thread(self.deliver, content)
        except OSError as err:
            # Our own disk trouble is no reason to fail the invitation: ask for a retry.
            return f"451 could not file the mail locally: {err.strerror}"
        return "250 OK filed in the local mailbox"


class Catcher:
    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir
        self.socket_path: Path | None = None
        self._server: asyncio.Server | None = None

    async def start(self) -> Path:
        loop = asyncio.get_running_loop()
        handler = MaildirHandler(self.maildir)

        def factory() -> Any:
            # An explicit hostname: aiosmtpd would otherwise ask DNS for our FQDN.
            return SMTP(handler, hostname="localhost", ident="licensedesk catcher",
                        enable_SMTPUTF8=True, loop=loop)

        # mkdtemp makes the directory 0700: nobody else can reach the socket inside it.
        await asyncio.to_thread(sweep_leftovers)
        where = Path(tempfile.mkdtemp(prefix=PREFIX))
        path = where / "smtp.sock"
        self._server = await loop.create_unix_server(factory, path=str(path))
        os.chmod(path, 0o600)
        self.socket_path = path
        return path

    async def connect(self) -> socket.socket:
        """A connected socket to this catcher, for the relay's SMTP client."""
        assert self.socket_path is not None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, str(self.socket_path))
        except BaseException:
            sock.close()
            raise
        return sock

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self.socket_path is not None:
            with contextlib.suppress(OSError):
                self.socket_path.unlink()
                self.socket_path.parent.rmdir()
            self.socket_path = None


def _listening(path: Path) -> bool | None:
    """Whether a server accepts on the socket `path`; None when that cannot be told."""
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except OSError:  # out of file descriptors: leave it for another start
        return None
    try:
        sock.settimeout(1.0)
        sock.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except OSError:
        return None
    else:
        return True
    finally:
        sock.close()


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.lstat().st_mode)
    except OSError:
        return False


def sweep_leftovers(root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the catcher directories of this account that nothing listens in any more.

    A process killed outright (SIGKILL, the machine's OOM killer) cannot take its own away;
    on a shared host they would pile up in /tmp. Only this account's, only ours by name
    and content, only once no server accepts on the socket inside. Returns what went.
    """
    root = root or Path(tempfile.gettempdir())
    now = time.time() if now is None else now
    gone: list[Path] = []
    for where in root.glob(PREFIX + "*"):
        try:
            st = where.lstat()
            inside = sorted(p.name for p in where.iterdir())
        except OSError:
            continue
        if (not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid()
                or now - st.st_mtime < STALE_AFTER_S or inside not in ([], ["smtp.sock"])):
            continue
        sock = where / "smtp.sock"
        if inside and (not _is_socket(sock) or _listening(sock) is not False):
            continue
        with contextlib.suppress(OSError):  # another console may be sweeping the same one
            if inside:
                sock.unlink()
            where.rmdir()
            gone.append(where)
    return gone
