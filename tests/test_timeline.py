"""The chart's data: loudness and pitch every 50 ms and the take's moments, from a known take."""
import numpy as np
import pytest

from synth import Silence, Speech, build_take
from voicecoach.analysis import analyse
from voicecoach.speech.audio import Audio
from voicecoach.display.timeline import FLOOR_DB, STEP_S, timeline


@pytest.fixture(scope="module")
def take(whisper):
    y, truth = build_take([Speech("I have enjoyed leading the migration this year."), Silence(1.0),
                           Speech("Please enrol me on the leadership course before the March intake."),
                           Silence(2.5)])
    return y, truth, analyse(Audio(y)).to_dict()


def test_points_cover_the_take_and_silence_reads_low(take):
    y, truth, a = take
    t = timeline(y, a)
    assert abs(t.times_s[-1] - len(y) / 16000) < 2 * STEP_S
    assert len(t.times_s) == len(t.loudness_db) == len(t.pitch_st)
    assert min(t.loudness_db) >= FLOOR_DB
    loud = np.array(t.loudness_db)
    times = np.array(t.times_s)
    in_wait = loud[(times > a["request"]["speech_end"] + 0.3) & (times < len(y) / 16000 - 0.3)]
    in_speech = loud[(times > a["words"][0]["start"]) & (times < a["words"][3]["end"])]
    assert in_wait.max() < in_speech.mean() - 20  # the wait is silence on the chart


def test_pitch_is_relative_to_the_speakers_median(take):
    y, _, a = take
    p = [v for v in timeline(y, a).pitch_st if v is not None]
    assert len(p) > 20 and abs(float(np.median(p))) < 1.0


def test_moments_mark_the_wait_after_the_request(take):
    y, _, a = take
    (wait,) = [m for m in timeline(y, a).moments if m.kind == "wait"]
    assert abs((wait.end_s - wait.start_s) - a["request"]["pause_after_s"]) < 1e-6
    assert "still waiting" in wait.label  # the recording ends in the 2.5 s silence
    assert sum(m.kind == "sentence_end" for m in timeline(y, a).moments) == 2


# ---- pitch without Praat's octave errors ---------------------------------------------------

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "speech"


