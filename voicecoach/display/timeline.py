"""Loudness and pitch over a take, with its moments marked: what the studio's chart and the
exported report draw. Built from the take's audio and its stored analysis (the JSON contract), so
any saved take can be drawn again.

Loudness is in dBFS (0 is the loudest a recording can be); pitch is in semitones above or below
the speaker's median pitch over the take (0 is their usual pitch), without Praat's octave errors
(:func:`without_octave_jumps`). Sentence ends are drawn where the voice ends
(:func:`sentence_ends`), as the wait after the request is measured.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import Sequence

import numpy as np

from ..speech import prosody
from ..speech.audio import SR
from ..speech.delivery import OCTAVE_JUMP_ST, Sentence, pause_after
from ..types import Region, Word

__all__ = ["Moment", "Timeline", "timeline", "moments", "sentence_ends", "without_octave_jumps", "STEP_S",
           "MOMENT_NAMES", "MOMENT_COLOURS", "MOMENT_COLOUR_NAMES", "LOUDNESS_COLOUR", "PITCH_COLOUR", "wait_short"]

STEP_S = 0.05  # seconds between the points drawn (the analysis measures every 10 ms)
FLOOR_DB = -70.0  # loudness drawn no lower than this (dBFS): silence reads as the floor
OCTAVE_NEIGHBOURS = 25  # a pitch frame is judged against the median of this many voiced frames (10 ms) on each side

#: How every chart of a take (the studio's and the exported report's) names and colours its
#: marked moments and its two lines: one mapping, so the page and the file look the same.
MOMENT_NAMES = {"sentence_end": "sentence end", "pause": "pause", "wait": "wait after the request"}
MOMENT_COLOURS = {"sentence_end": "#7a7a7a", "pause": "#9ecae1", "wait": "#31a354"}
MOMENT_COLOUR_NAMES = {"sentence_end": "grey", "pause": "light blue", "wait": "green"}
LOUDNESS_COLOUR, PITCH_COLOUR = "#3b6fb6", "#e6550d"  # blue, orange


@dataclass(frozen=True)
class Moment:
    """A marked time span: a sentence end, a pause, the wait after the request."""

    kind: str  # sentence_end | pause | wait
    start_s: float
    end_s: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """Points every ``STEP_S`` seconds and the take's marked moments."""

    times_s: tuple[float, ...]
    loudness_db: tuple[float, ...]  # dBFS, floored at FLOOR_DB
    pitch_st: tuple[float | None, ...]  # semitones from the speaker's median; None where unvoiced
    moments: tuple[Moment, ...]

    def rows(self) -> list[dict]:
        """One dict per point (for a chart's data table)."""
        return [{"time_s": t, "loudness_db": l, "pitch_st": p}
                for t, l, p in zip(self.times_s, self.loudness_db, self.pitch_st)]


