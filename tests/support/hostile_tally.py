"""Counts for the closing note of issue 10: hostile cases run, and how many of them ended in
a traceback (the goal is 0). tests/conftest.py prints them at the end of the run; under
pytest-xdist each worker hands its counts to the controlling process, which adds them up."""

from __future__ import annotations

from collections import Counter
from typing import Any

CASES: Counter[str] = Counter()
TRACEBACKS: Counter[str] = Counter()
STATUSES: Counter[tuple[str, int]] = Counter()


def count(kind: str, traceback: bool, status: int | None = None) -> None:
    CASES[kind] += 1
    if traceback:
        TRACEBACKS[kind] += 1
    if status is not None:
        STATUSES[kind, status] += 1


def export() -> dict[str, Any]:
    """This process's counts, in a form execnet carries (no tuple keys)."""
    return {"cases": dict(CASES), "tracebacks": dict(TRACEBACKS),
            "statuses": [[kind, code, n] for (kind, code), n in STATUSES.items()]}


def merge(counts: dict[str, Any]) -> None:
    CASES.update(counts["cases"])
    TRACEBACKS.update(counts["tracebacks"])
    STATUSES.update({(kind, code): n for kind, code, n in counts["statuses"]})


def lines() -> list[str]:
    out = []
    for kind in sorted(CASES):
        statuses = ", ".join(f"exit {code}: {n}" for (k, code), n in sorted(STATUSES.items())
                             if k == kind)
        out.append(f"{kind}: {CASES[kind]} cases, {TRACEBACKS[kind]} ended in a traceback"
                   + (f" ({statuses})" if statuses else ""))
    out.append(f"total: {sum(CASES.values())} cases, {sum(TRACEBACKS.values())} tracebacks")
    return out
