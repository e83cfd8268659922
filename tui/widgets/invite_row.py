"""One row of the rows editor: an address, its role, the invitee's language (the
organization's unless chosen), the role's meaning beside them, and the desk's verdict below:
a refusal, "did you mean …?" with the key that takes the suggestion, or a mark when the
address is outside the client's domains."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from models.text import display
from models.views import InviteOutcome
from tui.commands import key
from tui.widgets.email_input import EmailInput
from tui.widgets.role_chip import LanguageChip, RoleChip

if TYPE_CHECKING:
    from models.desk import Role  # annotations only: the desk is not loaded to draw

DEFAULT_ROLE = "Agent"
_ids = count(1)


class InviteRow(Vertical):
    """One address with its role, the role's meaning beside it, and its outcome below."""

    DEFAULT_CSS = """
    InviteRow { height: auto; }
    InviteRow > .invite-row-line { height: 1; }
    InviteRow .invite-row-glyph { width: 2; }
    InviteRow EmailInput { width: 2fr; min-width: 24; max-width: 44; }
    InviteRow RoleChip { margin-left: 1; }
    InviteRow LanguageChip { margin-left: 1; }
    InviteRow .invite-row-meaning {
        width: 3fr; padding: 0 0 0 2; height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    InviteRow .invite-row-message { padding-left: 2; height: auto; }
    InviteRow .invite-row-message.-empty { display: none; }
    """

    def __init__(self, roles: Sequence[Role], email: str = "", role: str | None = None,
                 languages: Sequence[Role] = (), default_language: str = "",
                 language: str | None = None) -> None:
        """`languages`: the invitees' languages as `Role`s named by code (none: no language
        chip); `language`: this row's own (None: the organization's, `default_language`)."""
        super().__init__(id=f"invite-row-{next(_ids)}", classes="invite-row")
        self._roles = tuple(roles)
        self._email = email
        self._role = role or DEFAULT_ROLE
        self._languages = tuple(languages)
        self._default_language = default_language
        self.language = language
        # The person confirmed the row as typed (a suggestion declined, an Administrator
        # outside the client's domains); an edit of the address forgets it.
        self.confirmed = False
        self.outcome: InviteOutcome | None = None
        # Being removed: its fields go first while it is still a child, so it is no row now.
        self.leaving = False
        self._said = ""
        self._seen = (email, self._initial_role(), language)

    def note(self, email: str, role: str) -> bool:
        """Remember the row's content; False when it is what was seen last (no edit)."""
        if (email, role, self.language) == self._seen:
            return False
        if email != self._seen[0]:
            self.confirmed = False
        self._seen = (email, role, self.language)
        return True

    def compose(self) -> ComposeResult:
        with Horizontal(classes="invite-row-line"):
            yield Static(" ", classes="invite-row-glyph", markup=False)
            yield EmailInput(self._email, placeholder="name@example.com",
                             classes="invite-row-email", select_on_focus=False, compact=True)
            yield RoleChip(self._roles, self._initial_role(), who=lambda: self.email,
                           classes="invite-row-role")
            if self._languages:
                yield LanguageChip(self._languages, self.language or self._default_language,
                                   who=lambda: self.email, classes="invite-row-lang")
            yield Static("", classes="invite-row-meaning", markup=False)
        yield Static("", classes="invite-row-message -empty", markup=False)

    def on_mount(self) -> None:
        self._show_meaning()

    def _initial_role(self) -> str:
        names = [r.name for r in self._roles]
        if self._role in names:
            return self._role
        return DEFAULT_ROLE if DEFAULT_ROLE in names else (names[0] if names else "")

    @property
    def email_input(self) -> EmailInput:
        return self.query_one(EmailInput)

    @property
    def role_chip(self) -> RoleChip:
        return self.query_one(".invite-row-role", RoleChip)

    @property
    def email(self) -> str:
        return self.email_input.value.strip() if self.is_mounted else self._email.strip()

    @property
    def role(self) -> str:
        if not self.is_mounted:
            return self._initial_role()
        return self.role_chip.value

    def set_languages(self, languages: Sequence[Role], default: str) -> None:
        """The languages offered and the organization's; a row's own choice stays."""
        self._languages, self._default_language = tuple(languages), default
        if self.is_mounted:
            chips = self.query(LanguageChip)
            if chips:
                chips.first().set(self._languages, self.language or default)

    @on(RoleChip.Changed, ".invite-row-lang")
    def _language_chosen(self, event: RoleChip.Changed) -> None:
        self.language = None if event.value == self._default_language else event.value

    def set_roles(self, roles: Sequence[Role]) -> None:
        """Another product's roles; the chosen role stays if the product has it."""
        keep = self.role
        self._roles = tuple(roles)
        self._role = keep
        if self.is_mounted:
            self.role_chip.set(self._roles, self._initial_role())
            self._show_meaning()

    @on(RoleChip.Changed)
    def _show_meaning(self) -> None:
        meaning = next((r.meaning for r in self._roles if r.name == self.role), "")
        # One line per row (a pasted list stays a screenful); the picker has it in full.
        self.query_one(".invite-row-meaning", Static).update(Text(meaning))

    def mark(self, outcome: InviteOutcome | None) -> None:
        """Show what will happen (or happened) to this row; None clears the mark.

        Only what changed is touched: a class change restyles, and a paste marks hundreds.
        """
        if outcome == self.outcome:
            return
        before = self.outcome
        self.outcome = outcome
        state = "" if outcome is None else ("-ok" if outcome.ok else "-problem")
        was = "" if before is None else ("-ok" if before.ok else "-problem")
        glyph = self.query_one(".invite-row-glyph", Static)
        message = self.query_one(".invite-row-message", Static)
        if state != was:
            glyph.remove_class("-ok", "-problem")
            if state:
                glyph.add_class(state)
            glyph.update(Text({"": " ", "-ok": "✓", "-problem": "✗"}[state]))
        said = self._words(outcome)
        if said != self._said:
            self._said = said
            message.update(Text(said))
            message.set_class(not said, "-empty")

    @staticmethod
    def _words(outcome: InviteOutcome | None) -> str:
        """The line under the row: the refusal, a suggestion with its key, or "outside"."""
        if outcome is None:
            return ""
        if outcome.result == "typo" and outcome.suggestion:
            return (f"✗ did you mean {display(outcome.suggestion)}? "
                    f"{key('invite_rows', 'take_suggestion')}: take it · "
                    "send: keep it as typed (asks)")
        if outcome.result == "outside":
            return f"✗ {display(outcome.message)}: sending asks first"
        if not outcome.ok:
            return f"✗ {display(outcome.message)}"
        if outcome.outside:
            return "↗ outside the client's domains"
        return ""
