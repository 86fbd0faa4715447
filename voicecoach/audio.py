"""Decode any input to mono float32 at 16 kHz, and check it is usable.

This is the only module that reads audio files. Everything downstream takes the array.
"""
from __future__ import annotations

import errno
import io
import logging
import os
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np

__all__ = ["SR", "AudioError", "Audio", "load", "probe", "check_audio", "to_wav_bytes", "MIN_DURATION_S", "MAX_DURATION_S",
           "FULL_SCALE"]

log = logging.getLogger("voicecoach")

SR = 16_000
MIN_DURATION_S = 1.0
MAX_DURATION_S = 30 * 60.0  # the longest take accepted (seconds): decoding stops past it
_SILENCE_DBFS = -60.0  # a recording whose loudest 10 ms is quieter than this is silent
_FORMATS = "WAV, FLAC, OGG, MP3, WebM or M4A"
#: A sample at or beyond this fraction of full scale (in the file's own sample format) is clipped.
FULL_SCALE = 0.999
_HEADER_BYTES = 1 << 16  # how much of a file is read to find a WAV file's data chunk
_PROBE_PACKETS = 64  # packets read by probe() before it decides the input holds no sound

Source = Union[str, os.PathLike, bytes, bytearray, memoryview]


class AudioError(ValueError):
    """The input cannot be analysed; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class Audio:
    """A decoded recording: mono float32 samples at ``sr`` Hz, and what the file said about itself.

    ``announced_duration_s`` is the length the file's header states (a WAV file's data chunk
    size, or the container's stated duration), None when it states none; a file cut off early
    decodes to less. ``clipped_fraction`` is the share of the file's own samples (every channel,
    before resampling) at full scale (:data:`FULL_SCALE`), None when the samples did not come
    from a file (then it is measured on ``y``).
    """

    y: np.ndarray
    sr: int = SR
    announced_duration_s: float | None = None
    clipped_fraction: float | None = None

    @property
    def duration_s(self) -> float:
        return len(self.y) / self.sr


def load(source: Source, *, name: str | None = None) -> Audio:
    """Decode a path or the bytes of a file to mono float32 16 kHz and validate it.

    Parameters
    ----------
    source : path or bytes
        A WAV, FLAC, OGG, MP3, WebM or M4A file, by path or as its bytes.
    name : str, optional
        How to call the input in messages (defaults to the file name).

    Raises
    ------
    AudioError
        The file is missing, empty, not a regular file, not audio, too short or silent.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "the recording"
        if not data:
            raise AudioError(f"{label} is empty (0 bytes); record again or choose another file")
        stream: object = io.BytesIO(data)
        head = data[:_HEADER_BYTES]
    else:
        path = Path(source)
        label = name or path.name
        _check_file(path, label)
        stream = str(path)
        try:
            with open(path, "rb") as fh:
                head = fh.read(_HEADER_BYTES)
        except OSError as exc:
            raise AudioError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
    y, stated_s, clipped, fmt = _decode(stream, label)
    check_audio(y, sr=SR, name=label)
    if fmt == "wav":
        announced = _wav_announced_s(head)
    elif fmt == "mp3" and not re.search(rb"Xing|Info|VBRI", head):
        announced = None  # FFmpeg only estimated it from the bit rate: not a promise the file can break
    else:
        announced = stated_s
    return Audio(y=y, sr=SR, announced_duration_s=announced, clipped_fraction=clipped)


def _check_file(path: Path, label: str) -> None:
    """:class:`AudioError` unless ``path`` is a non-empty regular file
    (a folder, a named pipe, a device such as /dev/urandom, a dangling or looping link are
    named as such: reading a pipe or a device could block or never end)."""
    try:
        st = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise AudioError(f"{path} is a symbolic link that points back to itself (a link loop); "
                             "give the path of the audio file itself") from None
        if path.is_symlink():
            raise AudioError(f"{path} is a link to {os.readlink(path)}, which does not exist; "
                             "give the path of the audio file itself") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise AudioError(f"{path} does not exist; check the path") from None
        raise AudioError(f"{path} cannot be read ({exc.strerror}); check the path and its permissions") from None
    if stat.S_ISDIR(st.st_mode):
        raise AudioError(f"{path} is a folder; give the path of an audio file")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise AudioError(f"{path} is {kind}, not an audio file; save the recording to a file and give its path")
    if st.st_size == 0:
        raise AudioError(f"{label} is empty (0 bytes); record again or choose another file")


