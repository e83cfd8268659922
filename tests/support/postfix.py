"""A throwaway Postfix for the test session, configured like a company's submission port.

Use it in a test module (or a conftest.py):

    from tests.support.postfix import postfix_session  # noqa: F401

`postfix` (defined by `postfix_session`) is a session fixture giving a running `PostfixServer`:

- Postfix from the machine's packages (Debian: postfix, sasl2-bin, libsasl2-modules), run
  with `postfix -c <confdir>`: its own main.cf/master.cf, queue directory, data directory
  and log file, all in one temporary directory. The machine's /etc/postfix is only read
  (the packaged defaults and dynamicmaps.cf); no system instance is started or changed.
- One smtpd on a free port of 127.0.0.1: STARTTLS required (`smtpd_tls_security_level =
  encrypt`), with a self-signed certificate for 127.0.0.1 made here (`cert`, to trust as a
  CA file); SASL PLAIN and LOGIN offered only after STARTTLS (`smtpd_tls_auth_only`), against
  a sasldb2 file holding one user made here (`username`, `password`); nothing is relayed
  without signing in (loopback is not trusted); SMTPUTF8 on.
- Everything accepted is relayed (`relayhost`) to `sink`, a real aiosmtpd server on another
  loopback port, where a test sees the envelope and the message as they arrived. Postfix
  adds `Received: ... (using TLSv1.3 ...)` and `(Authenticated sender: ...)`, so a test can
  tell that the session that handed it the mail was encrypted and signed in.

Postfix must be started as root (it drops to its `postfix` user itself). Where it is not
installed, the tests do not run as root, or it does not start, every test using the fixture
is skipped with the reason. `wait_for` polls the sink (flushing Postfix's queue now and then)
with a time limit. Nothing listens on anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.certs import self_signed
from tests.support.ports import free_port

REALM = "partner.test"         # the SASL realm; sasldb2 keys users as user@realm
HOSTNAME = "smtp.partner.test"  # Postfix's myhostname (not the sink's: that would be a loop)
SINK_HOSTNAME = "sink.partner.test"
SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(SBIN))


# --- the sink: where Postfix relays to ---------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """One mail as Postfix handed it on: envelope and bytes."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    mail_options: tuple[str, ...]
    smtputf8: bool
    data: bytes

    @property
    def message(self) -> EmailMessage:
        if self.smtputf8:  # headers may hold raw UTF-8 (RFC 6532): read them as text
            msg = Parser(policy=policy.default).parsestr(
                self.data.decode("utf-8", "surrogateescape"))
        else:
            msg = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class _SinkHandler:
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        arrival = Arrival(
            mail_from=str(envelope.mail_from), rcpt_tos=tuple(envelope.rcpt_tos),
            mail_options=tuple(envelope.mail_options), smtputf8=bool(envelope.smtp_utf8),
            data=envelope.original_content or b"")
        with self.lock:
            self.arrivals.append(arrival)
        return "250 OK"


class Sink:
    """aiosmtpd with SMTPUTF8, on its own loop in a thread, on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.handler = _SinkHandler()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._run, name="postfix-sink", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        def factory() -> SMTP:
            return SMTP(self.handler, hostname=SINK_HOSTNAME, enable_SMTPUTF8=True,
                        decode_data=False, loop=self._loop)

        self._server = self._loop.run_until_complete(
            self._loop.create_server(factory, "127.0.0.1", 0))
        self.port = int(self._server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> Sink:
        self._thread.start()
        assert self._ready.wait(5), "the sink did not start"
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    @property
    def arrivals(self) -> list[Arrival]:
        with self.handler.lock:
            return list(self.handler.arrivals)


# --- the certificate ---------------------------------------------------------------------


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and HOSTNAME): (cert.pem, key.pem)."""
    return self_signed(directory, HOSTNAME, "127.0.0.1")  # smtpd reads the key as root


# --- Postfix -----------------------------------------------------------------------------


