"""A real browser's recording (Chromium's MediaRecorder, the fake microphone playing an espeak-ng
ask) is a WebM with no duration and open sizes: complete, it is not called cut off; its first
third is (it ends inside a block, :func:`voicecoach.speech.audio.matroska_complete`)."""
import base64
import io

import pytest

from browser import launch, wav_file
from synth import Silence, Speech
from voicecoach.speech.audio import load, matroska_complete
from voicecoach.speech.cautions import CautionSettings, truncated

RECORD = """async (ms) => {
  const mic = await navigator.mediaDevices.getUserMedia({audio: true});
  const rec = new MediaRecorder(mic, {mimeType: 'audio/webm;codecs=opus'});
  const parts = [];
  rec.ondataavailable = e => parts.push(e.data);
  const stopped = new Promise(done => rec.onstop = done);
  rec.start(500);
  await new Promise(done => setTimeout(done, ms));
  rec.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> bytes:
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("webm")
    mic = wav_file(tmp / "mic.wav", [Speech("Please enrol me on the leadership course before the March intake."),
                                     Silence(1.5)], rate=48_000)
    (tmp / "blank.html").write_text("<html><body>recording</body></html>")
    with sync_playwright() as p:
        browser = launch(p, mic)
        try:
            page = browser.new_context().new_page()
            page.goto((tmp / "blank.html").as_uri())
            return base64.b64decode(page.evaluate(RECORD, 5000))
        finally:
            browser.close()


def test_a_browser_recording_is_complete_and_its_first_third_is_cut_off(recorded):
    whole = load(recorded)
    assert whole.announced_duration_s is None  # the browser states no duration
    assert whole.duration_s > 4.0 and not whole.cut_off and truncated(whole, CautionSettings()) is None
    cut = load(recorded[: len(recorded) // 3])
    assert cut.cut_off and cut.duration_s < 2.5
    assert truncated(cut, CautionSettings()).message.startswith(f"The file stops after {cut.duration_s:.1f} s")


def test_only_a_cut_between_two_blocks_goes_unnoticed(recorded):
    """Every length from a quarter of the file to the whole: the cuts that leave no trace are
    those that fall exactly between two elements (one position in several hundred)."""
    ends = [k for k in range(len(recorded) // 4, len(recorded) + 1) if matroska_complete(io.BytesIO(recorded[:k]))]
    print(f"{len(recorded)} bytes; cut positions not noticed: {len(ends)} of {len(recorded) - len(recorded) // 4 + 1}")
    assert ends[-1] == len(recorded) and len(ends) < 0.01 * (len(recorded) * 3 / 4)