def _raw_pitch_st(y, a):
    """The pitch the chart drew before octave errors were taken out: every 50 ms, semitones from
    the take's median (for the comparison only)."""
    from voicecoach.speech import prosody
    from voicecoach.display.timeline import _speech

    c = prosody.contours(y, speech=_speech(y, a, sr=16000))
    f0 = c.f0_hz[: len(c.f0_hz) // 5 * 5].reshape(-1, 5)
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        f0 = np.nanmedian(f0, axis=1)
    return 12 * np.log2(f0 / np.nanmedian(f0))


@pytest.fixture(scope="module")
def reader(real_analysis):
    """A real reader whose Praat pitch jumps an octave (LibriVox 0870, at 4.2 s)."""
    from voicecoach.speech.audio import load

    y = load(FIXTURES / "librivox_sense_sensibility_ch01_0870.wav").y
    return y, real_analysis("librivox_sense_sensibility_ch01_0870.wav").to_dict()


def test_octave_errors_are_not_drawn(reader):
    """Praat's octave error at 4.2 s drew the pitch at +25 semitones; the chart now leaves it
    out, while the end pitch the analysis measured (a small movement) is what the line shows."""
    y, a = reader
    raw = _raw_pitch_st(y, a)
    drawn = [p for p in timeline(y, a).pitch_st if p is not None]
    print(f"raw pitch up to {np.nanmax(np.abs(raw)):.1f} st; drawn up to {max(map(abs, drawn)):.1f} st; "
          f"end pitch measured {[s['end_pitch_st'] for s in a['sentences']]}")
    assert np.nanmax(raw) > 20  # the error is there to remove
    assert max(map(abs, drawn)) < 8


def test_real_pitch_movement_is_kept(take):
    """The negative control: the espeak take (no octave errors) loses no frame; a real expressive
    reader (LJ Speech, 13 semitones from its 5th to 95th percentile) keeps its range and at
    least 90% of its voiced frames (the few taken out leave a gap in the line, where a missed
    error would draw a spike)."""
    from voicecoach.speech import prosody
    from voicecoach.speech.audio import load
    from voicecoach.display.timeline import without_octave_jumps

    y, _, _ = take
    lj = load(FIXTURES / "ljspeech_LJ050-0131.wav").y
    for name, x in (("espeak", y), ("LJ Speech", lj)):
        f0 = prosody.contours(x, speech=prosody.find_speech(x).regions).f0_hz
        kept = without_octave_jumps(f0)
        voiced, left = np.isfinite(f0).sum(), np.isfinite(kept).sum()
        span = lambda v: np.ptp(np.percentile(12 * np.log2(v[np.isfinite(v)]), [5, 95]))  # noqa: E731
        print(f"{name}: {voiced - left} of {voiced} voiced frames taken out; range (5-95%) {span(f0):.1f} st "
              f"before, {span(kept):.1f} after")
        assert voiced - left <= (0 if name == "espeak" else 0.1 * voiced)
        assert span(kept) == pytest.approx(span(f0), abs=1.5)


def test_a_glide_is_kept_and_a_doubled_run_is_not():
    """Pure: a 12-semitone rise over 0.5 s (a real question rise) stays whole; 8 frames read an
    octave up (Praat's error) are made unvoiced, and nothing else."""
    from voicecoach.display.timeline import without_octave_jumps

    f0 = np.full(200, np.nan)
    f0[20:70] = 150.0 * 2 ** (np.linspace(0, 12, 50) / 12)  # the rise
    f0[100:180] = 120.0
    f0[140:148] *= 2  # the error
    out = without_octave_jumps(f0)
    assert np.array_equal(np.isfinite(out[20:70]), np.ones(50, bool))
    assert np.isnan(out[140:148]).all() and np.isfinite(out[100:140]).all() and np.isfinite(out[148:180]).all()


# ---- sentence ends where the voice ends ----------------------------------------------------

@pytest.fixture(scope="module")
def long_take(whisper):
    """The seven-sentence ask (synth.LONG_ASK, en-gb): "... as a leader next." ends in unvoiced
    sounds, after the last voiced run its final word is fitted to."""
    from synth import LONG_ASK, LONG_ASK_GAPS_S

    parts = []
    for text, gap in zip(LONG_ASK, LONG_ASK_GAPS_S + (2.0,)):
        parts += [Speech(text, voice="en-gb"), Silence(gap)]
    y, truth = build_take(parts)
    return y, truth, analyse(Audio(y)).to_dict()


def test_sentence_ends_are_drawn_where_the_voice_ends(long_take):
    """Each sentence's line is drawn where its voice truly ends (within 60 ms), not at its last
    word's end, which can sit 0.25 s earlier; the request's line is where its wait starts."""
    y, truth, a = long_take
    tl = timeline(y, a)
    ends = [m.start_s for m in tl.moments if m.kind == "sentence_end"]
    voice = [end for _, _, end in truth.parts]
    words = [s["end"] for s in a["sentences"]]
    assert len(words) == len(voice), a["transcript"]
    print("voice ends     ", [round(v, 2) for v in voice])
    print("drawn at       ", ends)
    print("last word ends ", words)
    assert ends == pytest.approx(voice, abs=0.06)
    assert max(abs(w - v) for w, v in zip(words, voice)) > 0.15  # where the old lines were
    (wait,) = [m for m in tl.moments if m.kind == "wait"]
    assert ends[a["request"]["sentence_index"]] == pytest.approx(wait.start_s, abs=1e-6)


def test_stored_speech_regions_are_used_as_they_are(take, monkeypatch):
    """When the analysis stores its speech regions, the voice-activity pass is not run again."""
    from voicecoach.speech import prosody

    y, truth, a = take
    regions = prosody.find_speech(y).regions
    monkeypatch.setattr(prosody, "find_speech", lambda *a, **k: pytest.fail("voice activity run again"))
    stored = {**a, "speech": [{"start": r.start_s, "end": r.end_s} for r in regions]}
    ends = [m.start_s for m in timeline(y, stored).moments if m.kind == "sentence_end"]
    assert ends == pytest.approx([end for _, _, end in truth.parts], abs=0.05)
