"""Starting the console from the command line."""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    """Paint first; settings, database, demo data and staff identity load in a worker."""
    from tui.app import LicenseDeskApp

    app = LicenseDeskApp(serve_signup=True)
    app.run()
    return app.return_code or 0
