"""Live rehearsal: streamed voice activity equals the batch one, the streamed take's result equals
the batch analysis, and the wait counter follows the silence after the request (time is the
number of samples fed, never the wall clock)."""
import numpy as np
import pytest

from synth import LONG_ASK, LONG_ASK_GAPS_S, Silence, Speech, build_take
from voicecoach import live
from voicecoach.speech import prosody
from voicecoach.analysis import analyse
from voicecoach.speech.audio import SR, Audio, AudioError

SENTENCES, GAPS_S = list(LONG_ASK), list(LONG_ASK_GAPS_S)
REQUEST = 4  # the sentence followed by the 3 s wait


def _take(sentences, gaps, tail_s, *, seed=7):
    parts = [Speech(sentences[0])]
    for gap, text in zip(gaps, sentences[1:]):
        parts += [Silence(gap), Speech(text)]
    y, truth = build_take(parts + [Silence(tail_s)])
    noise = np.random.default_rng(seed).normal(0, 0.001, len(y))  # -60 dBFS room
    return _pcm16(y + noise), truth


def _pcm16(y):
    """As a 16-bit microphone gives it (and a live take keeps it)."""
    return (np.clip(np.rint(y * 32768), -32768, 32767) / 32768).astype(np.float32)


@pytest.fixture(scope="module")
def ask(whisper):
    """The whole ask (the wait, then more speech) and its batch analysis."""
    y, truth = _take(SENTENCES, GAPS_S, 0.5)
    return y, truth, analyse(Audio(y))


@pytest.fixture(scope="module")
def waiting(whisper):
    """An ask that stops 2.5 s into the wait after the request, and its batch analysis."""
    y, truth = _take(SENTENCES[:REQUEST + 1], GAPS_S[:REQUEST], 2.5, seed=8)
    return y, truth, analyse(Audio(y))


def _blocks(y, rng, lo=80, hi=2400):
    i = 0
    while i < len(y):
        n = int(rng.integers(lo, hi))
        yield y[i: i + n]
        i += n


# ---- voice activity ----------------------------------------------------------------------------

@pytest.mark.parametrize("cut", ["whole-take", "length-a-multiple-of-512", "ends-mid-speech"])
def test_streamed_voice_activity_equals_the_batch_one(rng, cut):
    y, _ = _take(SENTENCES[:3], GAPS_S[:2], 0.4)
    if cut == "length-a-multiple-of-512":
        y = y[: len(y) // 512 * 512]
    elif cut == "ends-mid-speech":
        y = y[: int(2.0 * SR)]
    vad = live.StreamingVad()
    for block in _blocks(y, rng):
        vad.push(block)
    got = vad.finish()
    assert got == prosody.speech_regions(y)
    assert len(got) >= (1 if cut == "ends-mid-speech" else 3)


def test_streamed_voice_activity_says_when_speech_goes_on():
    y, truth = _take(SENTENCES[:2], GAPS_S[:1], 0.5)
    vad = live.StreamingVad()
    (_, start, end) = truth.parts[0]
    vad.push(y[: int((start + end) / 2 * SR)])
    assert vad.speaking and len(vad.regions) == 1 and vad.regions[0].end_s == vad.processed_s
    vad.push(y[int((start + end) / 2 * SR): int((end + 0.25) * SR)])  # 0.25 s into the silence
    assert not vad.speaking and vad.regions[0].end_s == pytest.approx(end, abs=0.07)


# ---- the streamed take against the batch analysis ---------------------------------------------

def test_a_take_fed_faster_than_real_time_gives_the_batch_result(waiting, rng):
    y, _, batch = waiting
    session = live.LiveSession()
    for block in _blocks(y, rng):
        session.feed(block)
    got = session.stop()
    assert [w.text for w in got.words] == [w.text for w in batch.words]
    assert got.request.pause_after_s == pytest.approx(batch.request.pause_after_s, abs=0.1)
    assert got.request.still_waiting and batch.request.still_waiting
    assert [s.tag for s in got.sentences] == [s.tag for s in batch.sentences]
    assert got.to_dict() == batch.to_dict()
    assert session.stop() is got  # stop twice: the same result


def test_the_wait_counter_runs_from_the_request_and_the_result_equals_the_batch_one(ask):
    """Fed 50 ms at a time, each block processed before the next (as at real-time speed on an
    idle machine): the request is recognised during the wait, the counter reaches the 3 s held,
    turns to held at 2 s, stops when speech resumes, and nothing is left to transcribe at stop."""
    y, truth, batch = ask
    request_end_s = truth.parts[REQUEST][2]
    session = live.LiveSession()
    n = int(0.05 * SR)
    seen = []
    for i in range(0, len(y), n):
        session.feed(y[i: i + n])
        assert session.wait_idle()
        seen.append(session.snapshot())
    before = [s for s in seen if s.heard_s < request_end_s]
    waits = [s for s in seen if s.wait_s is not None]
    assert all(s.wait_s is None and not s.wait_held for s in before)
    assert waits and "leadership course" in waits[0].request.text
    assert waits[0].request.is_request and waits[0].request.tag == "push"
    assert max(s.wait_s for s in waits) == pytest.approx(3.0, abs=0.15)
    assert all(s.wait_held == (s.wait_s >= 2.0) for s in waits)
    for s in waits:  # the counter is the silence so far, counted on the samples fed
        assert s.wait_s == pytest.approx(s.heard_s - s.request_end_s, abs=0.011)
    last = seen[-1]
    assert last.wait_s is None and last.pause_after_request_s == pytest.approx(3.0, abs=0.1) and last.wait_held
    assert "Friday" in last.transcript and last.pending_utterances == 0  # every word before the stop
    got = session.stop()
    assert got.timings_s["transcribed_at_stop"] == 0 and got.timings_s["reused"] == got.timings_s["utterances"]
    assert [w.text for w in got.words] == [w.text for w in batch.words]
    assert got.request.pause_after_s == pytest.approx(batch.request.pause_after_s, abs=0.1)
    assert [s.tag for s in got.sentences] == [s.tag for s in batch.sentences]
    assert got.to_dict() == batch.to_dict()


def test_no_wait_counter_without_a_request(whisper):
    y, _ = _take(SENTENCES[:2], GAPS_S[:1], 2.5)
    session = live.LiveSession()
    n = int(0.1 * SR)
    for i in range(0, len(y), n):
        session.feed(y[i: i + n])
        assert session.wait_idle()
        snap = session.snapshot()
        assert snap.wait_s is None and snap.request is None
    assert "migration" in snap.transcript
    assert session.stop().request is None


# ---- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("audio, match", [
    (np.zeros(SR * 3, np.float32), "no speech was heard"),
    (np.zeros(0, np.float32), "nothing was recorded"),
], ids=["silence", "nothing"])
def test_a_take_without_speech_is_refused_at_stop(whisper, audio, match):
    session = live.LiveSession()
    session.feed(audio)
    with pytest.raises(AudioError, match=match):
        session.stop()
    with pytest.raises(AudioError, match=match):  # and again, not a hang
        session.stop()


