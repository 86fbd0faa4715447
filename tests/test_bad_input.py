"""The bad-input table, for the command line and the studio alike: every row either gets one
specific line (what is wrong, what to do) and its exit status, or a sane result, and never a
traceback or a blank page.

The CLI runs ``voicecoach analyse FILE --json`` (``cli.main``; as a user runs it, in a subprocess,
for the rows where the process is part of the input);
the studio through ``AppTest`` on app.py (the file's bytes recorded into the page). Every audio
row is made from one shared espeak-ng take. Rows about paths (a folder, a FIFO, a device, a link
loop) exist only on the command line: the studio receives bytes, never a path.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import run_cli
from synth import SR, Silence, Speech, build_take, to_wav_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
VC = [sys.executable, "-m", "voicecoach"]
LEAD = "I have really enjoyed leading the data migration this year."
ASK = "Please enrol me on the leadership course before the March intake."
FRENCH = ("J'ai beaucoup aimé diriger la migration des données cette année.",
          "Inscrivez-moi au cours de leadership avant la session de mars, s'il vous plaît.")
WAIT_S = 2.5


def encode(y: np.ndarray, fmt: str, *, sr: int = SR) -> bytes:
    """``y`` (mono float32 at ``sr``) as the bytes of a file: wav (16-bit), wav24, wavf (32-bit
    float), flac, ogg (Vorbis, by libsndfile); mp3, webm (Opus at 48 kHz), m4a (AAC, as a phone's
    voice memo) by PyAV."""
    import av
    import soundfile as sf

    if fmt in ("wav", "wav24", "wavf", "flac", "ogg"):
        buf = io.BytesIO()
        subtype = {"wav": "PCM_16", "wav24": "PCM_24", "wavf": "FLOAT", "flac": "PCM_16", "ogg": "VORBIS"}[fmt]
        sf.write(buf, y, sr, format={"ogg": "OGG", "flac": "FLAC"}.get(fmt, "WAV"), subtype=subtype)
        return buf.getvalue()
    codec, container, rate = {"mp3": ("libmp3lame", "mp3", sr), "webm": ("libopus", "webm", 48_000),
                              "m4a": ("aac", "ipod", sr)}[fmt]
    if rate != sr:
        y = np.interp(np.arange(len(y) * rate // sr) * sr / rate, np.arange(len(y)), y).astype(np.float32)
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as c:
        s = c.add_stream(codec, rate=rate)
        s.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(y[None, :], np.float32),
                                           format="fltp" if codec != "libopus" else "flt", layout="mono")
        frame.sample_rate = rate
        for p in [*s.encode(frame), *s.encode(None)]:
            c.mux(p)
    return buf.getvalue()


def _resampled(y: np.ndarray, rate: int, tmp: Path) -> bytes:
    """``y`` resampled by sox to ``rate`` Hz, as a 16-bit WAV."""
    (tmp / "src.wav").write_bytes(to_wav_bytes(y))
    subprocess.run(["sox", str(tmp / "src.wav"), "-r", str(rate), str(tmp / "out.wav")], check=True)
    return (tmp / "out.wav").read_bytes()


@pytest.fixture(scope="module")
def take() -> tuple[np.ndarray, float]:
    """The shared take (lead-in, request, 2.5 s wait) and where its request ends (s)."""
    y, truth = build_take([Speech(LEAD), Silence(0.6), Speech(ASK), Silence(WAIT_S)])
    return y, truth.parts[1][2]


@pytest.fixture(scope="module")
def french() -> np.ndarray:
    return build_take([Speech(FRENCH[0], voice="fr"), Silence(0.8), Speech(FRENCH[1], voice="fr"), Silence(2.0)])[0]


# ---- the rows ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One input. ``make(tmp, take, french)`` creates it in ``tmp`` and returns the argument to
    pass (a path relative to ``tmp``). ``error``: the one line expected (a regex; None for a sane
    result) with ``code``; ``warnings``: the cautions a sane result must name; ``app``: whether
    the row exists in the studio (an upload of the file's bytes under its name)."""

    id: str
    make: Callable
    error: str | None = None
    code: int = 2
    warnings: tuple[str, ...] = ()
    app: bool = True
    args: tuple[str, ...] = ()
    env: Callable | None = None  # tmp -> extra environment (the model rows)
    app_error: str | None = None  # the studio's message when it differs from the CLI's ("": a sane result)
    request: bool = True  # a sane result finds the request and its wait
    kept: bool = True  # an error row in the studio: the take is kept, marked failed (False: refused before it
    # is stored, as input that can never be analysed: not audio, too short, silent, no speech)