def timeline(y: np.ndarray, analysis: dict, *, sr: int = SR, step_s: float = STEP_S) -> Timeline:
    """The loudness and pitch of ``y`` (mono float32 at ``sr``) every ``step_s`` seconds, and the
    moments of ``analysis`` (a :meth:`voicecoach.result.TakeResult.to_dict`).

    The speech regions are the analysis's own (its ``speech`` key) when it stores them, else the
    same voice-activity pass run again (:func:`voicecoach.speech.prosody.find_speech`); pitch is
    searched over them, as the analysis does."""
    speech = _speech(y, analysis, sr=sr)
    c = prosody.contours(y, sr=sr, speech=speech or None)
    f0 = without_octave_jumps(c.f0_hz)
    k = max(1, int(round(step_s / c.hop_s)))
    n = len(c.energy_db) // k
    loud = c.energy_db[: n * k].reshape(n, k).max(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN steps are unvoiced
        f0 = np.nanmedian(f0[: n * k].reshape(n, k), axis=1) if n else np.zeros(0)
        voiced = f0[np.isfinite(f0)]
        ref = float(np.median(voiced)) if len(voiced) else None
        st = 12 * np.log2(f0 / ref) if ref else np.full(n, np.nan)
    times = (np.arange(n) * k + (k - 1) / 2) * c.hop_s
    return Timeline(
        times_s=tuple(round(float(t), 3) for t in times),
        loudness_db=tuple(round(float(max(v, FLOOR_DB)), 1) for v in loud),
        pitch_st=tuple(None if not np.isfinite(v) else round(float(v), 2) for v in st),
        moments=moments(analysis, speech=speech, duration_s=len(y) / sr))


def without_octave_jumps(f0_hz: np.ndarray, *, neighbours: int = OCTAVE_NEIGHBOURS,
                         max_jump_st: float = OCTAVE_JUMP_ST) -> np.ndarray:
    """``f0_hz`` (Hz, NaN where unvoiced) with Praat's octave errors made unvoiced: the frames
    more than ``max_jump_st`` semitones (``delivery.OCTAVE_JUMP_ST``, as the end pitch leaves
    them out) from the median of the ``neighbours`` voiced frames on each side. A sentence end
    where Praat doubles or halves the pitch then reads as the voice moved, not +25 semitones."""
    f0 = np.asarray(f0_hz, dtype=float)
    idx = np.flatnonzero(np.isfinite(f0) & (f0 > 0))
    if len(idx) < 3:
        return f0.copy()
    st = 12.0 * np.log2(f0[idx])
    padded = np.pad(st, neighbours, mode="reflect" if len(st) > neighbours else "edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * neighbours + 1)
    out = f0.copy()
    out[idx[np.abs(st - np.median(windows, axis=1)) > max_jump_st]] = np.nan
    return out


def moments(analysis: dict, *, speech: Sequence[Region] = (), duration_s: float | None = None) -> tuple[Moment, ...]:
    """Sentence ends (where the voice ends, :func:`sentence_ends`, given the take's ``speech``
    regions; else at the last word's end), pauses between sentences and the wait after the
    request, in time order."""
    ends = sentence_ends(analysis, speech=speech, duration_s=duration_s) if speech else \
        [s["end"] for s in analysis.get("sentences", [])]
    out = [Moment("sentence_end", e, e, f"end of sentence {i + 1}") for i, e in enumerate(ends)]
    out += [Moment("pause", p["start"], p["end"], f"pause {p['duration_s']:.1f} s")
            for p in analysis.get("pauses", [])]
    r = analysis.get("request")
    if r is not None and r.get("speech_end") is not None:
        end = r["speech_end"] + r["pause_after_s"]
        label = f"wait after the request {r['pause_after_s']:.1f} s" + (
            " (still waiting when the recording stopped)" if r.get("still_waiting") else "")
        out.append(Moment("wait", r["speech_end"], end, label))
    return tuple(sorted(out, key=lambda m: (m.start_s, m.end_s)))


def sentence_ends(analysis: dict, *, speech: Sequence[Region], duration_s: float | None = None) -> list[float]:
    """Where the voice ends after each sentence of ``analysis``: the end of the speech region its
    last word ends in, as the request's speech end is defined (:func:`voicecoach.speech.delivery.pause_after`);
    the last word's end when the next sentence follows in the same breath. Whisper's word times
    end up to 0.2 s before the voice stops, so a line at the word's end is drawn too early."""
    words = [Word(w["text"], float(w["start"]), float(w["end"])) for w in analysis.get("words", [])]
    blank = {f.name: None for f in fields(Sentence)}
    total = duration_s if duration_s is not None else analysis.get("duration_s", 0.0)
    ends = []
    for i, s in enumerate(analysis.get("sentences", [])):
        last = max((j for j, w in enumerate(words) if w.end_s <= s["end"] + 1e-6), default=None)
        if last is None:
            ends.append(s["end"])
            continue
        sentence = Sentence(**{**blank, "index": i, "text": s["text"], "first_word": last, "last_word": last,
                               "start_s": s["start"], "end_s": s["end"], "n_words": 0})
        ends.append(pause_after(sentence, words=words, regions=speech, duration_s=total).speech_end_s)
    return ends


def wait_short(m: Moment) -> str:
    """The wait's length as drawn inside its shaded band: "0.8 s" (the full label is in the
    legend and the tooltip)."""
    return f"{m.end_s - m.start_s:.1f} s"


def _speech(y: np.ndarray, analysis: dict, *, sr: int) -> tuple[Region, ...]:
    """The take's speech regions: stored with the analysis, or found again by the same pass."""
    stored = analysis.get("speech")
    if stored is not None:
        return tuple(Region(float(r["start"]), float(r["end"])) for r in stored)
    return prosody.find_speech(y, sr=sr).regions
