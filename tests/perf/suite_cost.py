"""Where `make test`'s time goes (issue 14: the suite in under 3 minutes on 2 cores).

    .venv/bin/python tests/perf/suite_cost.py [--workers 4] [--rows FILE] [pytest args...]

Runs the suite as `make test` does (pytest-xdist, worksteal) with `cpu_per_test` loaded,
samples how busy the machine's cores were, and prints `name value unit target ok|short`:

- suite_wall: the run, against 180 s;
- suite_cores_busy: the share of all cores' time spent working (idle and iowait excluded);
  near 100 %, the suite is CPU-bound and only less CPU makes it shorter;
- suite_cpu_in_tests / suite_cpu_in_children: CPU of the test processes' own tests, and of
  the processes the tests started and reaped (CLIs, relays, consoles on a pty, other logins);
- suite_cpu_all, suite_wall_floor: all CPU of the run, and that spread over every core at
  the busy share measured: the shortest wall time this much work allows here;
- suite_cpu_collecting / _between_tests / _children_outside_tests / _controller: what the
  test processes spend outside any test (start and collection; xdist's messages; servers
  reaped at exit), and pytest-xdist's controller;
then, per test directory, the same figures, the costliest first. `--rows FILE` keeps every
test's figures as JSON, to sort by test.

Not part of `make bench` (it takes as long as the suite); run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_S = 180.0


def _cpu_ticks() -> tuple[int, int]:
    """(all, idle) jiffies of every core since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle, iowait


class Busy:
    def __init__(self) -> None:
        self.start = _cpu_ticks()

    def stop(self) -> float:
        end = _cpu_ticks()
        total, idle = end[0] - self.start[0], end[1] - self.start[1]
        return 1 - idle / total if total else 0.0


def line(name: str, value: float, unit: str, target: str = "-", ok: bool = True) -> None:
    print(f"{name} {value:.1f} {unit} {target} {'ok' if ok else 'short'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rows", type=Path, help="also write every test's figures here (JSON)")
    args, rest = parser.parse_known_args()
    out = Path(tempfile.mkdtemp(prefix="suite-cost-"))
    env = {**os.environ, "SUITE_COST_DIR": str(out),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tests" / "perf"),
                                                       os.environ.get("PYTHONPATH")]))}
    busy = Busy()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", str(args.workers),
                           "--dist", "worksteal", "-p", "cpu_per_test", *rest],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    share = busy.stop()
    said = proc.stdout.strip().splitlines()
    for text in said:
        if text.startswith(("FAILED", "ERROR")):
            print(f"# {text}")
    print(said[-1] if said else "(no pytest output)")
    rows = [json.loads(text) for f in out.glob("*.jsonl") for text in f.read_text().splitlines()]
    procs = [json.loads(f.read_text()) for f in out.glob("*.process")]
    shutil.rmtree(out, ignore_errors=True)
    if args.rows:
        args.rows.write_text(json.dumps(rows))
    cores = os.cpu_count() or 1
    in_tests = sum(r["cpu"] for r in rows)
    children = sum(r["children"] for r in rows)
    line("suite_wall", wall, "s", f"<={TARGET_S:.0f}", wall <= TARGET_S)
    line("suite_cores_busy", share * 100, "%")
    line("suite_cpu_in_tests", in_tests, "s")
    line("suite_cpu_in_children", children, "s")
    # Test processes' own CPU outside any test: start, collection, xdist's messages; and the
    # servers they reaped at exit (PostgreSQL, Postfix: their CPU counts to whoever reaps).
    workers = [p for p in procs if p.get("worker")]
    controller = [p for p in procs if not p.get("worker")]
    line("suite_cpu_collecting", sum(p["collected"] for p in workers), "s")
    line("suite_cpu_between_tests",
         sum(p["total"] - p["collected"] for p in workers) - in_tests, "s")
    line("suite_cpu_children_outside_tests", sum(p["children"] for p in workers) - children, "s")
    line("suite_cpu_controller", sum(p["total"] for p in controller), "s")
    # Everything: the workers with all they reaped, and the controller.
    spent = sum(p["total"] + p["children"] for p in workers) + sum(p["total"] for p in controller)
    line("suite_cpu_all", spent, "s")
    line("suite_wall_floor", spent / (cores * max(share, 0.01)), "s")
    by: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for r in rows:
        where = "/".join(r["id"].split("::")[0].split("/")[:2])
        b = by[where]
        b[0] += 1
        b[1] += r["wall"]
        b[2] += r["cpu"]
        b[3] += r["children"]
    print(f"# {'directory':<32} {'tests':>5} {'wall s':>7} {'cpu s':>6} {'children s':>10}")
    for where, (n, w, c, ch) in sorted(by.items(), key=lambda kv: -(kv[1][2] + kv[1][3])):
        print(f"# {where:<32} {n:>5.0f} {w:>7.1f} {c:>6.1f} {ch:>10.1f}")
    print(f"# {cores} cores; {len(rows)} tests; pytest exit {proc.returncode}")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
