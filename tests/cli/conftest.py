"""Counts for the closing note of issue 10: hostile cases run, and how many of them ended in
a traceback (the goal is 0). Printed at the end of the run, and kept as JUnit properties."""

from __future__ import annotations

from collections import Counter

import pytest

CASES: Counter[str] = Counter()
TRACEBACKS: Counter[str] = Counter()
STATUSES: Counter[tuple[str, int]] = Counter()


def count(kind: str, traceback: bool, status: int | None = None) -> None:
    CASES[kind] += 1
    if traceback:
        TRACEBACKS[kind] += 1
    if status is not None:
        STATUSES[kind, status] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("issue 10: hostile cases")
    for kind in sorted(CASES):
        statuses = ", ".join(f"exit {code}: {n}" for (k, code), n in sorted(STATUSES.items())
                             if k == kind)
        terminalreporter.write_line(
            f"{kind}: {CASES[kind]} cases, {TRACEBACKS[kind]} ended in a traceback"
            + (f" ({statuses})" if statuses else ""))
    terminalreporter.write_line(
        f"total: {sum(CASES.values())} cases, {sum(TRACEBACKS.values())} tracebacks")