MASTER_CF = """\
# service  type  private unpriv chroot wakeup maxproc command
{listen}   inet  n       -      n      -      -       smtpd
pickup     unix  n       -      n      60     1       pickup
cleanup    unix  n       -      n      -      0       cleanup
qmgr       unix  n       -      n      300    1       qmgr
tlsmgr     unix  -       -      n      1000?  1       tlsmgr
rewrite    unix  -       -      n      -      -       trivial-rewrite
bounce     unix  -       -      n      -      0       bounce
defer      unix  -       -      n      -      0       bounce
trace      unix  -       -      n      -      0       bounce
verify     unix  -       -      n      -      1       verify
flush      unix  n       -      n      1000?  0       flush
proxymap   unix  -       -      n      -      -       proxymap
smtp       unix  -       -      n      -      -       smtp
relay      unix  -       -      n      -      -       smtp
showq      unix  n       -      n      -      -       showq
error      unix  -       -      n      -      -       error
retry      unix  -       -      n      -      -       error
discard    unix  -       -      n      -      -       discard
anvil      unix  -       -      n      -      1       anvil
scache     unix  -       -      n      -      1       scache
postlog    unix-dgram n  -      n      -      1       postlogd
"""


class PostfixServer:
    """One Postfix instance under a temporary directory; see the module docstring."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.postfix = _which("postfix") or "postfix"
        self.postqueue = _which("postqueue") or "postqueue"
        self.saslpasswd2 = _which("saslpasswd2") or "saslpasswd2"
        self.username = "licensedesk"
        self.password = secrets.token_urlsafe(18)
        self.port = free_port()
        # Not pytest's tmp_path: that sits under a root-only 0700 directory, and Postfix's
        # unprivileged processes must reach their data directory and the sasldb2 file.
        self.base = Path(tempfile.mkdtemp(prefix="licensedesk-postfix-"))
        self.base.chmod(0o755)
        self.conf = self.base / "conf"
        self.queue = self.base / "queue"
        self.data = self.base / "data"
        # Debian's Postfix reads <config_directory>/sasl/smtpd.conf whatever
        # cyrus_sasl_config_path says; upstream's reads cyrus_sasl_config_path. Both point here.
        self.sasl = self.conf / "sasl"
        self.log = self.base / "maillog"
        self.cert, self.key = make_cert(self.base)
        self._started = False

    # configuration

    def main_cf(self) -> str:
        b = self.base
        return f"""\
compatibility_level = 3.6
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop
myhostname = {HOSTNAME}
mydomain = partner.test
myorigin = $myhostname

# Nothing is delivered here: everything accepted goes to the sink.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled
alias_maps =
alias_database =
relayhost = [127.0.0.1]:{self.sink.port}
# Loopback is not trusted: only a signed-in client may relay.
mynetworks = 192.0.2.1/32
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtputf8_enable = yes
smtp_tls_security_level = none

# The submission port: TLS first, then SASL PLAIN/LOGIN.
smtpd_tls_chain_files = {self.key}, {self.cert}
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = {self.sasl}
smtpd_sasl_local_domain = {REALM}
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_sasl_authenticated_header = yes
broken_sasl_auth_clients = no

# Quick retries, so a test never waits out Postfix's normal back-off.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s

