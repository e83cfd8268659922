"""My profile: one's own name and e-mail, changed through the domain (audited there).

A refused value is explained in the dialog and what was typed stays; the dialog returns the
staff record as the domain saved it, or None when nothing was saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui import typeahead
from tui.cells import clean
from tui.commands import bindings, key
from tui.messages import WorkFailed
from tui.widgets.safe_input import SafeInput
from tui.work import DeskNode

if TYPE_CHECKING:
    from models.views import NotifyPrefs, StaffRef


@dataclass
class _Saved(Message, bubble=False):
    me: StaffRef
    prefs_changed: bool = False


@dataclass
class _Prefs(Message, bubble=False):
    prefs: NotifyPrefs


# How I hear of accepted, overdue and failed invitations (models.digest, issue 13).
NOTIFY_CHOICES = [("a mail for each", "each"), ("a daily digest", "digest"),
                  ("no mail (console only)", "none")]


class ProfileDialog(ModalScreen["StaffRef | None"], DeskNode):
    BINDINGS = bindings("profile")

    def __init__(self, me: StaffRef) -> None:
        super().__init__()
        self.me = me
        self.prefs: NotifyPrefs | None = None  # None until read

    def compose(self) -> ComposeResult:
        me = self.me
        with Vertical(id="dialog", classes="form"):
            yield Label("My profile", classes="dialog-title")
            who = f"Signed in as {me.login}, {me.role}" if me.login else f"Role: {me.role}"
            yield Static(clean(f"{who}. Invitations you send carry this name; your alerts "
                               "come to this address."), id="profile-who", markup=False)
            yield Label("Your name")
            yield SafeInput(clean(me.name), id="name", max_length=200, compact=True)
            yield Label("Your e-mail")
            yield SafeInput(clean(me.email), id="email", max_length=320, compact=True)
            yield Label("Accepted, overdue and failed invitations by mail")
            yield Select(NOTIFY_CHOICES, value="each", allow_blank=False, id="notify",
                         compact=True)
            with Horizontal(id="digest-at"):
                yield Label("Digest at hour ")
                yield SafeInput("8", id="digest-hour", max_length=2, compact=True)
                yield Label(" in zone ")
                yield SafeInput("UTC", id="digest-zone", max_length=64, compact=True)
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Save ({key('profile', 'save')})", id="save", variant="primary",
                             compact=True)
                yield Button(f"Cancel ({key('profile', 'cancel')})", id="cancel",
                             compact=True)

    def on_mount(self) -> None:
        self.query_one("#error").display = False
        self.query_one("#name", Input).focus()
        self._read_prefs()

    @work(thread=True, group="profile-prefs", exit_on_error=False)
    def _read_prefs(self) -> None:
        self.reply(_Prefs(self.desk.notify_prefs()))

    @on(_Prefs)
    def _show_prefs(self, message: _Prefs) -> None:
        p = self.prefs = message.prefs
        self.query_one("#notify", Select).value = p.notify
        self.query_one("#digest-hour", Input).value = str(p.digest_hour)
        self.query_one("#digest-zone", Input).value = clean(p.digest_zone)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name":
            self.query_one("#email", Input).focus()
        else:
            self.action_save()

    def _prefs_typed(self) -> tuple[str, str, str] | None:
        """(notify, hour, zone) as shown, or None while the stored ones are not read yet."""
        if self.prefs is None:
            return None
        notify = self.query_one("#notify", Select).value
        return (str(notify), self.query_one("#digest-hour", Input).value,
                self.query_one("#digest-zone", Input).value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.busy("profile"):
            return
        typeahead.hold(self)  # keys typed on after ctrl+s land where the outcome leads
        self._save(self.query_one("#name", Input).value, self.query_one("#email", Input).value,
                   self._prefs_typed())

    @work(thread=True, group="profile", exit_on_error=False)
    def _save(self, name: str, email: str, prefs: tuple[str, str, str] | None) -> None:
        # Both or neither: the preferences are checked before the name and e-mail are
        # written and stored after, so a refusal of either leaves everything as it was.
        changed = False
        if prefs is not None:
            self.desk.check_notify(*prefs)
        me = self.desk.update_me(name=name, email=email)
        if prefs is not None:
            changed = self.desk.set_notify(*prefs) != self.prefs
        self.reply(_Saved(me, changed))

    @on(WorkFailed)
    def _refused(self, message: WorkFailed) -> None:
        from models.errors import DomainError

        typeahead.ready(self)
        if isinstance(message.error, DomainError):  # shown in the dialog; what was typed stays
            message.stop()
            error = self.query_one("#error", Static)
            error.update(clean(str(message.error)))
            error.display = True

    @on(_Saved)
    def _saved(self, message: _Saved) -> None:
        result = message.me
        changed = message.prefs_changed or (result.name, result.email) != (self.me.name,
                                                                          self.me.email)
        self.app.notify("Profile saved" if changed else "Profile unchanged", markup=False)
        self.dismiss(result)
        typeahead.ready(self)
