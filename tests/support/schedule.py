"""How `make test` spends its two cores: bytecode kept between runs, long tests started first,
fewer garbage collections.

Bytecode. With PYTHONDONTWRITEBYTECODE set (this machine's shells set it), every run compiled
the project afresh in every process and pytest rewrote the asserts of all ~250 test modules
in each xdist worker: about 4 s of CPU a worker before its first test. Pytest keeps those
rewritten modules next to Python's own bytecode (__pycache__, ignored by git), so a warm
checkout imports them instead. Tests do not depend on it; only their start does.

Order. pytest-xdist's worksteal hands each worker one contiguous slice of the collection
and lets idle workers steal from the end of the others' slices. A slice that ends with a
minute-long kill-loop test leaves one worker running it alone while the others are done.
`spread_slow_first` puts the tests marked `slow` (multi-process, kill loops, consoles on a
pty) at the head of the slices, dealt round-robin so no worker gets them all, the longest
measured first (LONGEST); the rest keep their order. Every worker computes the same order
from the same collection, as xdist needs. A stale LONGEST costs time, never a result.
"""

from __future__ import annotations

import gc
import os
import sys

import pytest

# The slow tests that took 30-100 s of wall time each in `pytest --durations` (kill loops
# that wait out leases, a PostgreSQL outage, runuser logins, a console under every dialog).
LONGEST = ("tests/mailer/test_multiprocess.py", "tests/mailer/test_pg_outage.py",
           "tests/e2e/test_pty_idle.py", "tests/identity/", "tests/models/test_processes.py")


def keep_bytecode() -> None:
    """Let this process and the ones it starts (xdist workers, subprocesses) write bytecode."""
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _slice_sizes(total: int, workers: int) -> list[int]:
    """The slices worksteal's first round sends (xdist/scheduler/worksteal.py check_schedule)."""
    sizes = []
    for i in range(workers):
        size = total // (workers - i)
        sizes.append(size)
        total -= size
    return sizes


def spread_slow_first(items: list[pytest.Item], workers: int) -> None:
    if workers < 2:  # one process: the order changes nothing
        return
    slow = [i for i in items if i.get_closest_marker("slow")]
    slow.sort(key=lambda i: not i.nodeid.startswith(LONGEST))  # stable: ties keep their order
    rest = [i for i in items if not i.get_closest_marker("slow")]
    heads: list[list[pytest.Item]] = [slow[w::workers] for w in range(workers)]
    ordered: list[pytest.Item] = []
    taken = 0
    for head, size in zip(heads, _slice_sizes(len(items), workers), strict=True):
        fill = max(0, size - len(head))
        ordered += head + rest[taken:taken + fill]
        taken += fill
    ordered += rest[taken:]
    assert sorted(map(id, ordered)) == sorted(map(id, items))
    items[:] = ordered


# Collections. A test process holds every module, every collected test and, during a console
# test, a whole Textual app: the cyclic collector walked all of it 5,000 times in 47 console
# tests, 15 % of their CPU. What exists once the tests are collected lives as long as the
# process, so it is frozen out of the collector's sight (as the console freezes what its
# start built), and collections come every 5,000 new objects instead of 700: cycles are
# still collected, a little later. Only test processes; the product's own keep Python's.
GEN0_THRESHOLD = 5000


def collect_less() -> None:
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)


def worker_count() -> int:
    """How many xdist workers run the suite (1 without xdist); set in each worker."""
    return int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
