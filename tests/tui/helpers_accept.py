"""Accepting an invitation as the invitee would: the token from its queued mail."""

from __future__ import annotations

from models.context import Ctx
from models.outbox import claim


def tokens(ctx: Ctx) -> dict[str, str]:
    """Address -> newest link among the queued mails, claimed as the relay would."""
    found: dict[str, str] = {}
    for mail in claim(ctx, "test-relay", limit=500):
        email = mail.payload.get("invitee_email")
        if mail.token and email and mail.kind != "notify_accepted":
            found[email] = mail.token
    return found
