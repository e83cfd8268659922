"""Reading the local catcher's Maildir: what `mail list|show` and the console show.

Pure stdlib, so the console can import it without pulling in aiosmtpd.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


@dataclass(frozen=True)
class CaughtMail:
    id: str
    received_at: datetime
    sender: str
    to: str
    subject: str
    text_body: str
    html_body: str
    message_id: str


def maildir_path(data_dir: Path) -> Path:
    return Path(data_dir) / "mailbox"


def _files(data_dir: Path) -> list[tuple[str, Path]]:
    """(id, path) of every delivered mail; the id is the Maildir key (name before ':')."""
    root = maildir_path(data_dir)
    out = []
    for sub in ("new", "cur"):
        folder = root / sub
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if entry.is_file() and not entry.name.startswith("."):
                out.append((entry.name.split(":", 1)[0], Path(entry.path)))
    return out


def _body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body(preferencelist=(kind,))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):
        return part.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]


def _address_line(msg: EmailMessage, name: str) -> str:
    """An address header as RFC 2047 reads it: white space between two encoded words is
    dropped (the parser's own reading keeps it inside a display name)."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            raw = str(value).replace("\r\n", "").replace("\n", "")
            try:
                return str(make_header(decode_header(raw)))
            except (LookupError, ValueError, UnicodeDecodeError):
                return str(msg.get(name, ""))
    return ""


def _read(mail_id: str, path: Path) -> CaughtMail:
    with path.open("rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    assert isinstance(msg, EmailMessage)
    return CaughtMail(
        id=mail_id,
        received_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        sender=_address_line(msg, "From"), to=_address_line(msg, "To"),
        subject=str(msg.get("Subject", "")),
        text_body=_body(msg, "plain"), html_body=_body(msg, "html"),
        message_id=str(msg.get("Message-ID", "")),
    )


def list_mails(data_dir: Path) -> list[CaughtMail]:
    """Newest first."""
    mails = []
    for mail_id, path in _files(data_dir):
        try:
            mails.append(_read(mail_id, path))
        except FileNotFoundError:
            continue  # moved new/ -> cur/ by another reader meanwhile
    return sorted(mails, key=lambda m: (m.received_at, m.id), reverse=True)


def get_mail(data_dir: Path, mail_id: str) -> CaughtMail:
    """KeyError when there is no such mail."""
    for key, path in _files(data_dir):
        if key == mail_id:
            return _read(key, path)
    raise KeyError(mail_id)