def _put(tmp: Path, name: str, data: bytes) -> str:
    (tmp / name).write_bytes(data)
    return name


def _write(name: str, data) -> Callable:
    """A row maker writing ``data`` (bytes, or a function of the take's samples and ``tmp``)."""
    return lambda tmp, take, french: _put(tmp, name, data(take[0], tmp) if callable(data) else data)


def _wav(y, tmp):
    return to_wav_bytes(y)


def _stereo(y, tmp):
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.stack([y, 0.5 * y], axis=1), SR, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _truncated(tmp, take, french):
    y, ask_end = take
    cut = int((ask_end + 0.8) * SR)  # the file stops 0.8 s into the 2.5 s wait
    return _put(tmp, "cut.wav", to_wav_bytes(y)[: 44 + 2 * cut])


def _clipped(y, tmp):
    return to_wav_bytes(np.clip(y / np.abs(y).max() * 0.9 * 10 ** (12 / 20), -1, 1))


def _symlink_loop(tmp, take, french):
    os.symlink("loop-b.wav", tmp / "loop-a.wav")
    os.symlink("loop-a.wav", tmp / "loop-b.wav")
    return "loop-a.wav"


def _dangling(tmp, take, french):
    os.symlink("gone.wav", tmp / "link.wav")
    return "link.wav"


def _fifo(tmp, take, french):
    os.mkfifo(tmp / "pipe.wav")
    return "pipe.wav"


def _folder(tmp, take, french):
    (tmp / "takes.wav").mkdir()
    return "takes.wav"


def _non_utf8(tmp, take, french):
    name = os.fsdecode(b"take-\xff.wav")
    (tmp / name).write_bytes(to_wav_bytes(take[0]))
    return name


def _model(*, folder: str) -> Callable:
    """A model folder: tiny.en's files with ``model.bin`` cut off after its first megabyte (a
    download that stopped)."""
    def env(tmp):
        from voicecoach.speech.speech_model import resolve_model

        dest = tmp / folder
        dest.mkdir(parents=True, exist_ok=True)
        for f in resolve_model("tiny.en").path.iterdir():
            if f.name != "model.bin":
                shutil.copy(f, dest / f.name)
        with open(f.parent / "model.bin", "rb") as whole:
            (dest / "model.bin").write_bytes(whole.read(1 << 20))
        return {"VOICECOACH_MODELS_DIR": str(tmp / "models"),
                "VOICECOACH_MODEL": "base" if folder == "models/whisper-base" else str(dest)}
    return env