maillog_file = {self.log}
maillog_file_prefixes = {b}
biff = no
"""

    def sasl_conf(self) -> str:
        return (f"pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n"
                f"sasldb_path: {self.sasl / 'sasldb2'}\n")

    def write_config(self) -> None:
        postfix_gid = grp.getgrnam("postfix").gr_gid
        self.conf.mkdir()
        (self.conf / "main.cf").write_text(self.main_cf())
        (self.conf / "master.cf").write_text(
            MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
        self.queue.mkdir(mode=0o755)  # root's; `postfix start` makes what is inside
        self.data.mkdir()
        pw = pwd.getpwnam("postfix")
        os.chown(self.data, pw.pw_uid, pw.pw_gid)
        self.sasl.mkdir()
        (self.sasl / "smtpd.conf").write_text(self.sasl_conf())
        sasldb = self.sasl / "sasldb2"
        r = subprocess.run(
            [self.saslpasswd2, "-f", str(sasldb), "-c", "-p", "-u", REALM, self.username],
            input=self.password, capture_output=True, text=True, timeout=30, check=False)
        if r.returncode != 0 or not sasldb.exists():
            raise RuntimeError(f"saslpasswd2 failed: {r.stderr.strip() or r.stdout.strip()}")
        os.chown(sasldb, 0, postfix_gid)  # smtpd reads it as the postfix user
        sasldb.chmod(0o640)

    # running

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                              check=False, cwd="/", env={**os.environ, "LC_ALL": "C"})

    def start(self) -> None:
        self.write_config()
        r = self._run(self.postfix, "-c", str(self.conf), "start")
        self._started = True
        if r.returncode != 0:
            raise RuntimeError(f"postfix start failed: {(r.stderr + r.stdout).strip()}\n"
                               f"{self.log_text()[-2000:]}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    s.settimeout(5)
                    if s.recv(512).startswith(b"220"):
                        s.sendall(b"QUIT\r\n")
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"postfix did not answer on 127.0.0.1:{self.port}\n"
                           f"{self.log_text()[-2000:]}")

    def master_pid(self) -> int | None:
        try:
            return int((self.queue / "pid" / "master.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if self._started:
            pid = self.master_pid()
            self._run(self.postfix, "-c", str(self.conf), "stop", timeout=30)
            deadline = time.monotonic() + 15
            while pid and time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                if pid:  # still there: stop only this instance's master, by its pid
                    self._run(self.postfix, "-c", str(self.conf), "abort", timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)

    def flush(self) -> None:
        """Attempt delivery of everything in this instance's queue now."""
        self._run(self.postqueue, "-c", str(self.conf), "-f", timeout=30)

    def queue_listing(self) -> str:
        r = self._run(self.postqueue, "-c", str(self.conf), "-p", timeout=30)
        return (r.stdout + r.stderr).strip()

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait_for(self, done: Callable[[list[Arrival]], bool], timeout: float = 30,
                 flush_every: float = 3) -> list[Arrival]:
        """Poll the sink until `done(arrivals)`; flush the queue now and then. On time-out,
        fail with what Postfix's queue and log say."""
        deadline = time.monotonic() + timeout
        next_flush = time.monotonic() + flush_every
        while True:
            arrivals = self.sink.arrivals
            if done(arrivals):
                return arrivals
            now = time.monotonic()
            if now >= deadline:
                pytest.fail(f"Postfix did not hand the mail on within {timeout:.0f} s "
                            f"({len(arrivals)} arrived)\nqueue:\n{self.queue_listing()}\n"
                            f"log:\n{self.log_text()[-3000:]}")
            if now >= next_flush:
                self.flush()
                next_flush = now + flush_every
            time.sleep(0.1)


def server_or_skip(sink: Sink) -> PostfixServer:
    missing = [n for n in ("postfix", "postqueue", "saslpasswd2") if _which(n) is None]
    if missing:
        pytest.skip(f"Postfix tests skipped: {', '.join(missing)} not found (install the "
                    "postfix, sasl2-bin and libsasl2-modules packages to run them)")
    if os.geteuid() != 0:
        pytest.skip("Postfix tests skipped: Postfix must be started as root, and these tests "
                    "do not run as root")
    for name in ("postfix", "postdrop"):
        try:
            grp.getgrnam(name)
        except KeyError:
            pytest.skip(f"Postfix tests skipped: no '{name}' group (the postfix package "
                        "makes it)")
    plugins = [Path(p) for p in ("/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/sasl2",
                                 "/usr/lib64/sasl2", "/usr/lib/aarch64-linux-gnu/sasl2")]
    if not any(any(d.glob("libsasldb.so*")) and any(d.glob("libplain.so*"))
               for d in plugins if d.is_dir()):
        pytest.skip("Postfix tests skipped: no Cyrus SASL sasldb/plain plugins (install "
                    "libsasl2-modules)")
    return PostfixServer(sink)


@pytest.fixture(scope="session", name="postfix")
def postfix_session() -> Iterator[PostfixServer]:
    """A running Postfix submission port relaying to a sink, for the whole session."""
    sink = Sink().start()
    server: PostfixServer | None = None
    try:
        server = server_or_skip(sink)
        try:
            server.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            pytest.skip(f"Postfix tests skipped: Postfix did not start: {err}")
        yield server
    finally:
        if server is not None:
            server.stop()
        sink.stop()


def arrivals_for(arrivals: list[Arrival], message_ids: set[str]) -> list[Arrival]:
    """The arrivals carrying one of these Message-IDs (the sink is shared by the session)."""
    out = []
    for a in arrivals:
        mid = a.message.get("Message-ID", "")
        if str(mid).strip() in message_ids:
            out.append(a)
    return out


def summary(arrival: Arrival) -> dict[str, Any]:
    """For assertion messages."""
    return {"from": arrival.mail_from, "to": arrival.rcpt_tos, "options": arrival.mail_options,
            "received": arrival.message.get_all("Received", [])}
