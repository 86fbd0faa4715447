import io
import re
import wave

import numpy as np
import pytest

from voicecoach.speech.audio import SR, AudioError, check_audio, load, probe
from synth import to_wav_bytes


def _tone(seconds=2.0, f=220.0, amp=0.3, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def _encode(y, sr, fmt):
    """Encode into an in-memory file of that format."""
    import av

    if fmt in ("flac", "ogg"):  # libsndfile writes FLAC and Ogg Vorbis
        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, y, sr, format=fmt.upper(), subtype="VORBIS" if fmt == "ogg" else "PCM_16")
        return buf.getvalue()
    codec = {"mp3": "libmp3lame", "webm": "libopus"}[fmt]
    rate = 48_000 if fmt == "webm" else sr
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as c:
        s = c.add_stream(codec, rate=rate)
        s.layout = "mono"
        if rate != sr:
            y = np.interp(np.arange(0, len(y) * rate // sr) * sr / rate, np.arange(len(y)), y).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(y[None, :], format="flt", layout="mono")
        frame.sample_rate = rate
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3", "webm"])
def test_decodes_every_format_to_mono_16k(fmt, tmp_path):
    y = _tone(2.0, sr=44_100 if fmt != "webm" else 16_000)
    sr = 44_100 if fmt != "webm" else 16_000
    data = to_wav_bytes(y, sr=sr) if fmt == "wav" else _encode(y, sr, fmt)
    path = tmp_path / f"take.{fmt}"
    path.write_bytes(data)
    for src in (path, data):
        a = load(src)
        assert a.sr == SR and a.y.dtype == np.float32 and a.y.ndim == 1
        assert abs(a.duration_s - 2.0) < 0.1
        # the 220 Hz tone survives: its spectrum peaks at 220 Hz
        spec = np.abs(np.fft.rfft(a.y[: SR]))
        assert abs(np.argmax(spec) * SR / SR - 220) <= 2


def test_stereo_is_mixed_to_mono(tmp_path):
    import soundfile as sf

    y = _tone(1.5)
    sf.write(tmp_path / "st.wav", np.stack([y, y], axis=1), SR)
    a = load(tmp_path / "st.wav")
    assert a.y.ndim == 1 and abs(a.duration_s - 1.5) < 0.01


@pytest.fixture(scope="module")
def spoken():
    """An espeak-ng ask (mono, 16 kHz) and its loudness (dBFS, RMS)."""
    from synth import Silence, Speech, build_take

    y = build_take([Speech("Please enrol me on the leadership course before the March intake."), Silence(0.5)])[0]
    return y, _rms_db(y)


def _rms_db(y):
    return 20 * np.log10(max(float(np.sqrt(np.mean(np.asarray(y, np.float64) ** 2))), 1e-12))


# (right channel from the left, whether the mix cancels): a channel in opposite phase, or at
# -0.8 and -0.5 of the other, loses 20, 14 and 12 dB in the mix; the controls lose 0 (the same
# sound), 3 (two unrelated sounds) and 6 dB (one channel silent) and are mixed as before.
STEREO = [
    ("opposite-phase", lambda y, rng: -y, True),
    ("partly-cancelled--0.8", lambda y, rng: -0.8 * y, True),
    ("partly-cancelled--0.5", lambda y, rng: -0.5 * y, True),
    ("same-phase", lambda y, rng: y, False),
    ("unrelated", lambda y, rng: np.roll(y, len(y) // 2), False),
    ("right-silent", lambda y, rng: 0 * y, False),
]


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg"])
@pytest.mark.parametrize("name,right,cancels", STEREO, ids=[r[0] for r in STEREO])
def test_stereo_whose_channels_cancel_is_analysed_from_one_channel(spoken, rng, fmt, name, right, cancels):
    """A stereo file whose mix cancels (one channel in opposite phase) was "silent (-240 dBFS)":
    it is decoded from its louder channel, at the loudness of that channel. Files whose mix keeps
    the sound are mixed as before (``channel`` None)."""
    import soundfile as sf

    y, loud_db = spoken
    both = np.stack([y, right(y, rng)], axis=1)
    buf = io.BytesIO()
    sf.write(buf, both, SR, format=fmt.upper() if fmt != "wav" else "WAV",
             subtype="VORBIS" if fmt == "ogg" else "PCM_16")
    a = load(buf.getvalue())
    mix_db = _rms_db(both.mean(axis=1))
    print(f"{name:24s} {fmt:4s} mix {loud_db - mix_db:5.1f} dB below the left channel -> channel {a.channel}")
    if cancels:  # the louder channel (either one when both are equally loud)
        assert a.channel in ((0, 1) if name == "opposite-phase" else (0,))
        assert _rms_db(a.y) == pytest.approx(loud_db, abs=1.0)
    else:
        assert a.channel is None
        assert _rms_db(a.y) == pytest.approx(mix_db, abs=1.0)


def test_the_louder_channel_is_the_one_kept(spoken):
    """The left channel in opposite phase at half the right: the right is analysed."""
    import soundfile as sf

    y, loud_db = spoken
    buf = io.BytesIO()
    sf.write(buf, np.stack([-y / 2, y], axis=1), SR, format="WAV", subtype="PCM_16")
    a = load(buf.getvalue())
    assert a.channel == 1 and _rms_db(a.y) == pytest.approx(loud_db, abs=0.5)


def test_cancelled_channel_reads_the_energy_of_each_channel_and_the_mix():
    from voicecoach.speech.audio import cancelled_channel

    assert cancelled_channel(np.array([1.0, 1.0, 0.0])) == 0
    assert cancelled_channel(np.array([1.0, 4.0, 0.04])) == 1  # mix 20 dB below the louder channel
    assert cancelled_channel(np.array([1.0, 1.0, 0.5])) is None  # unrelated channels: 3 dB
    assert cancelled_channel(np.array([1.0, 0.0, 0.25])) is None  # one silent channel: 6 dB
    assert cancelled_channel(np.array([0.0, 0.0, 0.0])) is None  # silence is for check_audio to name
    assert cancelled_channel(None) is None and cancelled_channel(np.array([1.0, 1.0])) is None


def test_the_file_own_sample_rate_is_kept(tmp_path):
    import soundfile as sf

    for sr in (8000, 44_100):
        sf.write(tmp_path / "t.wav", _tone(2.0, sr=sr), sr)
        assert load(tmp_path / "t.wav").source_rate_hz == sr
    from voicecoach.speech.audio import Audio

    assert Audio(_tone(2.0)).source_rate_hz is None


def _truncated_header():
    return to_wav_bytes(_tone(2.0))[:30]


def _noise_as_text():
    return b"Please enrol me on the leadership course.\n" * 50


BAD = [
    ("missing", None, r"does not exist; check the path"),
    ("empty", b"", r"is empty \(0 bytes\); record again"),
    ("text", _noise_as_text(), r"could not be decoded as audio .*use a WAV, FLAC, OGG, MP3, WebM or M4A file"),
    ("random-bytes", bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), r"could not be decoded"),
    ("truncated-header", _truncated_header(), r"could not be decoded|holds no audio samples|is 0\.00 s long"),
    ("too-short", to_wav_bytes(_tone(0.5)), r"is 0\.50 s long; record at least 1 s"),
    ("silent", to_wav_bytes(np.zeros(2 * SR, np.float32)), r"is silent .*check that the right microphone"),
]


@pytest.mark.parametrize("name,data,match", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error(name, data, match, tmp_path):
    path = tmp_path / f"{name}.wav"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(AudioError, match=match):
        load(path)
    if data:
        with pytest.raises(AudioError, match=match.replace("does not exist", "")):
            load(data)


def test_folder_is_refused(tmp_path):
    with pytest.raises(AudioError, match="is a folder"):
        load(tmp_path)


def test_truncated_data_decodes_what_is_there(tmp_path):
    """A WAV cut off mid-recording (e.g. the browser tab closed) keeps the audio it has."""
    data = to_wav_bytes(_tone(3.0))
    a = load(data[: 44 + 2 * SR * 2])  # header + 2 s of samples; header still claims 3 s
    assert abs(a.duration_s - 2.0) < 0.05


@pytest.mark.parametrize("y,match", [
    (np.zeros((2, SR * 2), np.float32), "expected mono"),
    (np.array([], np.float32), "holds no audio samples"),
    (np.full(SR * 2, np.nan, np.float32), "NaN or infinite"),
], ids=["2d", "empty", "nan"])
def test_check_audio_table(y, match):
    with pytest.raises(AudioError, match=match):
        check_audio(y, sr=SR)


def test_quiet_speech_is_not_called_silent():
    check_audio(_tone(2.0, amp=0.003), sr=SR)  # about -53 dBFS: quiet but usable


def test_a_take_longer_than_the_limit_is_refused_from_its_header(tmp_path):
    """A 31-minute file is refused from its header, before it is decoded into memory."""
    import resource
    import subprocess

    from voicecoach.speech.audio import MAX_DURATION_S

    long = tmp_path / "long.wav"
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(long), "synth", "1860", "sine", "200"],
                   check=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(AudioError, match=r"long\.wav is 31 min long; a take can be at most 30 min"):
        load(long)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing decoded
    assert MAX_DURATION_S == 1800


def test_decoding_stops_past_the_limit(monkeypatch):
    """When the header does not tell (or lies), decoding stops as soon as the limit is passed."""
    from voicecoach.speech import audio

    monkeypatch.setattr(audio, "MAX_DURATION_S", 2.5)  # the header's 3 s is within limit + 1 s
    with pytest.raises(AudioError, match=r"the recording is longer than .*; a take can be at most"):
        load(to_wav_bytes(_tone(3.0)))


@pytest.mark.parametrize("data, match", [
    (b"", r"^fake\.wav is empty \(0 bytes\)"),
    (_noise_as_text(), r"^fake\.wav could not be decoded as audio because it is not an audio file"),
    (bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8)), r"could not be decoded as audio"),
    (_truncated_header(), r"could not be decoded as audio|holds no audio samples"),
], ids=["empty", "text", "random-bytes", "truncated-header"])
def test_probe_refuses_what_is_not_audio_in_plain_words(data, match):
    """The cheap check made before a take is kept: the user's name for the file, no internal
    error name such as "(InvalidDataError)"."""
    with pytest.raises(AudioError, match=match) as err:
        probe(data, name="fake.wav")
    assert not re.search(r"\(\w*Error\)", str(err.value))


@pytest.mark.parametrize("data", [to_wav_bytes(_tone(0.5)), to_wav_bytes(np.zeros(2 * SR, np.float32)),
                                  to_wav_bytes(_tone(2.0))], ids=["too-short", "silent", "tone"])
def test_probe_accepts_audio_that_analysis_may_still_refuse(data):
    """Too short or silent is audio: it is kept (and its analysis fails with a reason)."""
    probe(data, name="take.wav")


def test_decode_errors_name_no_exception_class():
    with pytest.raises(AudioError) as err:
        load(_noise_as_text(), name="notes.wav")
    assert not re.search(r"\(\w*Error\)", str(err.value)) and str(err.value).startswith("notes.wav ")


def test_the_upload_limit_holds_the_longest_take():
    """The studio's upload limit (.streamlit/config.toml) admits the longest take as 16-bit 48 kHz
    mono WAV, and is not so large that a take far over the length limit fits as such a WAV."""
    import tomllib
    from pathlib import Path

    from voicecoach.speech.audio import MAX_DURATION_S

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    wav_mb = MAX_DURATION_S * 48_000 * 2 / 1e6
    assert wav_mb < limit_mb < 2 * wav_mb
