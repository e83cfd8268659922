"""A pytest plugin for `suite_cost.py`: each test's wall time, this process's CPU and the CPU
of the child processes it waited for, one JSON line a test, into $SUITE_COST_DIR.

Children count once reaped: a server left running (PostgreSQL, Postfix) is not a test's.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

_out: IO[str] | None = None


def _children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Any) -> Iterator[None]:
    global _out
    if _out is None:
        _out = (Path(os.environ["SUITE_COST_DIR"]) / f"{os.getpid()}.jsonl").open("a")
    wall, cpu, children = time.perf_counter(), time.process_time(), _children()
    yield
    _out.write(json.dumps({"id": item.nodeid, "wall": time.perf_counter() - wall,
                           "cpu": time.process_time() - cpu,
                           "children": _children() - children}) + "\n")
    _out.flush()


def _self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


_collected: list[float] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    _collected.append(_self())


def pytest_unconfigure(config: pytest.Config) -> None:
    """One line a process: CPU to the end of collection, in all (its tests included), and of
    its children reaped (for xdist's controller, the workers and everything under them)."""
    path = Path(os.environ["SUITE_COST_DIR"]) / f"{os.getpid()}.process"
    path.write_text(json.dumps({"collected": _collected[0] if _collected else 0.0,
                                "total": _self(), "children": _children(),
                                "worker": "PYTEST_XDIST_WORKER" in os.environ}))
