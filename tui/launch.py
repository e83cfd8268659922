"""Starting the console from the command line."""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    """Paint first; settings, database, demo data and staff identity load in a worker."""
    import os

    from tui import early

    early.start()  # the first rows, read while Textual imports
    from tui.app import LicenseDeskApp

    # An exported COLUMNS or LINES would size the first frame (Rich reads them) instead of
    # the terminal, and nothing corrects it until the window is resized.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    app = LicenseDeskApp(serve_signup=True)
    app.run()
    return app.return_code or 0
