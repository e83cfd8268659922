"""Starting the console from the command line (issue 4 fills this in)."""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    from tui.cli.main import build_parser

    build_parser().print_help()
    return 0
