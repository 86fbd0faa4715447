"""One real-browser test: Debian's chromium, with a WAV file as its fake microphone, records
into the studio's st.audio_input and the page shows the analysis of what it heard.
(Shared helpers: tests/browser.py; the whole studio in a browser: test_browser_studio.py.)"""
import pytest

from browser import pw, server  # noqa: F401  (fixtures)
from browser import launch, open_page, record, wait_for_result, wav_file, wav_seconds
from browser import CHROMIUM, free_port as _free_port  # noqa: F401  (test_privacy.py imports both from here)
from synth import Silence, Speech
from voicecoach.store.takes import TakeStore




@pytest.mark.parametrize("said,expect,absent", [
    ("Please enrol me on the leadership course before the March intake.", "leadership course", "conference in june"),
    ("Could you approve my place at the analytics conference in June?", "conference in june", "leadership course"),
], ids=["ask", "negative-control"])
def test_record_in_a_real_browser(server, pw, tmp_path, said, expect, absent):
    mic = wav_file(tmp_path / "mic48k.wav", [Speech(said), Silence(1.0)], rate=48_000)
    browser = launch(pw, mic)
    page = open_page(browser, server.url)
    record(page, wav_seconds(mic) + 0.5)
    wait_for_result(page)
    body = page.inner_text("body").lower()
    browser.close()
    assert expect in body and absent not in body
    assert "wait after the request" in body
    newest = TakeStore(server.home).list()[0]  # the server (and its history) is shared by both takes
    assert newest.status == "done" and newest.source == "microphone"
