"""Voice activity, energy and pitch on a 10 ms grid.

Speech regions come from the Silero VAD bundled in faster-whisper (small minimum silence, no
padding); a frame-energy detector gives a second opinion (:func:`energy_regions`), and
:func:`agreement` says how far the two agree. Pitch is Praat's autocorrelation method through
``praat-parselmouth``; energy is the RMS in dB of 25 ms frames (numpy only).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..types import Region
from .audio import SR

__all__ = [
    "HOP_S", "VadSettings", "PitchSettings", "Contours", "Speech", "find_speech", "speech_regions", "energy_regions",
    "agreement", "contours", "silences", "refine_regions", "noise_floor_db",
]

HOP_S = 0.01  # seconds between frames
_WIN_S = 0.025  # energy window, seconds
_ENERGY_BLOCK_FRAMES = 4096  # frames computed at once (bounds memory on long takes)
_PITCH_MARGIN_S = 0.1  # pitch is analysed this far beyond each speech span
SOUNDING_ABOVE_FLOOR_DB = 6.0  # a frame this far above the noise floor is sound ...
SOUNDING_MAX_BELOW_LOUD_DB = 45.0  # ... but the level is never more than this below the take's loud frames


@dataclass(frozen=True)
class VadSettings:
    """Where the speech is: Silero VAD tuned to find short pauses, and the frame-energy
    detector that widens its soft onsets (defaults documented in README)."""

    threshold: float = 0.5  # Silero's speech probability
    min_silence_ms: int = 100  # split speech at silences this long or longer
    min_speech_ms: int = 60  # drop speech blips shorter than this (clicks, breaths)
    energy_level: float = 0.25  # energy speech threshold: this far from the noise floor to loud speech
    energy_max_below_loud_db: float = 35.0  # ... but never more than this below loud speech (dB)
    max_onset_shift_s: float = 0.2  # how far the energy may widen a VAD region (s)


@dataclass(frozen=True)
class PitchSettings:
    """Praat's pitch search range (Hz): a low male voice to a high female voice, raised."""

    floor_hz: float = 70.0
    ceiling_hz: float = 450.0


@dataclass(frozen=True)
class Contours:
    """Frame-wise measurements; frame ``i`` is centred at ``i * hop_s`` seconds."""

    energy_db: np.ndarray = field(repr=False)  # dBFS, shape (n,)
    f0_hz: np.ndarray = field(repr=False)  # NaN where unvoiced, shape (n,)
    hop_s: float = HOP_S
    floor_db: float | None = None  # the background's energy (:func:`noise_floor_db`); None: not known

    @property
    def noise_floor_db(self) -> float:
        """The background's frame energy (dBFS): :attr:`floor_db`, or -120 dB when it is not
        known (no speech regions told speech and background apart)."""
        return -120.0 if self.floor_db is None else self.floor_db

    @property
    def sounding_level_db(self) -> float:
        """The frame energy (dBFS) above which a frame is sound rather than background: the
        noise floor plus ``SOUNDING_ABOVE_FLOOR_DB``, but never more than
        ``SOUNDING_MAX_BELOW_LOUD_DB`` below the take's loud frames (over digital silence the
        floor says nothing)."""
        loud = float(np.percentile(self.energy_db, 95)) if self.energy_db.size else 0.0
        return max(self.noise_floor_db + SOUNDING_ABOVE_FLOOR_DB, loud - SOUNDING_MAX_BELOW_LOUD_DB)

    def sounding(self, sl: slice) -> np.ndarray:
        """For each frame of ``sl``: is it sound (above :attr:`sounding_level_db`)? Voiced or
        not: Praat calls frames voiced relative to the loudest part of the take, so a soft or
        fading word loses its voicing exactly when it fades, while its energy is still there."""
        return self.energy_db[sl] >= self.sounding_level_db

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(len(self.energy_db)) * self.hop_s

    def frames(self, start_s: float, end_s: float) -> slice:
        """The frames whose centres fall in ``[start_s, end_s)``."""
        i0 = max(0, int(np.ceil(start_s / self.hop_s - 1e-9)))
        i1 = min(len(self.energy_db), int(np.ceil(end_s / self.hop_s - 1e-9)))
        return slice(i0, max(i0, i1))


