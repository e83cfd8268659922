"""Mouse tracking as the person chose it (`LICENSEDESK_MOUSE`), and a table hover that
repaints only the rows it leaves and enters.

    on     clicks, the wheel and drags (button-event tracking, mode 1002): the pointer's
           motion is not reported, so moving it over the console sends nothing
    hover  also every motion (mode 1003): table rows and keys light up under the pointer
    off    no tracking at all: the terminal's own selection works with a plain drag

Textual's Linux driver always asks for 1003, so every pointer motion over SSH is a report
up and, with hover, a repaint down. `MouseDriver` asks for what the mode needs, and the
palette's "Mouse on/off" switches tracking at run time.
"""

from __future__ import annotations

from typing import Any

from textual.drivers.linux_driver import LinuxDriver

from tui.prefs import MouseMode

# Tracking and its encodings: 1000 clicks and wheel, 1002 drags, 1003 any motion, 1015 and
# 1006 the report formats Textual reads.
_ENABLE = {"on": ("1000", "1002", "1015", "1006"), "hover": ("1000", "1003", "1015", "1006")}
_DISABLE = ("1000", "1002", "1003", "1015", "1006")


class MouseDriver(LinuxDriver):
    """Textual's Linux driver with tracking per `mode` (read from the app at start)."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.mode: MouseMode = getattr(app, "mouse_mode", "on")
        from tui.paste import install

        install()  # a paste stays text (`tui.paste`): its input thread starts later

    def _enable_mouse_support(self) -> None:
        if not self._mouse or self.mode == "off":
            return
        self.write("".join(f"\x1b[?{m}h" for m in _ENABLE[self.mode]))
        self.flush()

    def _enable_mouse_pixels(self) -> None:
        if self.mode != "off":
            super()._enable_mouse_pixels()

    def _disable_mouse_support(self) -> None:
        if not self._mouse:
            return
        self.write("".join(f"\x1b[?{m}l" for m in _DISABLE))
        self.flush()

    def set_mode(self, mode: MouseMode) -> None:
        """Track as `mode` says from now on (off: the terminal selects text again)."""
        self._disable_mouse_support()
        self.mode = mode
        self._enable_mouse_support()
