"""Test support for the real-browser tests (not a test module): the studio served by a
streamlit process on a free port with its own ``VOICECOACH_HOME``, Debian's chromium driven by
Playwright with a WAV file as its fake microphone, and takes of known wording made with
espeak-ng (``synth.py``). See ``../shared/recipes/browser-test.md``."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from synth import build_take, to_wav_bytes

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ANALYSIS_TIMEOUT_MS = 180_000
#: What the Practise page shows once a take is analysed (a headline metric's label).
RESULT_TEXT = "Wait after the request"

ASK = "Please enrol me on the leadership course before the March intake."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` on a free loopback port, its data under ``home``."""

    def __init__(self, home: Path):
        if not Path(CHROMIUM).exists():
            pytest.fail("chromium is not installed: run `make test`, which installs it")
        self.home = Path(home)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = self.home.parent / f"streamlit-{port}.log"
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            env={**os.environ, "VOICECOACH_HOME": str(self.home)}, stdout=self._log, stderr=subprocess.STDOUT)
        for _ in range(120):
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"streamlit did not answer on {self.url} within 60 s:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()


def wav_file(path: Path, parts, *, lead_s: float = 0.5, rate: int = 16_000) -> Path:
    """The espeak-ng take ``parts`` (``synth.Speech``/``synth.Silence``) as a mono 16-bit WAV at
    ``rate`` (48 kHz for chromium's fake microphone)."""
    y, _ = build_take(parts, lead_s=lead_s)
    raw = path.with_suffix(".16k.wav")
    raw.write_bytes(to_wav_bytes(y))
    if rate == 16_000:
        raw.replace(path)
    else:
        subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)], check=True)
        raw.unlink()
    return path


def wav_seconds(path: Path) -> float:
    import soundfile

    return soundfile.info(str(path)).duration


def launch(playwright, mic: Path | None = None):
    """Debian's chromium; with ``mic``, that 48 kHz WAV is its microphone, played once from the
    moment a page starts capturing."""
    args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    if mic is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={mic}%noloop"]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def open_page(browser, url: str, path: str = "", *, width: int = 1400, height: int = 1000):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.grant_permissions(["microphone"], origin=url)
    page = ctx.new_page()
    page.goto(f"{url}/{path}")
    return page


def record(page, seconds: float) -> None:
    """Record ``seconds`` through the Practise page's recorder (the fake microphone)."""
    widget = page.get_by_test_id("stAudioInput")
    widget.get_by_role("button", name="Record").click()
    page.get_by_role("button", name="Stop recording").wait_for()
    page.wait_for_timeout(int(seconds * 1000))
    widget.get_by_role("button", name="Stop recording").click()


def upload(page, path: Path) -> None:
    """Give ``path`` to the Practise page's file uploader."""
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))


def wait_for_result(page, timeout_ms: int = ANALYSIS_TIMEOUT_MS) -> None:
    page.get_by_text(RESULT_TEXT, exact=True).first.wait_for(timeout=timeout_ms)  # a rerun may still show the last


def goto_page(page, title: str) -> None:
    """Follow the sidebar link to one of the studio's pages (the page before stays on screen until
    the new one is drawn: wait for something only the new page shows)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def full_page_screenshot(page, path: Path, *, width: int = 1400) -> None:
    """The whole page: the studio scrolls inside its main container, so the viewport is made as
    tall as that container's content (once it stops growing: charts draw late)."""
    measure = """() => { const b = document.querySelector('[data-testid="stMainBlockContainer"]');
        const m = document.querySelector('[data-testid="stMain"]');
        return Math.ceil(b.getBoundingClientRect().top + m.scrollTop + b.offsetHeight); }"""
    height = 0
    for _ in range(20):
        page.wait_for_timeout(400)
        now = page.evaluate(measure)
        if now == height:
            break
        height = now
        page.set_viewport_size({"width": width, "height": max(int(height), 600)})
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A studio on a free port with its own data folder, shared by one test module."""
    s = Server(tmp_path_factory.mktemp("studio") / "home")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def pw():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