def speech_regions(y: np.ndarray, *, sr: int = SR, settings: VadSettings | None = None) -> tuple[Region, ...]:
    """Speech regions found by Silero VAD, in seconds, with no padding."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    s = settings or VadSettings()
    opts = VadOptions(
        threshold=s.threshold,
        min_silence_duration_ms=s.min_silence_ms,
        min_speech_duration_ms=s.min_speech_ms,
        speech_pad_ms=0,
    )
    chunks = get_speech_timestamps(np.asarray(y, dtype=np.float32), opts, sampling_rate=sr)
    return tuple(Region(c["start"] / sr, c["end"] / sr) for c in chunks)


@dataclass(frozen=True)
class Speech:
    """Where the speech is in a take: one pass of voice activity shared by the transcription
    (which cuts utterances at its silences) and the delivery measures (pauses)."""

    regions: tuple[Region, ...]  # Silero VAD regions widened to the frame energy (seconds)
    energy_db: np.ndarray = field(repr=False)  # frame energy on the 10 ms grid (dBFS)
    vad_agreement: float  # share of frames on which the VAD and the frame energy agree


def find_speech(y: np.ndarray, *, sr: int = SR, settings: VadSettings | None = None,
                vad: Sequence[Region] | None = None) -> Speech:
    """Speech regions of a take: Silero VAD (:func:`speech_regions`), widened by at most
    0.2 s to the frame-energy regions on soft onsets (:func:`refine_regions`).

    Pass ``vad`` when Silero has already run over ``y`` (the live path runs it block by block,
    :class:`voicecoach.speech.live_vad.StreamingVad`, with the same regions as :func:`speech_regions`)."""
    s = settings or VadSettings()
    vad = speech_regions(y, sr=sr, settings=s) if vad is None else tuple(vad)
    energy = energy_db(y, sr=sr)
    by_energy = energy_regions(energy, level=s.energy_level, max_below_loud_db=s.energy_max_below_loud_db)
    agree = agreement(vad, by_energy, duration_s=len(y) / sr)
    return Speech(regions=refine_regions(vad, by_energy, max_shift_s=s.max_onset_shift_s), energy_db=energy,
                  vad_agreement=round(agree, 3))


def energy_db(y: np.ndarray, *, sr: int = SR) -> np.ndarray:
    """RMS energy in dBFS on the 10 ms grid (25 ms windows, centred, zero-padded at the edges;
    the same numbers as ``librosa.feature.rms(center=True)``), computed block by block so that
    memory stays small on long takes."""
    win, hop = int(round(_WIN_S * sr)), int(round(HOP_S * sr))
    y = np.pad(np.asarray(y, dtype=np.float32), win // 2)
    n = 1 + (len(y) - win) // hop
    out = np.empty(n)
    for i in range(0, n, _ENERGY_BLOCK_FRAMES):
        j = min(n, i + _ENERGY_BLOCK_FRAMES)
        frames = np.lib.stride_tricks.sliding_window_view(y[i * hop : (j - 1) * hop + win], win)[::hop]
        out[i:j] = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return 20.0 * np.log10(np.maximum(out, 1e-6))


def pitch_hz(y: np.ndarray, *, sr: int = SR, n_frames: int, floor_hz: float = 70.0,
             ceiling_hz: float = 450.0, spans: Sequence[Region] | None = None) -> np.ndarray:
    """f0 in Hz on the 10 ms grid (NaN when unvoiced), Praat autocorrelation.

    With ``spans`` (seconds), pitch is analysed only there, each span widened by
    ``_PITCH_MARGIN_S`` on both sides (the rest is NaN): on a take that is half silence this
    halves the work and keeps memory to one utterance at a time.
    """
    out = np.full(n_frames, np.nan)
    if spans is None:
        spans = (Region(0.0, len(y) / sr),)
    for r in spans:
        i0 = max(0, int((r.start_s - _PITCH_MARGIN_S) / HOP_S))
        i1 = min(n_frames, int(np.ceil((r.end_s + _PITCH_MARGIN_S) / HOP_S)) + 1)
        a = i0 * int(round(HOP_S * sr))
        piece = y[a : min(len(y), (i1 - 1) * int(round(HOP_S * sr)) + 1)]
        if i1 > i0:
            out[i0:i1] = _praat_pitch(piece, sr=sr, n_frames=i1 - i0, floor_hz=floor_hz, ceiling_hz=ceiling_hz)
    return out


def _praat_pitch(y: np.ndarray, *, sr: int, n_frames: int, floor_hz: float, ceiling_hz: float) -> np.ndarray:
    """Praat's pitch of ``y`` on the 10 ms grid starting at its first sample."""
    import parselmouth

    if len(y) < 3 * sr / floor_hz:  # shorter than Praat's analysis window: no pitch
        return np.full(n_frames, np.nan)
    snd = parselmouth.Sound(np.asarray(y, dtype=np.float64), sampling_frequency=sr)
    pitch = snd.to_pitch_ac(time_step=HOP_S, pitch_floor=floor_hz, pitch_ceiling=ceiling_hz)
    f0 = pitch.selected_array["frequency"].astype(np.float64)
    xs = pitch.xs()
    if xs.size == 0:
        return np.full(n_frames, np.nan)
    # Praat's frames sit between ours: interpolate, voiced only where both neighbours are
    grid = np.arange(n_frames) * HOP_S
    voiced = np.interp(grid, xs, (f0 > 0).astype(float), left=0.0, right=0.0)
    out = np.interp(grid, xs, f0)
    out[voiced < 0.999] = np.nan
    return out


