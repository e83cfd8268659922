"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe).

No browser download, no extra package and no debugging port: JSON messages ending in NUL
go to the browser on its fd 3 and come back on its fd 4. The page is used as a person
would: focus a field, type, click the button; no script is injected into it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import signal
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
    "--password-store=basic", "--window-size=1100,1400", "--remote-debugging-pipe",
)


class CdpError(RuntimeError):
    pass


def _high(fd: int) -> int:
    """Move a pipe end above the fds the child gets (0-4), close-on-exec."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Chromium:
    def __init__(self, profile: Path, log: Path, timeout: float = 15.0) -> None:
        self.profile, self.log, self.timeout = profile, log, timeout
        self.pid = 0
        self._to = self._from = -1
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def start(self) -> Chromium:
        self.profile.mkdir(parents=True, exist_ok=True)
        child_in, self._to = map(_high, os.pipe())
        self._from, child_out = map(_high, os.pipe())
        log_fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        argv = [str(CHROMIUM), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"]
        try:
            self.pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1), (os.POSIX_SPAWN_DUP2, log_fd, 2),
                (os.POSIX_SPAWN_DUP2, child_in, 3), (os.POSIX_SPAWN_DUP2, child_out, 4),
            ], setpgroup=0)
        finally:
            for fd in (child_in, child_out, log_fd):
                os.close(fd)
        self.call("Browser.getVersion")
        return self

    # -- protocol --------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from, 1 << 16)
            if not chunk:
                raise CdpError(f"Chromium closed the pipe; see {self.log}")
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return dict(json.loads(raw))

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, after: int, session: str | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        """The first `method` event at index >= `after` in self.events (waiting for it)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        seen = after
        while True:
            for ev in self.events[seen:]:
                if ev["method"] == method and (session is None or ev.get("sessionId") == session):
                    return ev
            seen = len(self.events)
            reply = self._read_message(deadline)
            if "method" in reply:
                self.events.append(reply)

    def close(self) -> None:
        if not self.pid:
            return
        with contextlib.suppress(Exception):
            self.call("Browser.close")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.05)
        else:
            # Our own process group (setpgroup=0): renderer and GPU helpers go with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        for fd in (self._to, self._from):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pid = 0

    def new_tab(self) -> Tab:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session)
        for domain in ("Page.enable", "Log.enable", "Runtime.enable", "DOM.enable"):
            tab.call(domain)
        return tab


class Tab:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, self.session)

    def _until_loaded(self, action: Any) -> None:
        mark = len(self.browser.events)
        action()
        self.browser.wait_event("Page.loadEventFired", mark, self.session)

    def goto(self, url: str) -> None:
        def navigate() -> None:
            result = self.call("Page.navigate", {"url": url})
            if result.get("errorText"):
                raise CdpError(f"navigation failed: {result['errorText']}")

        self._until_loaded(navigate)

    def _node(self, selector: str) -> int:
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = int(self.call("DOM.querySelector", {"nodeId": root, "selector": selector})
                   ["nodeId"])
        if not node:
            raise CdpError(f"nothing on the page matches {selector!r}")
        return node

    def type_into(self, selector: str, text: str) -> None:
        self.call("DOM.focus", {"nodeId": self._node(selector)})
        self.call("Input.insertText", {"text": text})

    def click_and_wait(self, selector: str) -> None:
        quad = self.call("DOM.getContentQuads", {"nodeId": self._node(selector)})["quads"][0]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4

        def click() -> None:
            for kind in ("mousePressed", "mouseReleased"):
                self.call("Input.dispatchMouseEvent", {
                    "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

        self._until_loaded(click)

    def html(self) -> str:
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        return str(self.call("DOM.getOuterHTML", {"nodeId": root})["outerHTML"])

    def text(self) -> str:
        """What a person reads: the body's rendered text."""
        result = self.call("Runtime.evaluate", {"expression": "document.body.innerText",
                                                "returnByValue": True})
        return str(result["result"].get("value", ""))

    def url(self) -> str:
        result = self.call("Runtime.evaluate", {"expression": "location.href",
                                                "returnByValue": True})
        return str(result["result"].get("value", ""))

    def console_problems(self) -> list[str]:
        """Errors and warnings the page raised (a CSP violation shows up here)."""
        out = []
        for ev in self.browser.events:
            if ev.get("sessionId") != self.session:
                continue
            if ev["method"] == "Log.entryAdded" and ev["params"]["entry"]["level"] in (
                    "error", "warning"):
                out.append(ev["params"]["entry"]["text"])
            if ev["method"] == "Runtime.exceptionThrown":
                out.append(str(ev["params"]["exceptionDetails"].get("text")))
        return out

    def screenshot(self, path: Path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", {"format": "png",
                                                    "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
