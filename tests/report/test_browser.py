"""report.html in a real browser: headless Debian Chromium driven over the DevTools protocol.

Why the DevTools protocol with ``websocket-client`` rather than Playwright: the test stays in
Python and pytest, needs one small pure-Python package and no Node.js, and talks to the Debian
``chromium`` binary that CI installs with apt-get (Playwright would want its own browser build,
which cannot be downloaded here).

Skips when Chromium is absent, unless REMEDY_MINER_REQUIRE_BROWSER=1 (as in CI). With
REMEDY_MINER_SAVE_SCREENSHOT=1 the laptop-width screenshot is also saved as docs/report-screenshot.png.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from pipeline.io.tables import write_text
from pipeline.report.stage import build_report
from tests.report.sample_tables import IMG_PAYLOAD, SCRIPT_PAYLOAD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--remote-debugging-port=0",
)
TIMEOUT = 30.0
WIDTHS = ((1280, False), (390, True))
DOCS_SCREENSHOT_HEIGHT = 1800


def _required() -> bool:
    return os.environ.get("REMEDY_MINER_REQUIRE_BROWSER", "") not in ("", "0")


def _unavailable(reason: str) -> None:
    if _required():
        pytest.fail(f"REMEDY_MINER_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(f"{reason} (set REMEDY_MINER_REQUIRE_BROWSER=1 to require it)")


def _chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    _unavailable("Chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


class DevTools:
    """A minimal DevTools-protocol client: one browser websocket, flat sessions, events kept in order."""

    def __init__(self, url: str) -> None:
        import websocket

        # Chromium refuses websocket clients that send an Origin it does not know.
        self._socket = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._socket.close()

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        seen = len(self.events)
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            self._receive()
        raise TimeoutError(method)

    def _receive(self) -> dict[str, Any]:
        message = json.loads(self._socket.recv())
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":
                # Dismiss at once so that a failing page cannot hang the test; the event stays recorded.
                self._socket.send(json.dumps({
                    "id": 0, "sessionId": message.get("sessionId"), "method": "Page.handleJavaScriptDialog",
                    "params": {"accept": False},
                }))
        return message

    def methods(self) -> list[str]:
        return [event["method"] for event in self.events]


class Page:
    """One tab attached through a flat session."""

    def __init__(self, devtools: DevTools) -> None:
        self.devtools = devtools
        target = devtools.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = devtools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.devtools.call(method, self.session, **params)

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        self.devtools.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def resize(self, width: int, mobile: bool) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=mobile)

    def screenshot(self, path: Path, width: int, max_height: int = 8000) -> None:
        height = min(int(self.call("Page.getLayoutMetrics")["cssContentSize"]["height"]), max_height)
        shot = self.call(
            "Page.captureScreenshot", format="png", captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    executable = _chromium()
    try:
        import websocket  # noqa: F401
    except ImportError:
        _unavailable("websocket-client is not installed (pip install -e '.[test]')")
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=(tmp_path / "chromium.log").open("wb"),
    )
    try:
        devtools = DevTools(_browser_url(profile, process))
        try:
            yield devtools
        finally:
            devtools.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _browser_url(profile: Path, process: subprocess.Popen) -> str:
    """Chromium writes its DevTools port and path to DevToolsActivePort once it listens."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Chromium exited with status {process.returncode}")
        lines = marker.read_text().split() if marker.exists() else []
        if len(lines) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.1)
    raise TimeoutError("Chromium did not open its DevTools port")


@pytest.fixture
def report_file(tmp_path: Path, tables) -> Path:
    files = build_report(**tables, generated_from="hand-made fixtures")
    folder = tmp_path / "processed"
    for name, content in files.items():
        write_text(content, folder / name)
    return folder / "report.html"


def test_report_renders_offline_without_running_hostile_comments(browser: DevTools, report_file: Path, tmp_path: Path):
    page = Page(browser)
    page.open(report_file.as_uri())

    assert page.evaluate("document.querySelectorAll('svg.bar').length") >= 4
    assert page.evaluate("document.querySelectorAll('svg.interval').length") >= 4
    assert page.evaluate("document.querySelectorAll('table').length") >= 3
    assert page.evaluate("document.querySelectorAll('.badge.urgent').length") == 1
    # The payloads are shown as text, not turned into elements, and nothing they hold ran.
    assert page.evaluate("document.querySelectorAll('script, iframe, object, embed, [onerror]').length") == 0
    assert page.evaluate(f"document.body.textContent.includes({json.dumps(SCRIPT_PAYLOAD)})")
    assert page.evaluate(f"document.body.textContent.includes({json.dumps(IMG_PAYLOAD)})")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "Page.javascriptDialogOpening" not in browser.methods()
    # Nothing tried to run and hit the Content-Security-Policy, and nothing was fetched but the page.
    messages = [json.dumps(e["params"]) for e in browser.events if e["method"] in ("Log.entryAdded", "Runtime.consoleAPICalled")]
    assert not [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
    requested = [e["params"]["request"]["url"] for e in browser.events if e["method"] == "Network.requestWillBeSent"]
    assert requested == [report_file.as_uri()]


def test_report_fits_laptop_and_phone_widths(browser: DevTools, report_file: Path, tmp_path: Path):
    page = Page(browser)
    page.open(report_file.as_uri())
    for width, mobile in WIDTHS:
        page.resize(width, mobile)
        # No sideways scrolling of the whole page: tables and charts wrap or scroll inside their box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot = tmp_path / f"report-{width}.png"
        page.screenshot(screenshot, width)
        assert screenshot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("REMEDY_MINER_SAVE_SCREENSHOT") == "1":
        page.resize(1280, False)
        page.screenshot(REPO / "docs" / "report-screenshot.png", 1280, max_height=DOCS_SCREENSHOT_HEIGHT)
