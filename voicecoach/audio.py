"""Decode any input to mono float32 at 16 kHz, and check it is usable.

This is the only module that reads audio files. Everything downstream takes the array.
"""
from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

__all__ = ["SR", "AudioError", "Audio", "load", "check_audio", "to_wav_bytes", "MIN_DURATION_S", "MAX_DURATION_S"]

log = logging.getLogger("voicecoach")

SR = 16_000
MIN_DURATION_S = 1.0
MAX_DURATION_S = 30 * 60.0  # the longest take accepted (seconds): decoding stops past it
_SILENCE_DBFS = -60.0  # a recording whose loudest 10 ms is quieter than this is silent
_FORMATS = "WAV, FLAC, OGG, MP3 or WebM"

Source = Union[str, os.PathLike, bytes, bytearray, memoryview]


class AudioError(ValueError):
    """The input cannot be analysed; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class Audio:
    """A decoded recording: mono float32 samples at ``sr`` Hz."""

    y: np.ndarray
    sr: int = SR

    @property
    def duration_s(self) -> float:
        return len(self.y) / self.sr


def load(source: Source, *, name: str | None = None) -> Audio:
    """Decode a path or the bytes of a file to mono float32 16 kHz and validate it.

    Parameters
    ----------
    source : path or bytes
        A WAV, FLAC, OGG, MP3 or WebM file, by path or as its bytes.
    name : str, optional
        How to call the input in messages (defaults to the file name).

    Raises
    ------
    AudioError
        The file is missing, empty, not audio, too short or silent.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "the recording"
        if not data:
            raise AudioError(f"{label} is empty (0 bytes); record again or choose another file")
        stream: object = io.BytesIO(data)
    else:
        path = Path(source)
        label = name or path.name
        if not path.exists():
            raise AudioError(f"{path} does not exist; check the path")
        if path.is_dir():
            raise AudioError(f"{path} is a folder; give the path of an audio file")
        if path.stat().st_size == 0:
            raise AudioError(f"{label} is empty (0 bytes); record again or choose another file")
        stream = str(path)
    y = _decode(stream, label)
    check_audio(y, sr=SR, name=label)
    return Audio(y=y, sr=SR)


def _decode(stream, label: str) -> np.ndarray:
    """Decode to mono 16 kHz, frame by frame, and stop as soon as the take is longer than
    ``MAX_DURATION_S``: a two-hour file is refused after reading its header (or its first 30
    minutes), before memory grows."""
    import av

    try:
        with av.open(stream, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise ValueError("no audio stream")
            stated_s = container.duration / av.time_base if container.duration else None
            if stated_s is not None and stated_s > MAX_DURATION_S + 1:
                raise _TooLong(stated_s)
            return _resampled(container, label)
    except _TooLong as long:
        limit = f"{MAX_DURATION_S / 60:.0f} min"
        what = f"is {long.seconds / 60:.0f} min long" if long.seconds else f"is longer than {limit}"
        raise AudioError(f"{label} {what}; a take can be at most {limit}: record just your ask and the "
                         "wait after it, or cut the file") from None
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        log.debug("decode failed for %s: %r", label, exc)
        raise AudioError(
            f"{label} could not be decoded as audio ({type(exc).__name__}); "
            f"use a {_FORMATS} file, or record again"
        ) from None


class _TooLong(Exception):
    def __init__(self, seconds: float | None):
        self.seconds = seconds


def _resampled(container, label: str) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SR)
    chunks, n = [], 0
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            frame = None
        except av.error.InvalidDataError:  # a damaged packet: skip it, keep the rest
            continue
        for out in resampler.resample(frame):  # None flushes the resampler
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            n += len(chunk)
        if n > MAX_DURATION_S * SR:
            raise _TooLong(None)
        if frame is None:
            break
    y = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return (y.astype(np.float32) / 32768.0)


def check_audio(y: np.ndarray, *, sr: int = SR, name: str = "the recording") -> None:
    """Raise :class:`AudioError` unless ``y`` is a usable mono recording.

    Checks: one dimension, finite values, at least ``MIN_DURATION_S`` long, not silent.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise AudioError(f"{name} has shape {y.shape}; expected mono samples (one dimension)")
    if y.size == 0:
        raise AudioError(f"{name} holds no audio samples; record again or choose another file")
    if not np.all(np.isfinite(y)):
        raise AudioError(f"{name} contains NaN or infinite samples; record again")
    duration_s = y.size / sr
    if duration_s < MIN_DURATION_S:
        raise AudioError(
            f"{name} is {duration_s:.2f} s long; record at least {MIN_DURATION_S:.0f} s "
            "(your whole ask, then the pause after it)"
        )
    hop = sr // 100
    n = (y.size // hop) * hop
    frame_rms = np.sqrt(np.mean(y[:n].astype(np.float64).reshape(-1, hop) ** 2, axis=1))
    peak_dbfs = 20 * np.log10(max(float(frame_rms.max()), 1e-12))
    if peak_dbfs < _SILENCE_DBFS:
        raise AudioError(
            f"{name} is silent (loudest moment {peak_dbfs:.0f} dBFS); check that the right "
            "microphone is selected and not muted, then record again"
        )


def to_wav_bytes(y: np.ndarray, *, sr: int = SR) -> bytes:
    """Samples as the bytes of a 16-bit PCM WAV file (what a browser recorder delivers, and
    how a take recorded from the microphone is saved)."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.clip(y, -1, 1), sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()
