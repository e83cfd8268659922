"""Garbage collection while a licensedesk process starts.

A process imports SQLAlchemy, SQLModel and pydantic, the console Textual too: well over
100,000 objects that live as long as it does. Python's collector, run every 700 new
objects, walked them again and again meanwhile: importing the CLI's modules took 0.50-0.55 s
of CPU with it, 0.45-0.47 s without. While a process starts, collections come every
`STARTING` new objects; one that keeps running (the console, the relay, the invitees'
page) then freezes what its start built, out of the collector's sight, and takes Python's
thresholds back (`started`). A short command keeps the start's setting to its end: its
cycles are still collected, less often.
"""

from __future__ import annotations

import gc

STARTING = 100_000
_normal: tuple[int, int, int] | None = None


def starting() -> None:
    global _normal
    if _normal is None:
        _normal = gc.get_threshold()
        gc.set_threshold(STARTING, _normal[1], _normal[2])


def started() -> None:
    """What the start built lives as long as the process: frozen, and Python's thresholds
    back for what comes next."""
    global _normal
    gc.freeze()
    if _normal is not None:
        gc.set_threshold(*_normal)
        _normal = None
