"""The first page of clients read while the console is still importing.

`tui.launch` starts the read before it imports Textual (about a third of a second of
interpreter work); SQLite reads with the GIL released, so the rows are usually there when
the Clients screen mounts and the first frame has them, instead of a worker starting then.
Only the console's own start uses it: an app made in a test reads as before.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.views import OrgPage

# Rows in a page of the Clients list: about two screens; a short page keeps each
# keystroke's query and repaint quick.
PAGE = 60


class EarlyPage:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.page: OrgPage | None = None
        self.done = threading.Event()
        threading.Thread(target=self._read, name="first-page", daemon=True).start()

    def _read(self) -> None:
        try:
            from models.quickpage import first_page

            self.page = first_page(self.limit)
        except Exception:  # a traceback here would land on the terminal; the screen reads anew
            self.page = None
        finally:
            self.done.set()


_started: EarlyPage | None = None


def start() -> None:
    global _started
    _started = EarlyPage(PAGE)


def take() -> EarlyPage | None:
    """The read `start` began, once (a second Clients screen reads for itself)."""
    global _started
    early, _started = _started, None
    return early