def _wav_announced_s(head: bytes) -> float | None:
    """The duration a WAV file's header announces (its data chunk's size over the byte rate), or
    None when it does not say (a streamed WAV writes 0 or 0xFFFFFFFF there) or cannot be read.
    FFmpeg clamps its own duration to the bytes present, so a cut-off file must be read here."""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, None
    while pos + 8 <= len(head):
        cid, n = head[pos:pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if cid == b"fmt " and pos + 20 <= len(head):
            byte_rate = struct.unpack_from("<I", head, pos + 16)[0]
        elif cid == b"data":
            if not byte_rate or n in (0, 0xFFFFFFFF):
                return None  # no rate, or a streamed WAV's placeholder length
            return n / byte_rate
        pos += 8 + n + (n & 1)
    return None


def _decode(stream, label: str) -> tuple[np.ndarray, float | None, float, str]:
    """Decode to mono 16 kHz, frame by frame, and stop as soon as the take is longer than
    ``MAX_DURATION_S``: a two-hour file is refused after reading its header (or its first 30
    minutes), before memory grows. Returns the samples, the duration the container states (None
    if it states none), the clipped fraction and the container format's name."""
    import av

    try:
        with av.open(stream, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise ValueError("no audio stream")
            stated_s = container.duration / av.time_base if container.duration else None
            if stated_s is not None and stated_s > MAX_DURATION_S + 1:
                raise _TooLong(stated_s)
            y, clipped = _resampled(container, label)
            return y, stated_s, clipped, container.format.name
    except _TooLong as long:
        limit = f"{MAX_DURATION_S / 60:.0f} min"
        what = f"is {long.seconds / 60:.0f} min long" if long.seconds else f"is longer than {limit}"
        raise AudioError(f"{label} {what}; a take can be at most {limit}: record just your ask and the "
                         "wait after it, or cut the file") from None
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        log.debug("decode failed for %s: %r", label, exc)
        raise _not_audio(label) from None


def _not_audio(label: str) -> AudioError:
    return AudioError(f"{label} could not be decoded as audio because it is not an audio file, or it is damaged; "
                      f"use a {_FORMATS} file, or record again")


def probe(data: bytes | bytearray | memoryview, *, name: str | None = None) -> None:
    """Check cheaply that ``data`` is audio before it is kept: it opens as a container with an
    audio stream and its first frame decodes. Reads only the start of the file, so it is fast
    for a long take; whether the take is long enough, or silent, is for :func:`load` to say.

    Raises
    ------
    AudioError
        ``data`` is empty, is not audio (a text file renamed ``.wav``, random bytes) or holds
        no sound at all; the message names ``name`` (default "the recording").
    """
    import av

    label = name or "the recording"
    data = bytes(data)
    if not data:
        raise AudioError(f"{label} is empty (0 bytes); record again or choose another file")
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _not_audio(label)
            stream = container.streams.audio[0]
            for i, packet in enumerate(container.demux(stream)):
                try:
                    if packet.decode():
                        return
                except av.error.InvalidDataError:  # a damaged packet: look at the next one
                    pass
                if i >= _PROBE_PACKETS:
                    break
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration, OSError) as exc:
        log.debug("probe failed for %s: %r", label, exc)
        raise _not_audio(label) from None
    raise AudioError(f"{label} holds no audio samples; record again or choose another file")


class _TooLong(Exception):
    def __init__(self, seconds: float | None):
        self.seconds = seconds


def _resampled(container, label: str) -> tuple[np.ndarray, float]:
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SR)
    chunks, n = [], 0
    clipped, total = 0, 0
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            frame = None
        except av.error.InvalidDataError:  # a damaged packet: skip it, keep the rest
            continue
        if frame is not None:
            c, t = _clipped_samples(frame)
            clipped, total = clipped + c, total + t
        for out in resampler.resample(frame):  # None flushes the resampler
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            n += len(chunk)
        if n > MAX_DURATION_S * SR:
            raise _TooLong(None)
        if frame is None:
            break
    y = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return y.astype(np.float32) / 32768.0, clipped / max(total, 1)


def _clipped_samples(frame) -> tuple[int, int]:
    """(samples at full scale, samples) in one decoded frame, in its own format: integer samples
    within 0.1% of their type's limits, float samples at or beyond +-0.999."""
    x = frame.to_ndarray()
    if x.dtype.kind == "f":
        hit = np.count_nonzero(np.abs(x) >= FULL_SCALE)
    elif x.dtype.kind == "u":  # 8-bit WAV: unsigned around 128
        lim = np.iinfo(x.dtype)
        mid = (lim.max + 1) // 2
        hit = np.count_nonzero(np.abs(x.astype(np.int32) - mid) >= FULL_SCALE * (mid - 1))
    else:
        lim = np.iinfo(x.dtype)
        hit = np.count_nonzero((x >= FULL_SCALE * lim.max) | (x <= FULL_SCALE * lim.min))
    return int(hit), int(x.size)


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
