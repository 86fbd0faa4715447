"""One real-browser test: Debian's chromium, with a WAV file as its fake microphone, records
into the studio's st.audio_input and the page shows the analysis of what it heard."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.takes import TakeStore

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`, which installs it")
    port = _free_port()
    home = tmp_path_factory.mktemp("home")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        env={**os.environ, "VOICECOACH_HOME": str(home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail(f"streamlit did not answer on {url} within 60 s")
    yield url, home
    proc.terminate()
    proc.wait(10)


def _mic_file(tmp_path, text):
    y, _ = build_take([Speech(text), Silence(1.0)], lead_s=0.5)
    raw = tmp_path / "raw.wav"
    raw.write_bytes(to_wav_bytes(y))
    out = tmp_path / "mic48k.wav"
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(out)], check=True)
    return out


def _record(url, mic: Path, seconds=5.0):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic}%noloop", "--autoplay-policy=no-user-gesture-required",
            "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        ctx = browser.new_context()
        ctx.grant_permissions(["microphone"], origin=url)
        page = ctx.new_page()
        page.goto(url)
        widget = page.get_by_test_id("stAudioInput")
        widget.get_by_role("button", name="Record").click()
        page.wait_for_timeout(int(seconds * 1000))
        widget.get_by_role("button", name="Stop recording").click()
        page.get_by_text("Wait after the request", exact=True).wait_for(timeout=90_000)
        text = page.inner_text("body")
        browser.close()
    return text


@pytest.mark.parametrize("said,expect,absent", [
    ("Please enrol me on the leadership course before the March intake.", "leadership course", "conference in june"),
    ("Could you approve my place at the analytics conference in June?", "conference in june", "leadership course"),
], ids=["ask", "negative-control"])
def test_record_in_a_real_browser(server, tmp_path, said, expect, absent):
    url, home = server
    body = _record(url, _mic_file(tmp_path, said)).lower()
    assert expect in body and absent not in body
    assert "wait after the request" in body
    newest = TakeStore(home).list()[0]  # the server (and its history) is shared by both takes
    assert newest.status == "done" and newest.source == "microphone"
