import numpy as np
import pytest

from voicecoach.speech import prosody
from synth import Silence, Speech, build_take
from voicecoach.types import Region

SR = 16_000


def _tone(f0, seconds, amp=0.3):
    t = np.arange(int(seconds * SR)) / SR
    # a harmonic-rich voiced signal (like a vowel) so Praat sees periodicity
    return (amp * sum(np.sin(2 * np.pi * f0 * k * t) / k for k in (1, 2, 3))).astype(np.float32)


@pytest.mark.parametrize("f0", [95.0, 140.0, 220.0, 310.0], ids=lambda f: f"{f:.0f}Hz")
def test_pitch_of_a_known_tone(f0):
    c = prosody.contours(_tone(f0, 1.0))
    voiced = c.f0_hz[~np.isnan(c.f0_hz)]
    assert voiced.size > 80
    assert abs(np.median(voiced) / f0 - 1) < 0.01


@pytest.mark.parametrize("gain_db", [0.0, -6.0, -12.0, -24.0])
def test_energy_db_tracks_a_known_gain(gain_db):
    t = np.arange(SR) / SR
    amp = 0.5 * 10 ** (gain_db / 20)
    y = (amp * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    e = prosody.energy_db(y, sr=SR)
    assert len(e) == 101  # centred 10 ms frames over 1 s
    expected = 20 * np.log10(amp / np.sqrt(2))
    assert abs(np.median(e[5:-5]) - expected) < 0.2


def test_silence_is_unvoiced_and_quiet():
    y = np.concatenate([_tone(150, 0.5), np.zeros(SR // 2, np.float32)])
    c = prosody.contours(y)
    assert np.all(np.isnan(c.f0_hz[60:]))
    assert np.all(c.energy_db[60:] < -100)


def test_frames_slice_uses_centres():
    c = prosody.Contours(energy_db=np.zeros(100), f0_hz=np.zeros(100))
    assert c.frames(0.105, 0.2) == slice(11, 20)
    assert c.frames(0.0, 5.0) == slice(0, 100)


@pytest.fixture(scope="module")
def known_take():
    return build_take([
        Speech("I would like to talk about my next step"), Silence(0.4),
        Speech("The migration went well"), Silence(1.2),
        Speech("Please enrol me on the leadership course"), Silence(2.0),
    ])


def test_vad_finds_known_silences(known_take):
    y, truth = known_take
    regions = prosody.speech_regions(y)
    gaps = prosody.silences(regions, min_s=0.25)
    assert len(gaps) == 2
    for got, (a, b) in zip(gaps, truth.silences[:2]):
        assert abs(got.duration_s - (b - a)) < 0.12
        assert abs(got.start_s - a) < 0.1


def test_vad_and_energy_agree(known_take):
    y, truth = known_take
    c = prosody.contours(y)
    vad = prosody.speech_regions(y)
    en = prosody.energy_regions(c.energy_db)
    assert len(en) == 3
    assert prosody.agreement(vad, en, duration_s=truth.duration_s) > 0.95


def test_agreement_detects_disagreement():
    a = (Region(0.0, 1.0),)
    b = (Region(1.0, 2.0),)
    assert prosody.agreement(a, b, duration_s=2.0) == pytest.approx(0.0)
    assert prosody.agreement(a, a, duration_s=2.0) == pytest.approx(1.0)


def test_pure_noise_has_little_speech(rng):
    y = (0.05 * rng.standard_normal(3 * SR)).astype(np.float32)
    regions = prosody.speech_regions(y)
    assert sum(r.duration_s for r in regions) < 0.3


def test_energy_db_equals_librosa_rms(rng):
    """Our numpy frame energy gives librosa's numbers (librosa is no longer on the request path)."""
    import librosa

    for n in (16_000, 16_003, 123_457):
        y = (0.1 * rng.standard_normal(n)).astype(np.float32)
        y[: n // 3] *= 0.001
        ours = prosody.energy_db(y)
        ref = 20 * np.log10(np.maximum(librosa.feature.rms(y=y, frame_length=400, hop_length=160, center=True)[0], 1e-6))
        assert ours.shape == ref.shape
        assert np.max(np.abs(ours - ref)) < 1e-3


def test_pitch_over_speech_only_matches_the_whole_take():
    y = np.concatenate([np.zeros(SR, np.float32), _tone(150, 1.0), np.zeros(SR, np.float32), _tone(220, 0.8)])
    whole = prosody.contours(y)
    spans = [Region(1.0, 2.0), Region(3.0, 3.8)]
    part = prosody.contours(y, speech=spans)
    inside = ~np.isnan(whole.f0_hz)
    assert np.count_nonzero(inside) > 150
    assert np.nanmax(np.abs(part.f0_hz[inside] - whole.f0_hz[inside])) < 1.0
    assert np.all(np.isnan(part.f0_hz[:80]))  # nothing analysed far from the speech
