"""Delivery: sentences, pace, pauses, the pause after the request, sentence-end strength and
intonation. Pure functions over words, speech regions and contours (see DESIGN.md for the
definitions, which are kept stable)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .prosody import Contours
from .types import Region, Word

__all__ = [
    "DeliverySettings", "Sentence", "Pause", "RequestPause", "Delivery",
    "split_sentences", "measure_delivery", "pause_after", "count_words", "snap_words",
]

_END_PUNCT = re.compile(r"[.?!]+[\"')\]]*$")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")
_MAX_EXTEND_S = 0.5  # how far a word edge may move to meet the edge of its speech region


@dataclass(frozen=True)
class DeliverySettings:
    """Measurement settings (not coaching thresholds: those live in ``coach.CoachSettings``)."""

    min_pause_s: float = 0.25  # a silence this long between speech regions is a pause
    sentence_gap_s: float = 1.0  # a silence this long also ends a sentence without punctuation
    min_voiced_frames: int = 4  # fewer voiced 10 ms frames than this: no end measurement
    loud_percentile: float = 90.0  # a span's loudness: this percentile of its frame energy (dB)


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    first_word: int  # index into the take's words
    last_word: int  # inclusive
    start_s: float
    end_s: float
    n_words: int
    wpm: float | None  # None for a sentence too short to time (< 0.2 s)
    end_drop_db: float | None  # loudness of the body minus the final word(s); + = quieter at the end
    end_pitch_st: float | None  # pitch movement over the final word; + = rising
    end_voiced_fraction: float | None  # share of the final word's frames that are voiced


@dataclass(frozen=True)
class Pause:
    start_s: float
    end_s: float
    after_sentence: int | None  # the sentence the pause follows or falls within
    at_sentence_end: bool

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class RequestPause:
    sentence_index: int
    speech_end_s: float  # where the request's speech ends (VAD)
    pause_after_s: float  # silence after it, up to the next speech or the end of the recording
    still_waiting: bool  # the recording ended before any more speech


@dataclass(frozen=True)
class Delivery:
    sentences: tuple[Sentence, ...]
    pauses: tuple[Pause, ...]
    n_words: int
    wpm: float | None
    articulation_wpm: float | None
    speaking_time_s: float  # first word start to last word end
    pitch_range_st: float | None  # 5th to 95th percentile of voiced pitch over the take
    lead_silence_s: float  # silence before the first speech


def count_words(words: Sequence[Word]) -> int:
    return sum(1 for w in words if _HAS_WORD.search(w.text))


def snap_words(words: Sequence[Word], regions: Sequence[Region]) -> list[Word]:
    """Clip each word's times to the speech regions it overlaps.

    Whisper often stretches a word over the silence that follows it (or starts the first word
    at 0); the VAD knows where the sound is. A word that overlaps no speech region at all is
    dropped: Whisper invents words in long silences ("Thank you.") and they would otherwise
    count as speech after the request.
    """
    out = []
    for w in words:
        hits = [r for r in regions if r.end_s > w.start_s and r.start_s < w.end_s]
        if not hits:
            if regions:
                continue
            out.append(w)
            continue
        start, end = max(w.start_s, hits[0].start_s), min(w.end_s, hits[-1].end_s)
        if end - start < 0.02:
            out.append(w)
            continue
        out.append(Word(w.text, round(start, 3), round(end, 3), w.probability))
    # The first word after a silence starts where the sound starts, and the last word before
    # one ends where it ends (Whisper is often late on the first and early on the last).
    for r in regions:
        inside = [i for i, w in enumerate(out) if r.start_s <= (w.start_s + w.end_s) / 2 <= r.end_s]
        if not inside:
            continue
        i, j = inside[0], inside[-1]
        if 0 < out[i].start_s - r.start_s <= _MAX_EXTEND_S:
            out[i] = Word(out[i].text, round(r.start_s, 3), out[i].end_s, out[i].probability)
        if 0 < r.end_s - out[j].end_s <= _MAX_EXTEND_S:
            out[j] = Word(out[j].text, out[j].start_s, round(r.end_s, 3), out[j].probability)
    return out


def _boundary(words: Sequence[Word], t: float) -> int:
    """How many words lie (by their centre) before time ``t``."""
    return sum(1 for w in words if (w.start_s + w.end_s) / 2 < t)


def split_sentences(words: Sequence[Word], *, silences: Sequence[Region] = (), settings: DeliverySettings | None = None) -> list[tuple[int, int]]:
    """Word-index spans ``(first, last)`` of sentences: Whisper's end punctuation, plus any
    silence of ``sentence_gap_s`` or more (speakers often drop the full stop)."""
    s = settings or DeliverySettings()
    n = len(words)
    cuts = {i + 1 for i, w in enumerate(words) if _END_PUNCT.search(w.text)}
    cuts |= {_boundary(words, (g.start_s + g.end_s) / 2) for g in silences if g.duration_s >= s.sentence_gap_s}
    cuts = sorted(c for c in cuts if 0 < c < n) + [n]
    spans, first = [], 0
    for c in cuts:
        if c > first:
            spans.append((first, c - 1))
            first = c
    return spans


def _wpm(n_words: int, duration_s: float) -> float | None:
    return round(n_words / duration_s * 60.0, 1) if duration_s >= 0.2 and n_words else None


def _final_span(words: Sequence[Word], first: int, last: int, c: Contours, min_frames: int) -> int:
    """Index of the first word of the sentence's 'final word(s)': the last word, extended
    backwards while it has too few voiced frames to measure."""
    k = last
    while k > first:
        sl = c.frames(words[k].start_s, words[last].end_s)
        if np.count_nonzero(~np.isnan(c.f0_hz[sl])) >= min_frames:
            break
        k -= 1
    return k


def _end_measures(words, first, last, c: Contours, s: DeliverySettings):
    if last - first < 1:
        return None, None, None
    k = _final_span(words, first, last, c, s.min_voiced_frames)
    if k == first:
        return None, None, None
    body = c.frames(words[first].start_s, words[k].start_s)
    tail = c.frames(words[k].start_s, words[last].end_s)
    body_v = ~np.isnan(c.f0_hz[body])
    tail_f0 = c.f0_hz[tail]
    tail_v = ~np.isnan(tail_f0)
    n_tail = tail.stop - tail.start
    voiced_fraction = round(float(np.mean(tail_v)), 2) if n_tail else None
    if np.count_nonzero(body_v) < s.min_voiced_frames or np.count_nonzero(tail_v) < s.min_voiced_frames:
        return None, None, voiced_fraction
    # Loudness of a span = a high percentile of its frame energy (the vowel nuclei). Not the
    # median of voiced frames: Praat calls frames voiced relative to the loudest part of the
    # recording, so a quiet final word loses its quieter voiced frames and its median is
    # biased upwards, hiding part of the drop.
    drop = float(np.percentile(c.energy_db[body], s.loud_percentile) - np.percentile(c.energy_db[tail], s.loud_percentile))
    # pitch movement over the final word: a robust line through its voiced frames, in semitones
    t = (np.arange(tail.start, tail.stop) * c.hop_s)[tail_v]
    st = 12.0 * np.log2(tail_f0[tail_v] / 100.0)
    keep = np.abs(st - np.median(st)) < 7.0  # drop octave jumps
    movement = None
    if np.count_nonzero(keep) >= s.min_voiced_frames and np.ptp(t[keep]) > 0:
        slope = np.polyfit(t[keep], st[keep], 1)[0]
        movement = round(float(slope * np.ptp(t[keep])), 1)
    return round(drop, 1), movement, voiced_fraction


def measure_delivery(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: Contours,
    duration_s: float,
    settings: DeliverySettings | None = None,
) -> Delivery:
    """Measure pace, pauses and sentence ends of one take.

    Parameters
    ----------
    words : Whisper's words with times (seconds).
    regions : speech regions from the VAD (seconds).
    contours : energy and pitch on the 10 ms grid.
    duration_s : length of the recording.
    """
    s = settings or DeliverySettings()
    words = list(words)
    gaps = _silences(regions, s.min_pause_s)
    spans = split_sentences(words, silences=gaps, settings=s)
    sentences = []
    for i, (a, b) in enumerate(spans):
        seg = words[a : b + 1]
        n = count_words(seg)
        drop, pitch, voiced = _end_measures(words, a, b, contours, s)
        sentences.append(Sentence(
            index=i, text=" ".join(w.text for w in seg), first_word=a, last_word=b,
            start_s=seg[0].start_s, end_s=seg[-1].end_s, n_words=n,
            wpm=_wpm(n, seg[-1].end_s - seg[0].start_s),
            end_drop_db=drop, end_pitch_st=pitch, end_voiced_fraction=voiced,
        ))
    ends = {b for _, b in spans}
    pauses = []
    for g in gaps:
        k = _boundary(words, (g.start_s + g.end_s) / 2)  # words before the pause
        if k == 0 or k == len(words):
            continue  # silence before the first or after the last word is not a pause
        sent = next(i for i, (a, b) in enumerate(spans) if a <= k - 1 <= b)
        pauses.append(Pause(g.start_s, g.end_s, after_sentence=sent, at_sentence_end=(k - 1) in ends))
    n_words = count_words(words)
    if words:
        span_s = words[-1].end_s - words[0].start_s
        paused_s = sum(p.duration_s for p in pauses)
        wpm, art = _wpm(n_words, span_s), _wpm(n_words, span_s - paused_s)
    else:
        span_s, wpm, art = 0.0, None, None
    voiced = contours.f0_hz[~np.isnan(contours.f0_hz)]
    prange = None
    if voiced.size >= 20:
        lo, hi = np.percentile(voiced, [5, 95])
        prange = round(float(12.0 * np.log2(hi / lo)), 1)
    return Delivery(
        sentences=tuple(sentences), pauses=tuple(pauses), n_words=n_words, wpm=wpm,
        articulation_wpm=art, speaking_time_s=round(span_s, 3), pitch_range_st=prange,
        lead_silence_s=round(regions[0].start_s, 3) if regions else 0.0,
    )


def _silences(regions: Sequence[Region], min_s: float) -> list[Region]:
    return [Region(a.end_s, b.start_s) for a, b in zip(regions, regions[1:]) if b.start_s - a.end_s >= min_s]


def pause_after(
    sentence: Sentence,
    *,
    words: Sequence[Word],
    regions: Sequence[Region],
    duration_s: float,
) -> RequestPause:
    """The silence after ``sentence``: from the end of its speech (the VAD region its last word
    falls in) to the next speech, or to the end of the recording (``still_waiting``)."""
    e = sentence.end_s
    starts = [r for r in regions if r.start_s <= e + 0.1]
    if not starts:  # the VAD heard nothing before the words end: trust Whisper
        speech_end = e
    else:
        speech_end = starts[-1].end_s
        nxt = words[sentence.last_word + 1].start_s if sentence.last_word + 1 < len(words) else None
        if nxt is not None and nxt < speech_end - 0.05:
            # the speaker went on talking in the same breath: no pause at all
            return RequestPause(sentence.index, round(e, 3), 0.0, still_waiting=False)
    later = [r for r in regions if r.start_s >= speech_end + 1e-6]
    if later:
        return RequestPause(sentence.index, round(speech_end, 3), round(later[0].start_s - speech_end, 3), False)
    return RequestPause(sentence.index, round(speech_end, 3), round(max(0.0, duration_s - speech_end), 3), True)