def contours(y: np.ndarray, *, sr: int = SR, energy: np.ndarray | None = None,
             speech: Sequence[Region] | None = None, pitch: PitchSettings | None = None) -> Contours:
    """Energy (dBFS) and pitch (Hz) on the same 10 ms grid; pitch only over ``speech`` when
    given (see :func:`pitch_hz`). Pass ``energy`` when it is already computed."""
    e = energy_db(y, sr=sr) if energy is None else energy
    p = pitch or PitchSettings()
    return Contours(energy_db=e, f0_hz=pitch_hz(y, sr=sr, n_frames=len(e), spans=speech,
                                                floor_hz=p.floor_hz, ceiling_hz=p.ceiling_hz),
                    floor_db=None if speech is None else noise_floor_db(e, speech))


def noise_floor_db(energy: np.ndarray, regions: Sequence[Region], *, hop_s: float = HOP_S) -> float:
    """The background's frame energy (dBFS): the median frame outside the speech regions, or
    with fewer than 10 such frames (speech from end to end), the 5th percentile of all."""
    energy = np.asarray(energy, dtype=float)
    if energy.size == 0:
        return -120.0
    inside = np.zeros(len(energy), bool)
    for r in regions:
        inside[int(r.start_s / hop_s): int(np.ceil(r.end_s / hop_s))] = True
    outside = energy[~inside]
    return float(np.percentile(outside, 50) if len(outside) >= 10 else np.percentile(energy, 5))


def energy_regions(energy: np.ndarray, *, hop_s: float = HOP_S, min_silence_s: float = 0.1,
                   min_speech_s: float = 0.06, level: float = 0.25, max_below_loud_db: float = 35.0
                   ) -> tuple[Region, ...]:
    """Speech regions by frame energy: frames above a threshold ``level`` of the way from the
    noise floor (10th percentile) to the loud speech level (95th percentile), but never more than
    ``max_below_loud_db`` below loud speech; gaps shorter than ``min_silence_s`` closed."""
    if energy.size == 0:
        return ()
    floor, loud = np.percentile(energy, 10), np.percentile(energy, 95)
    thr = max(floor + level * (loud - floor), loud - max_below_loud_db)
    active = energy > thr
    regions = _runs(active, hop_s)
    merged: list[Region] = []
    for r in regions:
        if merged and r.start_s - merged[-1].end_s < min_silence_s:
            merged[-1] = Region(merged[-1].start_s, r.end_s)
        else:
            merged.append(r)
    return tuple(r for r in merged if r.duration_s >= min_speech_s)


def refine_regions(vad, energy, *, max_shift_s: float = 0.2) -> tuple[Region, ...]:
    """Widen each VAD speech region to the edges of the frame-energy regions that overlap it,
    by at most ``max_shift_s``: Silero starts late on soft onsets such as "sh" or "f", where
    the energy is already up. Silences only ever get shorter, never invented."""
    out: list[Region] = []
    for r in vad:
        start, end = r.start_s, r.end_s
        for e in energy:
            if e.end_s > r.start_s and e.start_s < r.end_s:
                if 0 < start - e.start_s <= max_shift_s:
                    start = e.start_s
                if 0 < e.end_s - end <= max_shift_s:
                    end = e.end_s
        if out and start <= out[-1].end_s:
            out[-1] = Region(out[-1].start_s, max(end, out[-1].end_s))
        else:
            out.append(Region(float(start), float(end)))
    return tuple(out)


def _runs(mask: np.ndarray, hop_s: float) -> list[Region]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [Region(a * hop_s, b * hop_s) for a, b in zip(edges[::2], edges[1::2])]


def _mask(regions, n: int, hop_s: float) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for r in regions:
        m[int(round(r.start_s / hop_s)) : int(round(r.end_s / hop_s))] = True
    return m


def agreement(a, b, *, duration_s: float, hop_s: float = HOP_S) -> float:
    """Share of 10 ms frames on which two sets of speech regions agree (speech vs silence)."""
    n = max(1, int(round(duration_s / hop_s)))
    return float(np.mean(_mask(a, n, hop_s) == _mask(b, n, hop_s)))


def silences(regions: Sequence[Region], *, min_s: float = 0.0) -> tuple[Region, ...]:
    """The gaps of at least ``min_s`` seconds between consecutive speech regions; the silence
    before the first and after the last speech is not a gap. Pauses are these gaps."""
    return tuple(Region(a.end_s, b.start_s) for a, b in zip(regions, regions[1:]) if b.start_s - a.end_s >= min_s)
