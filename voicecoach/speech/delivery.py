"""Delivery: sentences, pace, pauses, the pause after the request, sentence-end strength and
intonation. Pure functions over words (placed on the voice first: :mod:`voicecoach.speech.placement`),
speech regions and contours (see DESIGN.md for the definitions, which are kept stable)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .prosody import Contours, silences
from ..types import ABBREVIATIONS, Region, Word

__all__ = [
    "DeliverySettings", "Sentence", "Pause", "RequestPause", "Pace", "Delivery",
    "split_sentences", "measure_delivery", "measure_pace", "pitch_range_st", "pause_after",
    "count_words", "end_drop_db", "end_pitch_st",
]

_END_PUNCT = re.compile(r"[.?!]+[\"')\]]*$")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")
PITCH_RANGE_PERCENTILES = (5, 95)  # the take's pitch range runs between these percentiles
MIN_PITCH_FRAMES = 20  # voiced 10 ms frames needed for a pitch range
WORD_END_TOLERANCE_S = 0.1  # a speech region starting this soon after a word's end still holds it
SAME_BREATH_S = 0.05  # the next word starting this far inside the request's speech: carried on
SEMITONE_REF_HZ = 100.0  # pitch in semitones is measured from this frequency (any would do)
PAUSE_IN_PACE_MAX_S = 1.0  # a pause counts towards the speaking pace up to this long (s); beyond, it is listening
OCTAVE_JUMP_ST = 7.0  # a frame this far from the word's median pitch is an octave error


@dataclass(frozen=True)
class DeliverySettings:
    """Measurement settings (not coaching thresholds: those live in ``coach.CoachSettings``)."""

    min_pause_s: float = 0.25  # a silence this long between speech regions is a pause
    sentence_gap_s: float = 1.0  # a silence this long also ends a sentence without punctuation
    min_voiced_frames: int = 4  # fewer voiced 10 ms frames than this: no end measurement
    loud_percentile: float = 90.0  # a span's loudness: this percentile of its frame energy (dB)
    min_body_s: float = 1.0  # the body an end is compared with reaches at least this far back (s)


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

    @property
    def is_complete(self) -> bool:
        """True when the sentence closes with its own end punctuation; False for a fragment cut
        off by a long pause in mid-sentence ("ask not —", which Whisper writes without a stop or
        with a trailing "..."), whose end may rise because the sentence goes on."""
        words = self.text.split()
        return bool(words) and _ends_sentence(words[-1]) and not words[-1].rstrip("\"')]").endswith(("..", "…"))


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
    speech_end_s: float  # where the request's speech ends (voice activity)
    pause_after_s: float  # silence after it, up to the next speech or the end of the recording
    still_waiting: bool  # the recording ended before any more speech
    carried_on: bool = False  # the speaker went straight on in the same breath (no pause at all)


@dataclass(frozen=True)
class Pace:
    """Words per minute, three ways (see :func:`measure_pace`)."""

    wpm: float | None  # words / (last word end - first word start)
    articulation_wpm: float | None  # the same span without its pauses (>= min_pause_s)
    speaking_wpm: float | None  # words / time speaking, each pause counted up to 1 s: what the pace tips judge
    speaking_time_s: float  # first word start to last word end


@dataclass(frozen=True)
class Delivery:
    sentences: tuple[Sentence, ...]
    pauses: tuple[Pause, ...]
    pace: Pace
    pitch_range_st: float | None  # see :func:`pitch_range_st`
    lead_silence_s: float  # silence before the first speech


def count_words(words: Sequence[Word]) -> int:
    """The word count every measure uses: words with a letter or digit (not lone punctuation)."""
    return sum(1 for w in words if _HAS_WORD.search(w.text))


def _boundary(words: Sequence[Word], t: float) -> int:
    """How many words lie (by their centre) before time ``t``."""
    return sum(1 for w in words if (w.start_s + w.end_s) / 2 < t)


def _ends_sentence(text: str) -> bool:
    """True when a word closes its sentence: it ends with . ? or ! and is not an abbreviation
    ("Mr.", "Mrs.", "Dr.", "e.g.") or an initial ("J.")."""
    if not _END_PUNCT.search(text):
        return False
    bare = text.rstrip("\"')]").lower()
    return not (bare in ABBREVIATIONS or re.fullmatch(r"[a-z]\.", bare))


def split_sentences(words: Sequence[Word], *, silences: Sequence[Region] = (), settings: DeliverySettings | None = None) -> list[tuple[int, int]]:
    """Word-index spans ``(first, last)`` of sentences: Whisper's end punctuation, plus any
    silence of ``sentence_gap_s`` or more (speakers often drop the full stop)."""
    s = settings or DeliverySettings()
    n = len(words)
    cuts = {i + 1 for i, w in enumerate(words) if _ends_sentence(w.text)}
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


def _final_span(words: Sequence[Word], first: int, last: int, counts) -> int:
    """Index of the first word of the sentence's 'final word(s)': the last word, extended
    backwards while ``counts(start_s, end_s)`` finds too little of it to measure."""
    k = last
    while k > first and not counts(words[k].start_s, words[last].end_s):
        k -= 1
    return k


def _end_measures(words, first, last, c: Contours, s: DeliverySettings):
    """``(end_drop_db, end_pitch_st, end_voiced_fraction)`` of the sentence ``words[first..last]``.

    The final word(s) are the last word, extended back while it has too few frames to measure:
    for the drop, frames of sound (:meth:`Contours.sounding`, voiced or not: a fading word
    loses its voicing exactly when it fades, so voicing alone would measure the word before
    it); for the pitch, voiced frames. The body is the rest of the sentence, reaching back to
    at least ``s.min_body_s`` before the final word (a two-word sentence such as "She cried."
    borrows the speech just before it).
    """
    if last - first < 1:
        return None, None, None
    n = s.min_voiced_frames
    voiced = lambda a, b: np.count_nonzero(~np.isnan(c.f0_hz[c.frames(a, b)])) >= n  # noqa: E731
    sound = lambda a, b: np.count_nonzero(c.sounding(c.frames(a, b))) >= n  # noqa: E731
    k_drop, k_pitch = _final_span(words, first, last, sound), _final_span(words, first, last, voiced)
    tail_p = c.frames(words[k_pitch].start_s, words[last].end_s)
    tail_v = ~np.isnan(c.f0_hz[tail_p])
    voiced_fraction = round(float(np.mean(tail_v)), 2) if tail_p.stop > tail_p.start else None
    drop = pitch = None
    if k_drop > first:
        start = words[k_drop].start_s
        body = c.frames(min(words[first].start_s, start - s.min_body_s), start)
        if voiced(body.start * c.hop_s, body.stop * c.hop_s) and sound(start, words[last].end_s):
            drop = end_drop_db(c, body=body, tail=c.frames(start, words[last].end_s), percentile=s.loud_percentile)
    if k_pitch > first and np.count_nonzero(tail_v) >= n:
        body = c.frames(min(words[first].start_s, words[k_pitch].start_s - s.min_body_s), words[k_pitch].start_s)
        if np.count_nonzero(~np.isnan(c.f0_hz[body])) >= n:
            pitch = end_pitch_st(c, tail=tail_p, min_frames=n)
    return drop, pitch, voiced_fraction


def end_drop_db(c: Contours, *, body: slice, tail: slice, percentile: float) -> float:
    """Sentence-end strength: how much quieter the final word(s) are than the body, in dB
    (positive = quieter at the end).

    Loudness of a span = the ``percentile`` (90th) of its frame energy in dBFS: the vowel
    nuclei. Not the median of voiced frames: Praat calls frames voiced relative to the loudest
    part of the recording, so a quiet final word loses its quieter voiced frames and its median
    is biased upwards, hiding part of the drop.
    """
    loud = lambda sl: np.percentile(c.energy_db[sl], percentile)  # noqa: E731
    return round(float(loud(body) - loud(tail)), 1)


def end_pitch_st(c: Contours, *, tail: slice, min_frames: int) -> float | None:
    """Pitch movement over the final word(s), in semitones (positive = rising): a line fitted
    through its voiced frames, times its length. Frames more than ``OCTAVE_JUMP_ST`` from the
    word's median pitch are Praat's octave errors and are left out. None with fewer than
    ``min_frames`` voiced frames."""
    f0 = c.f0_hz[tail]
    voiced = ~np.isnan(f0)
    t = (np.arange(tail.start, tail.stop) * c.hop_s)[voiced]
    st = 12.0 * np.log2(f0[voiced] / SEMITONE_REF_HZ)
    keep = np.abs(st - np.median(st)) < OCTAVE_JUMP_ST
    if np.count_nonzero(keep) < min_frames or np.ptp(t[keep]) <= 0:
        return None
    slope = np.polyfit(t[keep], st[keep], 1)[0]
    return round(float(slope * np.ptp(t[keep])), 1)


def measure_delivery(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: Contours,
    duration_s: float,
    settings: DeliverySettings | None = None,
) -> Delivery:
    """Measure sentences, pauses, pace and sentence ends of one take.

    Parameters
    ----------
    words : Whisper's words with times (seconds), placed by :func:`snap_words`.
    regions : speech regions from the voice activity (seconds).
    contours : energy and pitch on the 10 ms grid.
    duration_s : length of the recording.
    """
    s = settings or DeliverySettings()
    words = list(words)
    gaps = silences(regions, min_s=s.min_pause_s)  # pauses are the silences between speech
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
    pauses = _pauses(gaps, words, spans)
    return Delivery(
        sentences=tuple(sentences), pauses=pauses,
        pace=measure_pace(words, sentences=sentences, pauses=pauses),
        pitch_range_st=pitch_range_st(contours),
        lead_silence_s=round(regions[0].start_s, 3) if regions else 0.0,
    )


def _pauses(gaps, words: Sequence[Word], spans) -> tuple[Pause, ...]:
    """Each gap between words, with the sentence it follows (or falls within)."""
    ends = {b for _, b in spans}
    out = []
    for g in gaps:
        k = _boundary(words, (g.start_s + g.end_s) / 2)  # words before the pause
        if k == 0 or k == len(words):
            continue  # silence before the first or after the last word is not a pause
        sent = next(i for i, (a, b) in enumerate(spans) if a <= k - 1 <= b)
        out.append(Pause(g.start_s, g.end_s, after_sentence=sent, at_sentence_end=(k - 1) in ends))
    return tuple(out)


def measure_pace(words: Sequence[Word], *, sentences: Sequence[Sentence], pauses: Sequence[Pause]) -> Pace:
    """Words per minute over the take (DESIGN.md):

    - ``wpm``: words / (last word end - first word start) x 60;
    - ``articulation_wpm``: the same, without the pauses;
    - ``speaking_wpm``: the same, with each pause counted up to ``PAUSE_IN_PACE_MAX_S`` (1 s).
      The pauses between sentences count: they are the calm the advice "slow down" asks for,
      and a conversational pace of 100–160 words a minute includes them. A longer silence is
      listening (above all the wait after the request, which the speaker should hold), so a
      take that holds a 4 s wait is no "slower" than one that holds 2 s. The pace tips judge this.
      (The time inside sentences alone is nearly the articulation rate: real readers at a calm
      130 words a minute measured 190–200 that way.)
    """
    n = count_words(words)
    if not words:
        return Pace(None, None, None, 0.0)
    span_s = words[-1].end_s - words[0].start_s
    paused_s = sum(p.duration_s for p in pauses)
    listening_s = sum(max(0.0, p.duration_s - PAUSE_IN_PACE_MAX_S) for p in pauses)
    return Pace(wpm=_wpm(n, span_s), articulation_wpm=_wpm(n, span_s - paused_s),
                speaking_wpm=_wpm(n, span_s - listening_s), speaking_time_s=round(span_s, 3))


def pitch_range_st(contours: Contours) -> float | None:
    """Pitch range over the take in semitones: from the ``PITCH_RANGE_PERCENTILES`` (5th to
    95th) of the voiced frames' pitch; None with fewer than ``MIN_PITCH_FRAMES`` voiced frames."""
    voiced = contours.f0_hz[~np.isnan(contours.f0_hz)]
    if voiced.size < MIN_PITCH_FRAMES:
        return None
    lo, hi = np.percentile(voiced, PITCH_RANGE_PERCENTILES)
    return round(float(12.0 * np.log2(hi / lo)), 1)


def pause_after(
    sentence: Sentence,
    *,
    words: Sequence[Word],
    regions: Sequence[Region],
    duration_s: float,
) -> RequestPause:
    """The silence after ``sentence`` (above all the request): from the end of its speech (the
    speech region its last word ends in) to the next speech, or to the end of the recording
    (``still_waiting``). When the next word starts inside that same region, the speaker carried
    straight on: ``carried_on`` and no pause."""
    e = sentence.end_s
    starts = [r for r in regions if r.start_s <= e + WORD_END_TOLERANCE_S]
    if not starts:  # the voice activity heard nothing before the words end: trust Whisper
        speech_end = e
    else:
        speech_end = starts[-1].end_s
        nxt = words[sentence.last_word + 1].start_s if sentence.last_word + 1 < len(words) else None
        if nxt is not None and nxt < speech_end - SAME_BREATH_S:
            return RequestPause(sentence.index, round(e, 3), 0.0, still_waiting=False, carried_on=True)
    later = [r for r in regions if r.start_s > speech_end]
    if later:
        return RequestPause(sentence.index, round(speech_end, 3), round(later[0].start_s - speech_end, 3), False)
    return RequestPause(sentence.index, round(speech_end, 3), round(max(0.0, duration_s - speech_end), 3), True)
