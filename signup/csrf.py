"""CSRF: a signed double-submit cookie, bound to the invitation it was issued for.

The cookie holds a random nonce; the form holds HMAC(key, nonce + link hash). A page on
another site can make the browser send the cookie, but cannot read it to forge the field.
The key is derived from the secret key file, so every process serving one database agrees.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from models.context import Ctx
from models.tokens import hash_token

COOKIE = "signup_csrf"
FIELD = "csrf"
_PURPOSE = b"licensedesk signup csrf v1"


def derive_key(ctx: Ctx) -> bytes:
    path = ctx.settings.resolved_secret_file
    if not path.exists():
        assert ctx.sealer is not None
        ctx.sealer.seal("key file probe")  # the sealer creates the key file, owner-only
    return hmac.new(path.read_bytes().strip(), _PURPOSE, hashlib.sha256).digest()


class Csrf:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def field_for(self, nonce: str, token: str) -> str:
        msg = f"{nonce}|{hash_token(token)}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def check(self, nonce: str | None, field: str | None, token: str) -> bool:
        if not nonce or not field or len(nonce) > 100 or len(field) > 100:
            return False
        return hmac.compare_digest(self.field_for(nonce, token), field)