@pytest.mark.parametrize("block, error, match", [
    (np.zeros((160, 2), np.float32), ValueError, r"shape \(160, 2\); feed mono"),
    (np.zeros((2, 80, 1), np.float32), ValueError, "feed mono"),
], ids=["stereo", "3-d"])
def test_bad_blocks_are_refused(whisper, block, error, match):
    session = live.LiveSession()
    with pytest.raises(error, match=match):
        session.feed(block)
    session.feed(np.zeros((160, 1), np.float32))  # (n, 1) is mono
    assert session.snapshot().heard_s == pytest.approx(0.01)


def test_no_audio_after_the_stop(whisper, ask):
    session = live.LiveSession()
    session.feed(ask[0])
    session.stop()
    with pytest.raises(RuntimeError, match="has stopped; start a new LiveSession"):
        session.feed(np.zeros(160, np.float32))


def test_a_closed_session_gives_no_result(whisper):
    session = live.LiveSession()
    session.feed(np.zeros(SR, np.float32))
    session.close()
    with pytest.raises(RuntimeError, match="closed without an analysis"):
        session.stop()


# ---- voicecoach record --live -------------------------------------------------------------------

class _FakeMicrophone:
    """Stands in for ``sounddevice.InputStream``: plays a take into the callback in 50 ms blocks
    at real-time speed from its own thread, as PortAudio does."""

    take: np.ndarray = np.zeros(0, np.float32)

    def __init__(self, *, samplerate, channels, dtype, blocksize, callback):
        assert (samplerate, channels, dtype) == (SR, 1, "float32")
        self._callback, self._n = callback, blocksize
        self._stop = __import__("threading").Event()

    def _play(self):
        import time

        t0 = time.perf_counter()
        for i in range(0, len(self.take), self._n):
            if self._stop.wait(max(0.0, t0 + (i + self._n) / SR - time.perf_counter())):
                return
            self._callback(self.take[i: i + self._n, None].copy(), self._n, None, None)

    def __enter__(self):
        import threading

        self._thread = threading.Thread(target=self._play, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_record_live_shows_the_words_and_the_wait_then_saves_the_take(whisper, monkeypatch, tmp_path, capsys):
    import json

    import sounddevice as sd

    from voicecoach import cli
    from voicecoach.store.takes import TakeStore

    y, truth = _take([SENTENCES[1], SENTENCES[REQUEST], SENTENCES[REQUEST + 1]], [0.6, 3.0], 1.0)
    monkeypatch.setattr(_FakeMicrophone, "take", y)
    monkeypatch.setattr(sd, "InputStream", _FakeMicrophone)
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    code = cli.main(["record", "--live", "--seconds", f"{truth.duration_s - 0.3:.1f}", "--json",
                     "--out", str(tmp_path / "copy.wav")])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = err.splitlines()
    assert any("leadership course" in ln and "waiting" in ln for ln in lines)  # during the wait
    assert any("waiting 1 s (hold 2 s)" in ln for ln in lines) and any("waiting 2 s — held" in ln for ln in lines)
    assert any("you held 3.0 s — held" in ln for ln in lines)  # spoken again
    d = json.loads(out)
    assert d["transcript"].rstrip("?.").endswith("think")
    assert "leadership course" in d["request"]["text"] and d["request"]["pause_after_s"] == pytest.approx(3.0, abs=0.1)
    (take,) = TakeStore(tmp_path / "home").list()
    assert take.status == "done" and take.source == "cli" and take.pause_after_s == d["request"]["pause_after_s"]
    assert (tmp_path / "copy.wav").read_bytes() == TakeStore(tmp_path / "home").audio_path(take).read_bytes()


@pytest.mark.parametrize("device", ["this-machine", "refused"])
def test_record_live_without_a_microphone_is_a_clear_message(whisper, monkeypatch, tmp_path, capsys, device):
    import sounddevice as sd

    from voicecoach import cli

    if device == "this-machine":
        try:
            sd.query_devices(kind="input")
            pytest.skip("this machine has an input device")
        except (sd.PortAudioError, ValueError):
            pass  # none: the real PortAudio refuses
    else:
        def refuse(*a, **k):
            raise sd.PortAudioError("Error querying device -1")

        monkeypatch.setattr(sd, "InputStream", refuse)
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    code = cli.main(["record", "--live", "--out", str(tmp_path / "t.wav")])
    err = capsys.readouterr().err
    assert code == 4 and "no microphone could be opened" in err and "voicecoach analyse PATH" in err
    assert not (tmp_path / "t.wav").exists() and not (tmp_path / "home" / "takes.db").exists()


# ---- the saved take analysed again: the same words and fillers ---------------------------------

UM_ASK = [Speech("Um, I have really enjoyed leading the data migration this year."), Silence(0.7),
          Speech("So, um, please enrol me on the leadership course before the March intake."), Silence(2.5),
          Speech("Uh, what do you think?"), Silence(0.6)]


def test_the_saved_live_take_analyses_to_the_same_words_and_fillers(whisper, monkeypatch, rng):
    """A take with "um"s fed as a microphone gives it (float samples, 10-50 ms blocks), then saved
    as the studio saves it: the WAV decodes to exactly the samples analysed, and the batch
    analysis of that WAV has the live result's words and fillers. Both paths mend their cuts
    with transcribe.mend_cuts, on the same utterances and the same words (a spy records them)."""
    from voicecoach.speech import transcribe
    from voicecoach.speech.audio import load, to_wav_bytes

    calls = []
    real = transcribe.mend_cuts

    def spy(tr, y, utterances, decoded, *, regions):
        calls.append((tuple(utterances), [tuple(w.text for w in d) for d in decoded], tuple(regions)))
        return real(tr, y, utterances, decoded, regions=regions)

    monkeypatch.setattr(transcribe, "mend_cuts", spy)
    y, _ = build_take(UM_ASK)
    y = (y + np.random.default_rng(11).normal(0, 0.002, len(y))).astype(np.float32)  # not on the 16-bit grid
    session = live.LiveSession()
    for block in _blocks(y, rng, 160, 800):
        session.feed(block)
        assert session.wait_idle()
    got = session.stop()
    kept = session.end_input()
    saved = load(to_wav_bytes(kept))
    assert np.array_equal(saved.y, kept) and len(kept) == len(y)  # the WAV saved = the samples analysed
    assert np.abs(kept - y).max() <= 0.5 / 32768 + 1e-9  # rounded to the 16-bit grid, nothing else
    batch = analyse(saved)
    assert [w.text for w in got.words] == [w.text for w in batch.words]
    fillers = [f["text"] for f in got.to_dict()["fillers"]]
    assert fillers == [f["text"] for f in batch.to_dict()["fillers"]]
    assert fillers.count("um") >= 2, got.transcript  # the take's "um"s were heard
    assert got.to_dict() == batch.to_dict()
    assert len(calls) >= 2 and calls[-2] == calls[-1]  # live (at the stop), then batch: the same input