ROWS = [
    Row("missing", lambda tmp, *_: "nowhere.wav", r"nowhere\.wav does not exist; check the path", app=False),
    Row("empty", _write("empty.wav", b""), r"empty\.wav is empty \(0 bytes\); record again",
        app_error=r"^Your recording is empty \(0 bytes\); record again or choose another file\. Nothing was saved\.$",
        kept=False),
    Row("non-audio", _write("notes.wav", b"Please enrol me on the leadership course.\n" * 50),
        r"could not be decoded as audio .*use a WAV, FLAC, OGG, MP3, WebM or M4A file", kept=False),
    Row("truncated-header", _write("head.wav", lambda y, tmp: to_wav_bytes(y)[:30]),
        r"could not be decoded|holds no audio samples", kept=False),
    Row("too-short", _write("short.wav", lambda y, tmp: to_wav_bytes(y[: SR // 2])),
        r"is 0\.50 s long; record at least 1 s", kept=False),
    Row("silent", _write("silent.wav", to_wav_bytes(np.zeros(3 * SR, np.float32))),
        r"is silent \(loudest moment .* dBFS\); check that the right microphone", kept=False),
    Row("noise-only", _write("noise.wav", to_wav_bytes(
        (0.05 * np.random.default_rng(3).standard_normal(3 * SR)).astype(np.float32))),
        r"no speech was heard .*check the microphone",
        app_error=r"^No speech was heard in your recording \(only noise, music or silence\); check the microphone .*"
                  r"Nothing was saved\.$", kept=False),
    Row("random-bytes", _write("random.wav", bytes(np.random.default_rng(1).integers(0, 256, 50_000, np.uint8))),
        r"could not be decoded as audio", kept=False),
    Row("stereo", _write("stereo.wav", _stereo)),
    # a phone-band espeak take: the caution says words may be misheard, and they sometimes are
    # ("Leave and roll me on…"), so the request is not required to be found
    Row("8-kHz", _write("8k.wav", lambda y, tmp: _resampled(y, 8000, tmp)), warnings=("telephone_band",),
        request=False),
    Row("22.05-kHz", _write("22k.wav", lambda y, tmp: _resampled(y, 22050, tmp))),
    Row("44.1-kHz", _write("44k.wav", lambda y, tmp: _resampled(y, 44100, tmp))),
    Row("48-kHz", _write("48k.wav", lambda y, tmp: _resampled(y, 48000, tmp))),
    Row("24-bit-wav", _write("24.wav", lambda y, tmp: encode(y, "wav24"))),
    Row("float-wav", _write("float.wav", lambda y, tmp: encode(y, "wavf"))),
    Row("flac", _write("take.flac", lambda y, tmp: encode(y, "flac"))),
    Row("mp3", _write("take.mp3", lambda y, tmp: encode(y, "mp3"))),
    Row("ogg", _write("take.ogg", lambda y, tmp: encode(y, "ogg"))),
    Row("webm", _write("take.webm", lambda y, tmp: encode(y, "webm"))),
    Row("m4a", _write("memo.m4a", lambda y, tmp: encode(y, "m4a"))),
    Row("name-dash", _write("-take.wav", _wav),
        r"-take\.wav starts with '-' and was read as an option; put `--` before it", app_error=""),
    Row("name-dash-after-double-dash", _write("-take.wav", _wav), args=("--",), app=False),
    Row("name-spaces", _write("my take (final).wav", _wav)),
    Row("name-unicode", _write("prise n°2 — ünïcødé 🎙.wav", _wav)),
    Row("name-not-utf8", _non_utf8, app=False),
    # the studio's uploader takes only its listed suffixes (the browser and Streamlit's server refuse others)
    Row("name-no-suffix", _write("take", _wav), app=False),
    Row("name-odd-suffix", _write("take.wäv", _wav), app=False),
    Row("name-upper-suffix", _write("TAKE.M4A", lambda y, tmp: encode(y, "m4a"))),
    Row("symlink-loop", _symlink_loop, r"loop-a\.wav is a symbolic link that points back to itself", app=False),
    Row("dangling-symlink", _dangling, r"link\.wav is a link to gone\.wav, which does not exist", app=False),
    Row("fifo", _fifo, r"pipe\.wav is a named pipe \(FIFO\), not an audio file; save the recording to a file",
        app=False),
    Row("dev-urandom", lambda tmp, *_: "/dev/urandom", r"/dev/urandom is a device, not an audio file", app=False),
    Row("directory", _folder, r"takes\.wav is a folder; give the path of an audio file", app=False),
    Row("truncated-wav", _truncated, warnings=("truncated",)),
    Row("clipping", _write("loud.wav", _clipped), warnings=("clipping",)),
    Row("french", lambda tmp, take, french: _put(tmp, "fr.wav", to_wav_bytes(french)),
        warnings=("not_english|repeated_words",), request=False),
    Row("model-broken-bin", _write("t.wav", _wav), r"broken could not be loaded as a CTranslate2 Whisper model "
        r"\(Variable .* has an invalid payload size\); reinstall it", code=3, env=_model(folder="broken")),
    Row("model-sha256-mismatch", _write("t.wav", _wav), r"whisper-base/model\.bin is not the expected base model "
        r"\(sha256 .*\); reinstall it", code=3, env=_model(folder="models/whisper-base")),
]


def _check_result(d: dict, row: Row) -> None:
    """A sane result: the request and the wait after it, and exactly the expected cautions."""
    codes = [w["code"] for w in d["warnings"]]
    for want in row.warnings:
        assert any(re.fullmatch(want, c) for c in codes), (want, codes)
    if not row.warnings:
        assert codes == [], codes
    if row.request:
        r = d["request"]
        assert r is not None and "leadership" in r["text"].lower(), d["transcript"]
        wait = WAIT_S if row.id != "truncated-wav" else 0.8
        assert r["pause_after_s"] == pytest.approx(wait, abs=0.3) and r["still_waiting"]


# ---- the command line -------------------------------------------------------------------------

#: Rows where the process itself is part of the input, run as a user runs them (``python -m voicecoach``
#: in a subprocess): a name that is not UTF-8 comes through the OS's argv, argparse ends the process, a
#: FIFO could block a read, and the model rows set the environment a process reads once (the model it
#: has loaded stays loaded). The other rows call ``cli.main`` here (the same code once argv is read;
#: the model loaded once, not per row).
IN_A_SUBPROCESS = {"name-not-utf8", "name-dash", "fifo"}


def _vc(argv: list[str], *, cwd: Path, env: dict, subprocess_: bool, monkeypatch, capsys) -> tuple[int, str, str]:
    """``voicecoach ARGV`` in ``cwd`` with ``env`` added: (exit status, stdout, stderr), in a
    subprocess or in this process (``conftest.run_cli``)."""
    if subprocess_:
        r = subprocess.run([*VC, *argv], cwd=cwd, env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
                           capture_output=True, text=True, errors="backslashreplace", timeout=300)
        return r.returncode, r.stdout, r.stderr
    monkeypatch.chdir(cwd)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return run_cli(capsys, argv)


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_cli(row: Row, take, french, tmp_path, monkeypatch, capsys):
    arg = row.make(tmp_path, take, french)
    code, out, err = _vc(["analyse", "--json", *row.args, arg], cwd=tmp_path,
                         env=row.env(tmp_path) if row.env else {}, subprocess_=row.id in IN_A_SUBPROCESS or row.env is not None,
                         monkeypatch=monkeypatch, capsys=capsys)
    assert "Traceback" not in err, err
    if row.error is None:
        assert code == 0, err
        _check_result(json.loads(out), row)
        return
    assert code == row.code, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("voicecoach: ") and re.search(row.error, last), err
    assert out == ""


# ---- the studio -------------------------------------------------------------------------------

APP_ROWS = [r for r in ROWS if r.app]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _page(name: str, data: bytes, *, objective: str | None = None, upload: bool = False) -> AppTest:
    """The Practise page given ``data``: recorded (the microphone widget, which only gives .wav),
    or uploaded under ``name`` (an upload keeps its file name)."""
    at = AppTest.from_file(APP, default_timeout=180).run()
    if objective is not None:  # the objective field, by its label (a text input or a text area)
        (field,) = [w for w in [*at.text_area, *at.text_input] if w.label.startswith("Your influence objective")]
        field.input(objective).run()
    if upload or not name.lower().endswith(".wav"):
        at.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    else:
        at.audio_input[0].set_value((name, data, "audio/wav")).run()
    return at


@pytest.mark.parametrize("row", APP_ROWS, ids=[r.id for r in APP_ROWS])
def test_app(row: Row, take, french, tmp_path, home, monkeypatch, whisper):
    files = tmp_path / "files"
    files.mkdir()
    arg = row.make(files, take, french)
    for k, v in (row.env(tmp_path) if row.env else {}).items():
        monkeypatch.setenv(k, v)
    at = _page(Path(arg).name, (files / arg).read_bytes(), upload=row.id.startswith("name-"))
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    from voicecoach.store.takes import TakeStore

    if row.error is not None and row.app_error != "":
        want = row.app_error or row.error
        (error,) = errors  # one visible message, not only inside the collapsed status box
        assert re.search(want, error), errors
        assert not re.search(r"\(\w*Error\)", error) and not re.search(r"\b\d+\.wav\b", error)  # plain words,
        # naming the user's recording, not the stored copy ("5.wav")
        takes = TakeStore(home).list()
        if row.kept:  # audio whose analysis failed: kept, marked failed, with the reason, for a retry
            (t,) = takes  # (a missing model stops before the analysis starts: the take waits, "pending")
            assert t.status == ("failed" if row.env is None else "pending"), t.status
            assert row.env is not None or re.search(want, t.error), t.error
        else:  # can never be analysed: refused before it is kept
            assert takes == [] and not any((home / "audio").iterdir())
            assert "Nothing was saved" in error
        return
    assert errors == [], errors
    assert len(at.metric) >= 3  # the result is shown
    shown = " ".join(w.value for w in at.warning)

    (t,) = TakeStore(home).list()
    assert t.status == "done"
    d = json.loads(t.analysis_json)
    _check_result(d, row)
    for w in d["warnings"]:
        assert w["message"] in shown  # each caution is on the page


# ---- hostile text -----------------------------------------------------------------------------

HOSTILE = {
    "script": "<script>alert('x')</script> enrol me on the course before March",
    "img-onerror": "<img src=x onerror=alert(1)> enrol me on the leadership course before March",
    "markdown": "**Enrol** me on `the` [course](http://evil.example) before $x^2$ March :red[now] # heading",
    "10000-chars": ("Please enrol me on the leadership course before the March intake. " * 152)[:10_000],
    "control-chars": "enrol me\x1b[31m on the course\x07 before March",
}


@pytest.mark.parametrize("command", ["objective", "tag"])
@pytest.mark.parametrize("key", list(HOSTILE), ids=list(HOSTILE))
def test_cli_hostile_text_is_plain_text(command, key):
    text = HOSTILE[key]
    r = subprocess.run([*VC, command, "--json", text] if command == "objective" else [*VC, command, text],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and "\x1b" not in r.stdout  # JSON escapes control characters: nothing reaches the terminal raw
    if command == "objective":
        assert rows[0]["text"] == text.strip()  # as typed, not interpreted
    else:
        assert "".join(x["text"] for x in rows).replace(" ", "") == text.replace(" ", "")
        assert {x["tag"] for x in rows} <= {"push", "pull", "move_away", "neutral"}


@pytest.mark.parametrize("key", list(HOSTILE), ids=list(HOSTILE))
def test_app_hostile_objective_is_shown_as_text(key, take, home, whisper):
    """Typed into the objective and saved with a take: no markup from it is rendered (HTML and
    Markdown show as written, escaped in the page's HTML), and the page still works."""
    text = HOSTILE[key]
    at = _page("ask.wav", to_wav_bytes(take[0]), objective=text)
    assert not at.exception, at.exception
    assert len(at.metric) >= 3 and not at.error
    for el in [*at.markdown, *at.success, *at.warning, *at.info, *at.caption]:
        assert "<script" not in el.value and "onerror" not in el.value and "evil.example" not in el.value
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "<script" not in html and "<img" not in html  # the page's HTML holds it escaped, if at all
