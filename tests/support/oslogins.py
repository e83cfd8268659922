"""Real operating-system logins sharing one licensedesk database, as on a jump host.

`shared_host` (a module fixture) creates a group, three users in it (a lead-to-be, an
agent-to-be and a stranger nobody registers) and a setgid group directory (2770) holding
the data directory; `host.run(user, *argv)` runs the CLI as that user with `runuser`.
Everything is removed afterwards. Where the tests do not run as root, or useradd/runuser
are missing, the tests skip with the reason.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("useradd", "userdel", "groupadd", "groupdel", "runuser")


@dataclass
class SharedHost:
    group: str
    lead: str
    agent: str
    stranger: str
    root: Path  # the setgid group directory
    # An interpreter other accounts may run (a venv's python may live in root's home),
    # with this checkout and its installed packages on the path.
    interpreter: str = sys.executable
    path: tuple[str, ...] = ()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.root),
            "LICENSEDESK_DATA_DIR": str(self.data_dir),
            "LICENSEDESK_CONFIG": str(self.root / "no-config.toml"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.update(extra)
        return env

    def run(self, user: str, *argv: str, timeout: float = 60,
            **env: str) -> subprocess.CompletedProcess[str]:
        """`licensedesk ARGV...` as `user`, with only this host's settings."""
        return self.python(user, "-m", "tui.cli.main", *argv, timeout=timeout, **env)

    def python(self, user: str, *argv: str, timeout: float = 60,
               **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["runuser", "-u", user, "--", self.interpreter, *argv],
            env=self.env(PYTHONPATH=os.pathsep.join(self.path), **env), cwd=self.root,
            capture_output=True, text=True, timeout=timeout, check=False)

    def uid(self, user: str) -> int:
        return pwd.getpwnam(user).pw_uid


def _missing() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "creating operating-system users needs root (CI runs as root)"
    gone = [t for t in TOOLS if shutil.which(t) is None]
    if gone:
        return f"missing tools: {', '.join(gone)}"
    return None


def _interpreter() -> str:
    """This Python's version from a place every account can reach (the system's)."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (f"/usr/bin/{name}", f"/usr/local/bin/{name}", sys.executable):
        if os.access(candidate, os.X_OK):
            return candidate
    return sys.executable


def _import_path() -> tuple[str, ...]:
    root = Path(__file__).resolve().parents[2]
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return (str(root), *sorted(paths))


def _sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def shared_host() -> Iterator[SharedHost]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    tag = secrets.token_hex(3)
    group = f"ldt{tag}"
    users = [f"ldt{tag}lead", f"ldt{tag}agent", f"ldt{tag}who"]
    root = Path(tempfile.mkdtemp(prefix="ld-shared-"))
    made: list[str] = []
    try:
        _sh("groupadd", group)
        for user in users:
            _sh("useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", user)
            made.append(user)
        # The shared folder of a team: its group, setgid so new files keep the group.
        os.chown(root, 0, grp.getgrnam(group).gr_gid)
        os.chmod(root, 0o2770)  # noqa: S103  (group-shared on purpose, none for others)
        host = SharedHost(group, *users, root=root, interpreter=_interpreter(),
                          path=_import_path())
        probe = host.python(users[0], "-c", "import tui.cli.main, sqlmodel, textual")
        if probe.returncode != 0:
            pytest.skip(f"another login cannot run this checkout ({host.interpreter}): "
                        f"{probe.stderr.strip().splitlines()[-1:]}")
        yield host
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for user in made:
            subprocess.run(["userdel", user], capture_output=True, timeout=30, check=False)
        subprocess.run(["groupdel", group], capture_output=True, timeout=30, check=False)
