"""Loudness and pitch over a take, with its moments marked: what the studio's chart and the
exported report draw. Built from the take's audio and its stored analysis (the JSON contract), so
any saved take can be drawn again.

Loudness is in dBFS (0 is the loudest a recording can be); pitch is in semitones above or below
the speaker's median pitch over the take (0 is their usual pitch).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from . import prosody
from .types import Region
from .audio import SR

__all__ = ["Moment", "Timeline", "timeline", "STEP_S", "MOMENT_NAMES", "MOMENT_COLOURS", "MOMENT_COLOUR_NAMES",
           "LOUDNESS_COLOUR", "PITCH_COLOUR", "wait_short"]

STEP_S = 0.05  # seconds between the points drawn (the analysis measures every 10 ms)
FLOOR_DB = -70.0  # loudness drawn no lower than this (dBFS): silence reads as the floor

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
    moments of ``analysis`` (a :meth:`voicecoach.result.TakeResult.to_dict`)."""
    speech = [Region(float(s), float(e)) for s, e in _speech_spans(analysis)]
    c = prosody.contours(y, sr=sr, speech=speech or None)
    k = max(1, int(round(step_s / c.hop_s)))
    n = len(c.energy_db) // k
    loud = c.energy_db[: n * k].reshape(n, k).max(axis=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN steps are unvoiced
        f0 = np.nanmedian(c.f0_hz[: n * k].reshape(n, k), axis=1) if n else np.zeros(0)
        voiced = f0[np.isfinite(f0)]
        ref = float(np.median(voiced)) if len(voiced) else None
        st = 12 * np.log2(f0 / ref) if ref else np.full(n, np.nan)
    times = (np.arange(n) * k + (k - 1) / 2) * c.hop_s
    return Timeline(
        times_s=tuple(round(float(t), 3) for t in times),
        loudness_db=tuple(round(float(max(v, FLOOR_DB)), 1) for v in loud),
        pitch_st=tuple(None if not np.isfinite(v) else round(float(v), 2) for v in st),
        moments=moments(analysis))


def moments(analysis: dict) -> tuple[Moment, ...]:
    """Sentence ends, pauses between sentences and the wait after the request, in time order."""
    out = [Moment("sentence_end", s["end"], s["end"], f"end of sentence {i + 1}")
           for i, s in enumerate(analysis.get("sentences", []))]
    out += [Moment("pause", p["start"], p["end"], f"pause {p['duration_s']:.1f} s")
            for p in analysis.get("pauses", [])]
    r = analysis.get("request")
    if r is not None and r.get("speech_end") is not None:
        end = r["speech_end"] + r["pause_after_s"]
        label = f"wait after the request {r['pause_after_s']:.1f} s" + (
            " (still waiting when the recording stopped)" if r.get("still_waiting") else "")
        out.append(Moment("wait", r["speech_end"], end, label))
    return tuple(sorted(out, key=lambda m: (m.start_s, m.end_s)))


def wait_short(m: Moment) -> str:
    """The wait's length as drawn inside its shaded band: "0.8 s" (the full label is in the
    legend and the tooltip)."""
    return f"{m.end_s - m.start_s:.1f} s"


def _speech_spans(analysis: dict):
    """Speech spans for the pitch search: between pauses, from the words' extent."""
    words = analysis.get("words", [])
    if not words:
        return []
    start, end = words[0]["start"], words[-1]["end"]
    spans, t = [], start
    for p in sorted(analysis.get("pauses", []), key=lambda p: p["start"]):
        if start <= p["start"] <= end:
            spans.append((t, p["start"]))
            t = p["end"]
    spans.append((t, end))
    return [(a, b) for a, b in spans if b > a]
