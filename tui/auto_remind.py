"""The license screen's automatic-reminders switch (`A`): turns LICENSEDESK_AUTO_REMIND on or
off for this license, through the desk, and says what it did. Mixed into a screen that has a
`license_id`, before its base (it is a `DeskNode`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message

from tui.work import DeskNode


@dataclass
class AutoRemindSet(Message, bubble=False):
    on: bool
    scheduled: str  # the ages, in words ("" when the setting is off)


class AutoRemindToggle(DeskNode):
    license_id: int

    def action_auto_remind(self) -> None:
        self._toggle_auto_remind(self.license_id)

    @work(thread=True, group="auto-remind", exclusive=True, exit_on_error=False)
    def _toggle_auto_remind(self, license_id: int) -> None:
        desk = self.desk
        now_on = desk.set_auto_remind(license_id, not desk.auto_remind(license_id))
        self.reply(AutoRemindSet(now_on, desk.auto_remind_words()))

    @on(AutoRemindSet)
    def _auto_remind_set(self, message: AutoRemindSet) -> None:
        if not message.on:
            said = "Automatic reminders off for this license."
        elif message.scheduled:
            said = f"Automatic reminders on: {message.scheduled} after each send."
        else:
            said = "Automatic reminders on (none go until LICENSEDESK_AUTO_REMIND is set)."
        self.app.notify(said, markup=False)
        reload = getattr(self, "reload_on_resume", None)
        if reload is not None:
            reload()  # the History tab has a new line
