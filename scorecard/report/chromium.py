"""Headless Chromium (Debian's ``chromium`` package) driven over the DevTools protocol on a pipe.

Used to print the scorecard to PDF and, in the tests, to check that the page renders with no console message and
no network request and to take a screenshot. The protocol runs over ``--remote-debugging-pipe`` (file descriptors
3 and 4 of the browser, NUL-separated JSON), so no port is opened and no Python package beyond the standard
library is needed. The browser binary is ``SCORECARD_CHROMIUM`` if set, else the first of chromium,
chromium-browser, google-chrome on the PATH.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ChromiumError(RuntimeError):
    """Chromium could not be started or did not answer."""


def find_chromium() -> str | None:
    configured = os.environ.get("SCORECARD_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


@dataclass
class PageCheck:
    """What a page did while loading: every console message, every error, every URL it requested."""

    url: str
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: Any = None  # the result of the expression evaluated after the load

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]


class Browser:
    """``with Browser() as browser: browser.check(page)``: one headless browser, one tab per call."""

    def __init__(self, binary: str | None = None, timeout: float = 60.0, window: tuple[int, int] = (1600, 1000)):
        found = binary or find_chromium()
        if not found:
            raise ChromiumError("No Chromium found: install Debian's chromium package (apt-get install chromium) or "
                                "set SCORECARD_CHROMIUM to a Chrome/Chromium binary.")
        self.binary, self.timeout, self.window = found, timeout, window
        self._id = 0
        self._buffer = b""
        self._events: list[dict] = []

    # -- process --------------------------------------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._profile = tempfile.TemporaryDirectory(prefix="scorecard-chromium-")
        command_read, self._command = os.pipe()
        self._response, response_write = os.pipe()

        def as_fds_3_and_4() -> None:  # runs in the child before exec: the protocol's fixed descriptors
            high_in = fcntl.fcntl(command_read, fcntl.F_DUPFD, 10)
            high_out = fcntl.fcntl(response_write, fcntl.F_DUPFD, 10)
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        args = [self.binary, "--headless", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-extensions", "--disable-sync", "--hide-scrollbars", "--mute-audio",
                f"--user-data-dir={self._profile.name}", f"--window-size={self.window[0]},{self.window[1]}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root (containers, CI)
        self._stderr_path = Path(self._profile.name) / "chromium-stderr.log"
        self._stderr = self._stderr_path.open("wb")
        try:
            self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,  # noqa: S603
                                             stderr=self._stderr, close_fds=False, preexec_fn=as_fds_3_and_4)
        finally:
            os.close(command_read)
            os.close(response_write)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._process.poll() is None:
                try:
                    self.send("Browser.close")
                except ChromiumError:
                    pass
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=10)
        finally:
            for fd in (self._command, self._response):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._stderr.close()
            self._profile.cleanup()

    def _stderr_tail(self) -> str:
        try:
            return self._stderr_path.read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    # -- protocol -------------------------------------------------------------------------------------------------
    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChromiumError(f"Chromium did not answer within {self.timeout:.0f}s")
            ready, _, _ = select.select([self._response], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._response, 1 << 20)
            if not chunk:
                raise ChromiumError(f"Chromium exited (code {self._process.poll()}):\n{self._stderr_tail()}")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._command, json.dumps(message).encode() + b"\0")
        except BrokenPipeError as exc:
            raise ChromiumError(f"Chromium exited:\n{self._stderr_tail()}") from exc
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise ChromiumError(f"{method} failed: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._events.append(self._read(deadline))

    # -- pages ----------------------------------------------------------------------------------------------------
    def _open(self, url: str) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self.send("Page.navigate", {"url": url}, session)
        self._wait_for("Page.loadEventFired", session)
        return session

    def _collect(self, session: str, check: PageCheck) -> None:
        for event in self._events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                check.console.append(f"{params.get('type')}: {text}")
                if params.get("type") in ("error", "assert"):
                    check.errors.append(f"console.{params.get('type')}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                text = details.get("exception", {}).get("description") or details.get("text", "")
                check.console.append(f"exception: {text}")
                check.errors.append(f"uncaught exception: {text}")
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                check.console.append(f"{entry.get('level')}: {entry.get('text')}")
                if entry.get("level") == "error":
                    check.errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                check.requests.append(params.get("request", {}).get("url", ""))
            elif method == "Network.loadingFailed":
                check.errors.append(f"load failed: {params.get('errorText')}")

    def check(self, page: Path, expression: str | None = None, screenshot: Path | None = None) -> PageCheck:
        """Load ``page``, evaluate ``expression`` in it, optionally save a full-page PNG; report what happened."""
        url = page.resolve().as_uri()
        session = self._open(url)
        result = PageCheck(url)
        if expression:
            evaluated = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
            result.value = evaluated.get("result", {}).get("value")
        if screenshot:
            size = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
            shot = self.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}, session)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        self.send("Runtime.evaluate", {"expression": "0"}, session)  # a round trip: late console events arrive first
        self._collect(session, result)
        return result

    def pdf(self, page: Path, out: Path) -> Path:
        """Print ``page`` to ``out`` as the page's print stylesheet lays it out (paper size from its @page rule)."""
        session = self._open(page.resolve().as_uri())
        printed = self.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                "displayHeaderFooter": False}, session)
        out.write_bytes(base64.b64decode(printed["data"]))
        return out
