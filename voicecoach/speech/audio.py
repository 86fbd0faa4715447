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
#: When the mono mix of a multichannel file is this much quieter (dB) than its loudest channel,
#: the channels cancel each other (one is in opposite phase) and that channel alone is analysed.
#: Identical channels lose 0 dB in the mix, unrelated ones 3 dB, one silent channel 6 dB; a channel
#: in opposite phase cancels completely, and one at -0.5 of the other loses 12 dB.
CANCELLED_MIX_DB = 10.0

Source = Union[str, os.PathLike, bytes, bytearray, memoryview]


class AudioError(ValueError):
    """The input cannot be analysed; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class Audio:
    """A decoded recording: mono float32 samples at ``sr`` Hz, and what the file said about itself.

    ``announced_duration_s`` is the length the file's header states (a WAV file's data chunk
    size, or the container's stated duration), None when it states none; a file cut off early
    decodes to less. ``cut_off`` is True when the file stops before its own end marker (an OGG
    stream whose last page is missing or cut in two, :func:`ogg_complete`; a WebM file ending inside
    an element, :func:`matroska_complete`): OGG states no length, nor does a browser's WebM. ``clipped_fraction`` is the share of the file's
    own samples (every channel, before resampling) at full scale (:data:`FULL_SCALE`), None when
    the samples did not come from a file (then it is measured on ``y``). ``source_rate_hz`` is the
    file's own sample rate (None when the samples did not come from a file). ``channel`` is the
    one channel analysed (0 = left) when the channels cancel each other in the mono mix
    (:data:`CANCELLED_MIX_DB`), None when they were mixed.
    """

    y: np.ndarray
    sr: int = SR
    announced_duration_s: float | None = None
    clipped_fraction: float | None = None
    source_rate_hz: int | None = None
    cut_off: bool = False
    channel: int | None = None

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
    d = _decode(stream, label)
    check_audio(d.y, sr=SR, name=label)
    cut_off = False
    if d.format == "wav":
        announced = _wav_announced_s(head)
    elif d.format == "mp3" and not re.search(rb"Xing|Info|VBRI", head):
        announced = None  # FFmpeg only estimated it from the bit rate: not a promise the file can break
    elif d.format == "ogg":
        with (io.BytesIO(data) if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb")) as fh:
            cut_off = ogg_complete(fh) is False
        announced = None  # OGG states no length: FFmpeg's is the last page present
    else:
        announced = d.stated_s
        if d.format.startswith("matroska"):
            with (io.BytesIO(data) if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb")) as fh:
                cut_off = matroska_complete(fh) is False
    return Audio(y=d.y, sr=SR, announced_duration_s=announced, clipped_fraction=d.clipped,
                 source_rate_hz=d.rate_hz, cut_off=cut_off, channel=d.channel)


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


_OGG_PAGE_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, sequence, crc, segments
_OGG_EOS, _OGG_BOS = 0x04, 0x02


def ogg_complete(fh) -> bool | None:
    """Whether an OGG file ends as it was written (``fh``: a binary file object at its start).
    An encoder sets the end-of-stream flag on each stream's last page, so a file cut off (a copy
    or an upload that did not finish) lacks it, or ends inside a page. OGG states no total length
    anywhere (FFmpeg's duration is the last page present), so this is the only sign. None when
    the pages cannot be followed (not OGG, or damaged)."""
    begun, ended = set(), set()
    while True:
        header = fh.read(27)
        if not header:
            return bool(begun) and begun <= ended
        if len(header) < 27:
            return False
        capture, version, flags, _, serial, _, _, n_seg = _OGG_PAGE_HEADER.unpack(header)
        if capture != b"OggS" or version != 0:
            return None
        table = fh.read(n_seg)
        body = sum(table)
        if len(table) < n_seg or len(fh.read(body)) < body:
            return False
        if flags & _OGG_BOS:
            begun.add(serial)
        if flags & _OGG_EOS:
            ended.add(serial)


def matroska_complete(fh) -> bool | None:
    """Whether a WebM (Matroska) file ends as it was written (``fh``: a binary file object at its
    start): every element states its size in bytes, so a file cut off ends inside one. A browser's
    recorder leaves the sizes of the recording and of its clusters open (and states no duration);
    they are read into, and the blocks inside still state theirs. False when an element runs past
    the end of the file, True when the last one ends with it, None when the elements cannot be
    followed (not Matroska, or damaged). A cut that falls exactly between two blocks leaves no
    trace: then nothing is said."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    pos = 0
    while pos < size:
        fh.seek(pos)
        head = fh.read(12)
        id_len = _vint_length(head[0]) if head else 0
        if not id_len or id_len > 4:
            return None
        if len(head) < id_len + 1:
            return False
        n_len = _vint_length(head[id_len])
        if not n_len:
            return None
        if len(head) < id_len + n_len:
            return False
        raw = int.from_bytes(head[id_len:id_len + n_len], "big") & ((1 << (7 * n_len)) - 1)
        pos += id_len + n_len
        if raw != (1 << (7 * n_len)) - 1:  # a stated size (all ones: open, read into it)
            pos += raw
    return pos == size


def _vint_length(first: int) -> int:
    """The length in bytes of an EBML variable-length number from its first byte (0: invalid)."""
    for n in range(1, 9):
        if first & (0x80 >> (n - 1)):
            return n
    return 0


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


@dataclass(frozen=True)
class _Decoded:
    y: np.ndarray  # mono float32 at SR
    stated_s: float | None  # the duration the container states; None if it states none
    clipped: float  # share of the file's own samples at full scale
    format: str  # the container format's name (FFmpeg's)
    rate_hz: int | None  # the file's own sample rate
    channel: int | None  # the one channel decoded when the channels cancel in the mix


def _decode(stream, label: str) -> _Decoded:
    """Decode to mono 16 kHz, frame by frame, and stop as soon as the take is longer than
    ``MAX_DURATION_S``: a two-hour file is refused after reading its header (or its first 30
    minutes), before memory grows. When the channels cancel each other in the mix
    (:func:`cancelled_channel`), the file is decoded a second time, from its loudest channel."""
    import av

    try:
        with av.open(stream, mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise ValueError("no audio stream")
            stated_s = container.duration / av.time_base if container.duration else None
            if stated_s is not None and stated_s > MAX_DURATION_S + 1:
                raise _TooLong(stated_s)
            rate = container.streams.audio[0].rate or None
            y, clipped, power = _resampled(container, label)
            fmt = container.format.name
        channel = cancelled_channel(power)
        if channel is not None:
            log.info("%s: the channels cancel each other in the mix; analysing channel %d alone", label, channel)
            if hasattr(stream, "seek"):
                stream.seek(0)
            with av.open(stream, mode="r", metadata_errors="ignore") as container:
                y, _, _ = _resampled(container, label, channel=channel)
        return _Decoded(y, stated_s, clipped, fmt, rate, channel)
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


def cancelled_channel(power: np.ndarray | None, *, max_loss_db: float = CANCELLED_MIX_DB) -> int | None:
    """The channel to analyse alone when the mono mix cancels: ``power`` holds the energy of each
    channel and, last, of their mean (as from decoding). None when the mix keeps the sound (it
    is at most ``max_loss_db`` quieter than the loudest channel) or there is one channel."""
    if power is None or len(power) < 3:
        return None
    loud = int(np.argmax(power[:-1]))
    if power[loud] <= 0:
        return None
    loss_db = 10 * np.log10(power[loud] / max(float(power[-1]), power[loud] * 1e-24))
    return loud if loss_db > max_loss_db else None


def _resampled(container, label: str, *, channel: int | None = None) -> tuple[np.ndarray, float, np.ndarray | None]:
    """The first audio stream as mono float32 at SR (the channels mixed, or ``channel`` alone),
    the share of the file's own samples at full scale, and the energy of each channel and of
    their mix (None for one channel)."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SR)
    chunks, n = [], 0
    clipped, total = 0, 0
    power = None
    frames = container.decode(audio=0)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            frame = None
        except av.error.InvalidDataError:  # a damaged packet: skip it, keep the rest
            continue
        if frame is not None:
            x = _channels(frame)
            c, t = _clipped_samples(x)
            clipped, total = clipped + c, total + t
            if len(x) > 1:
                p = _channel_power(x)
                power = p if power is None or len(power) != len(p) else power + p
            if channel is not None:
                frame = _one_channel(frame, x, channel)
        for out in resampler.resample(frame):  # None flushes the resampler
            chunk = out.to_ndarray().reshape(-1)
            chunks.append(chunk)
            n += len(chunk)
        if n > MAX_DURATION_S * SR:
            raise _TooLong(None)
        if frame is None:
            break
    y = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return y.astype(np.float32) / 32768.0, clipped / max(total, 1), power


def _channels(frame) -> np.ndarray:
    """A decoded frame's samples, one row per channel, in the frame's own sample type."""
    x = frame.to_ndarray()
    k = len(frame.layout.channels)
    if frame.format.is_planar or k == 1:
        return x.reshape(k, -1)
    return x.reshape(-1, k).T


def _centred(x: np.ndarray) -> np.ndarray:
    """Samples as float64 around zero (8-bit WAV is unsigned around 128)."""
    if x.dtype.kind == "u":
        return x.astype(np.float64) - (np.iinfo(x.dtype).max + 1) // 2
    return x.astype(np.float64)


def _channel_power(x: np.ndarray) -> np.ndarray:
    """Sum of squares of each channel of ``x`` (channels, samples) and, last, of their mean."""
    v = _centred(x)
    return np.concatenate([np.einsum("ij,ij->i", v, v), [float(np.dot(m := v.mean(axis=0), m))]])


def _one_channel(frame, x: np.ndarray, channel: int):
    """A mono frame holding ``channel`` of ``frame`` alone, in its own sample type and rate."""
    import av

    fmt = frame.format.name
    mono = av.AudioFrame.from_ndarray(np.ascontiguousarray(x[channel][None, :]),
                                      format=fmt[:-1] if fmt.endswith("p") else fmt, layout="mono")
    mono.sample_rate = frame.sample_rate
    return mono


def _clipped_samples(x: np.ndarray) -> tuple[int, int]:
    """(samples at full scale, samples) in one decoded frame's samples, in its own format:
    integer samples within 0.1% of their type's limits, float samples at or beyond +-0.999."""
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
