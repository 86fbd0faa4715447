"""Live mode in a real browser: Debian's chromium streams a WAV file, as its fake microphone, over
WebRTC (streamlit-webrtc, no STUN/TURN) to the studio's live panel; the page shows the words
before the stop and the wait counter after the request, and the feedback after the stop; the
take is saved. The panel is served alone (a one-line page calling ``studio.live_panel.render``)
until the Practise page calls it."""
import os
import re
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
LEAD_S = 3.0  # silence first: the WebRTC connection is made while it plays (~1-2 s)
WAIT_S = 3.0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`, which installs it")
    folder = tmp_path_factory.mktemp("live")
    home = folder / "home"
    port = _free_port()
    log = open(folder / "streamlit.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "VOICECOACH_HOME": str(home)},
        stdout=log, stderr=subprocess.STDOUT)
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
    yield url, home, folder / "streamlit.log"
    proc.terminate()
    proc.wait(10)


def _mic_file(tmp_path, middle: str) -> tuple[Path, float]:
    y, truth = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                           Speech(middle), Silence(WAIT_S), Speech("What do you think?"), Silence(1.5)],
                          lead_s=LEAD_S)
    raw, out = tmp_path / "raw.wav", tmp_path / "mic48k.wav"
    raw.write_bytes(to_wav_bytes(y))
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(out)], check=True)
    return out, truth.duration_s


def _live_take(url, mic: Path, seconds: float) -> dict:
    """Start a live take, read the page every 0.1 s for ``seconds`` (the file starts playing at
    the click, once: stop before it ends, or the browser ends the track itself), stop, read
    the feedback."""
    from playwright.sync_api import sync_playwright

    seen = {"waiting": [], "held": [], "words_before_stop": ""}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic}%noloop", "--autoplay-policy=no-user-gesture-required",
            "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        ctx = browser.new_context()
        ctx.grant_permissions(["microphone"], origin=url)
        page = ctx.new_page()
        page.goto(url)  # the Practise page, then its live mode
        page.get_by_text("Live mode: see your words and the wait as you speak").click(timeout=60_000)
        page.get_by_text("Start a live take, state your ask").wait_for(timeout=60_000)  # the page has settled
        recorder = page.frame_locator('iframe[title*="webrtc_streamer"]')
        recorder.get_by_role("button", name="Start live take").click(timeout=60_000)
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            body = page.inner_text("body")
            seen["waiting"] += [float(x) for x in re.findall(r"Waiting (\d+\.\d) s", body)]
            seen["held"] += [float(x) for x in re.findall(r"after your request for (\d+\.\d) s", body)]
            if "Live transcript" in body:
                seen["words_before_stop"] = body
            page.wait_for_timeout(100)
        try:
            recorder.get_by_role("button", name="Stop").click(timeout=20_000)
        except Exception:
            page.screenshot(path=str(mic.parent / "stop-missing.png"), full_page=True)
            raise AssertionError(f"no Stop button; the page read:\n{page.inner_text('body')[-1500:]}\n"
                                 f"the recorder read: {recorder.locator('body').inner_text()[:500]}") from None
        page.get_by_text("Wait after the request", exact=True).wait_for(timeout=120_000)
        page.wait_for_timeout(500)
        seen["after_stop"] = page.inner_text("body")
        browser.close()
    return seen


def _timings(log: Path) -> str:
    return "\n".join(line for line in log.read_text(errors="replace").splitlines() if "live" in line)[-3000:]


def test_live_take_in_a_real_browser(server, tmp_path):
    url, home, log = server
    mic, duration_s = _mic_file(tmp_path, "Please enrol me on the leadership course before the March intake.")
    seen = _live_take(url, mic, duration_s - 0.7)  # 0.8 s after the last word
    assert "leadership course" in seen["words_before_stop"].replace("enroll", "enrol")  # words before the stop
    assert seen["waiting"], f"the wait counter never showed; the live session's timings:\n{_timings(log)}"
    assert max(seen["waiting"]) <= WAIT_S + 0.3  # it runs while the silence lasts, no further
    assert seen["held"] and seen["held"][-1] == pytest.approx(WAIT_S, abs=0.3)  # where it stopped, before the stop
    after = seen["after_stop"]
    assert "saved in your history" in after and "Wait after the request" in after and "Tips" in after
    newest = TakeStore(home).list()[0]
    assert newest.status == "done" and newest.source == "microphone"
    assert newest.pause_after_s == pytest.approx(WAIT_S, abs=0.3)
    assert f"Live take {newest.id}" in after


def test_live_take_without_a_request_shows_no_counter(server, tmp_path):
    """Negative control: the same take with a statement where the request was."""
    url, home, _ = server
    before = len(TakeStore(home).list())
    mic, duration_s = _mic_file(tmp_path, "Our team finished the project two weeks early.")
    seen = _live_take(url, mic, duration_s - 0.7)  # 0.8 s after the last word
    assert "two weeks early" in seen["words_before_stop"]
    assert not seen["waiting"] and not seen["held"]
    assert "No sentence asked your manager" in seen["after_stop"]  # (its example names a course)
    takes = TakeStore(home).list()
    assert len(takes) == before + 1 and takes[0].pause_after_s is None and takes[0].status == "done"
    assert "two weeks early" in takes[0].analysis["transcript"] and "leadership" not in takes[0].analysis["transcript"]
