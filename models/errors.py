"""Errors the services raise; each carries a message fit to show a person as it is."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Bad input or a refused action. `str(err)` is the one-line message."""


class NotFound(DomainError):
    pass


class Refused(DomainError):
    pass


class NoStaffIdentity(DomainError):
    """This login is not (or no longer) on the staff; the message says whom to ask."""


class Forbidden(Refused):
    """The actor's role does not allow the action; the message names the role it needs."""

    def __init__(self, message: str, *, action: str, actor: Any) -> None:
        super().__init__(message)
        self.action = action
        self.actor = actor


class InviteRefused(DomainError):
    """At least one address was refused; nothing was written. `outcomes` says why, per row."""

    def __init__(self, message: str, outcomes: Any) -> None:
        super().__init__(message)
        self.outcomes = outcomes


class TokenProblem(DomainError):
    """An invitation link that cannot be used. `state` is unknown|accepted|revoked|expired."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state
