"""The console fitted to the terminal it runs in: `NO_COLOR` (`tui.mono`), the Linux
console's font (`tui.glyphs`) and mouse tracking (`tui.mouse`), all chosen once at start;
the mouse can be switched at run time ("Mouse on/off" in the palette).

`TerminalApp` is a base of the console's App, before the others.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.driver import Driver
from textual.filter import LineFilter

from tui.glyphs import ConsoleGlyphs, linux_console
from tui.mono import TEXTUAL_COLOUR_FILTERS, VARIABLES, NoColour, blank_unticked_boxes
from tui.prefs import MouseMode, mouse_mode


class TerminalApp(App[int]):
    _own_filters: Sequence[LineFilter] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before App.__init__, which picks the driver class.
        self.mouse_mode: MouseMode = mouse_mode()
        self._mouse_when_on: MouseMode = "on" if self.mouse_mode == "off" else self.mouse_mode
        super().__init__(*args, **kwargs)
        own: list[LineFilter] = []
        if self.no_color:
            own.append(NoColour())
            blank_unticked_boxes()
        if linux_console():
            own.append(ConsoleGlyphs())
        self._own_filters = own

    def get_line_filters(self) -> Sequence[LineFilter]:
        textual = super().get_line_filters()
        if not self._own_filters:
            return textual
        if self.no_color:  # ours drops every colour; Textual's would write greys
            textual = [f for f in textual if not isinstance(f, TEXTUAL_COLOUR_FILTERS)]
        return [*textual, *self._own_filters]

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        return {**variables, **VARIABLES} if self.no_color else variables

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        linux = sys.modules.get("textual.drivers.linux_driver")  # imported where it applies
        if linux is not None and driver is linux.LinuxDriver:
            from tui.mouse import MouseDriver

            return MouseDriver
        return driver

    def action_toggle_mouse(self) -> None:
        self.mouse_mode = self._mouse_when_on if self.mouse_mode == "off" else "off"
        from tui.mouse import MouseDriver

        if isinstance(self._driver, MouseDriver):
            self._driver.set_mode(self.mouse_mode)
        if self.mouse_mode == "off":
            self.notify("Mouse off: drag to select text with the terminal.", markup=False)
        else:
            self.notify("Mouse on: Shift-drag selects text with the terminal.", markup=False)
