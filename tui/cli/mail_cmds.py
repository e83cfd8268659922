"""`worker`, `outbox`, `mail list|show`: registered by the mailer work (issue 3)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    return None
