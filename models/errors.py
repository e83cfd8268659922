"""The one error type the domain raises, and its kinds. Each carries a message fit to show a
person as it is; a form reads `fields` (field → problem) and a list of rows reads `rows`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Bad input or a refused action. `str(err)` is the one-line message; `fields` says per
    field (the names the desk's previews use) and `rows` per typed row what is wrong."""

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None,
                 rows: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = dict(fields or {})
        self.rows: tuple[Any, ...] = tuple(rows)


class NotFound(DomainError):
    pass


class Refused(DomainError):
    pass


class FileProblem(DomainError):
    """A file given to read (an import) cannot be used as it is: missing, not a regular file,
    too large, not readable as text; the message says which and what to do."""


class NeedsConfirmation(Refused):
    """Refused until the person confirms (an Administrator outside the client's domains)."""


class NoStaffIdentity(DomainError):
    """This login is not (or no longer) on the staff; the message says whom to ask."""


class Forbidden(Refused):
    """The actor's role does not allow the action; the message names the role it needs."""

    def __init__(self, message: str, *, action: str, actor: Any) -> None:
        super().__init__(message)
        self.action = action
        self.actor = actor


class InviteRefused(DomainError):
    """At least one address was refused; nothing was written. `rows` (also `outcomes`) says
    why, per row."""

    def __init__(self, message: str, outcomes: Any) -> None:
        super().__init__(message, rows=outcomes)

    @property
    def outcomes(self) -> tuple[Any, ...]:
        return self.rows


class TokenProblem(DomainError):
    """An invitation link that cannot be used. `state` is unknown|accepted|revoked|expired."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state
