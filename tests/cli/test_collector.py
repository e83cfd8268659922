"""A licensedesk process starts with fewer garbage collections (tui/collector.py): a short
command keeps that to its end, a long-running one takes Python's thresholds back once it
is up, and main() called with arguments (a test, a caller in its own process) changes
nothing of its caller's."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from tui.cli.main import main
from tui.collector import STARTING

ROOT = Path(__file__).resolve().parents[2]


def python(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "LICENSEDESK_DATA_DIR": str(tmp_path / "data"),
           "LICENSEDESK_CONFIG": str(tmp_path / "config.toml")}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_command_line_runs_with_the_start_setting(tmp_path: Path) -> None:
    out = python("import gc, sys\n"
                 "default = gc.get_threshold()[0]\n"
                 "sys.argv = ['licensedesk', 'db', 'upgrade']\n"
                 "from tui.cli.main import main\n"
                 "code = main()\n"
                 "print(code, default, gc.get_threshold()[0])", tmp_path)
    assert out.splitlines()[-1] == f"0 700 {STARTING}"


def test_a_long_running_process_takes_pythons_thresholds_back(tmp_path: Path) -> None:
    out = python("import gc\n"
                 "from tui import collector\n"
                 "collector.starting()\n"
                 "during = gc.get_threshold()[0]\n"
                 "collector.started()\n"
                 "print(during, gc.get_threshold()[0], gc.get_freeze_count() > 0)", tmp_path)
    assert out == f"{STARTING} 700 True"


def test_main_with_arguments_leaves_its_callers_collector_alone(capsys: object) -> None:
    before = gc.get_threshold()
    main(["--help"])
    assert gc.get_threshold() == before
