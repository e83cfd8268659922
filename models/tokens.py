"""Invitation links: a random token, only its SHA-256 stored; sealed while queued for mail."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The team's relays on one database share the key (the data directory's group reads it);
# other accounts never do.
KEY_MODE = 0o640


class Sealer:
    """Seals tokens in the outbox with a key kept outside the database, readable by its owner.

    The relay must put the link in the mail after the transaction that made it, so the token
    waits in the outbox; sealed, the database file alone never gives a working link.
    """

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        self._fernet: Fernet | None = None

    def _key(self) -> Fernet:
        if self._fernet is None:
            path = self.key_file
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_MODE)
                with os.fdopen(fd, "wb") as f:
                    f.write(Fernet.generate_key())
                try:
                    os.link(tmp, path)  # atomic: whoever links first wins, all read one key
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink()
            self._fernet = Fernet(path.read_bytes().strip())
        return self._fernet

    def seal(self, token: str) -> str:
        return self._key().encrypt(token.encode()).decode()

    def unseal(self, sealed: str) -> str | None:
        try:
            return self._key().decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None
