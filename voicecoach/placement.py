"""Word placement: Whisper's words put where the voice is, before anything is measured on them.

Whisper's word times are good to about a syllable inside speech, but it invents words in
silences and places the last word before a silence late (over the room noise). The speech
regions (voice activity) and the pitch contour (voicing) correct both.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .prosody import Contours
from .types import Region, Word

__all__ = ["snap_words", "last_voiced_run"]

_MAX_EXTEND_S = 0.5  # how far a word edge may move to meet the edge of its speech region
MIN_VOICED_RUN_FRAMES = 3  # voiced 10 ms frames that count as voice (not a blip)
VOICING_GAP_FRAMES = 3  # unvoiced frames inside a voiced run up to this many are bridged:
#   Praat's voicing flickers for a frame or two inside a vowel
FINAL_WORD_S = (0.15, 0.6)  # a fitted final word is at least / its voiced run at most this long (s)
_MAX_LATE_S = 0.6  # the voice of a final word is looked for this far before Whisper's start (s)
_MIN_WORD_S = 0.02  # shortest span a word pushed back by its neighbour keeps (s)


def snap_words(words: Sequence[Word], regions: Sequence[Region], *, contours: Contours | None = None) -> list[Word]:
    """Put each word where the voice is.

    1. A word that overlaps no speech region is dropped: Whisper invents words in silences
       ("Thank you.") and they would otherwise count as speech after the request.
    2. Each word is clipped to the speech regions it overlaps; the first word after a silence
       starts where the sound starts.
    3. The last word before each silence is fitted to the voice (:func:`_fit_final_word`,
       with ``contours``): Whisper often places it late, over the room noise after the voice,
       and that word is the one the sentence-end measures read.
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
    for r in regions:
        inside = [i for i, w in enumerate(out) if r.start_s <= (w.start_s + w.end_s) / 2 <= r.end_s]
        if not inside:
            continue
        i, j = inside[0], inside[-1]
        if 0 < out[i].start_s - r.start_s <= _MAX_EXTEND_S:
            out[i] = Word(out[i].text, round(r.start_s, 3), out[i].end_s, out[i].probability)
        if contours is not None:
            _fit_final_word(out, j, first=i, region=r, contours=contours)
        elif 0 < r.end_s - out[j].end_s <= _MAX_EXTEND_S:
            out[j] = Word(out[j].text, out[j].start_s, round(r.end_s, 3), out[j].probability)
    return out


def last_voiced_run(contours: Contours, *, start_s: float, end_s: float) -> Region | None:
    """The last run of at least ``MIN_VOICED_RUN_FRAMES`` voiced frames in ``[start_s, end_s]``
    (seconds), bridging gaps of up to ``VOICING_GAP_FRAMES`` unvoiced frames: where the voice of
    the last syllable is. None when nothing there is voiced.

    Voicing, not loudness: steady room noise can be as loud as a soft final syllable, but it
    has no pitch.
    """
    sl = contours.frames(start_s, end_s)
    voiced = ~np.isnan(contours.f0_hz[sl])
    last = len(voiced) - 1
    while last >= 0:
        if not voiced[last]:
            last -= 1
            continue
        first, k = last, last - 1  # walk back over voiced frames and flickers of unvoiced ones
        while k >= 0 and (voiced[k] or np.any(voiced[max(0, k - VOICING_GAP_FRAMES + 1) : k])):
            if voiced[k]:
                first = k
            k -= 1
        if np.count_nonzero(voiced[first : last + 1]) >= MIN_VOICED_RUN_FRAMES:
            return Region(round((sl.start + first) * contours.hop_s, 3), round((sl.start + last + 1) * contours.hop_s, 3))
        last = first - 1
    return None


def _fit_final_word(out: list[Word], j: int, *, first: int, region: Region, contours: Contours) -> None:
    """Fit ``out[j]``, the last word before a silence, to the voice (in place).

    Whisper's time for this word is often late by 0.1-0.5 s: it runs into the padding after
    the speech and misses the word's vowel. The word is fitted to the last voiced run
    (:func:`last_voiced_run`): it ends where the voice ends; it starts no later than the run
    starts (when the run is at most ``FINAL_WORD_S[1]`` long) and is at least
    ``FINAL_WORD_S[0]`` long. The words before it are pushed back so that none overlaps it.
    """
    w = out[j]
    run = last_voiced_run(contours, start_s=max(region.start_s, w.start_s - _MAX_LATE_S), end_s=region.end_s)
    if run is None or run.end_s < w.start_s - _MAX_LATE_S or run.end_s - w.end_s > _MAX_EXTEND_S:
        return
    end = run.end_s
    start = min(w.start_s, end - FINAL_WORD_S[0])
    if end - run.start_s <= FINAL_WORD_S[1]:
        start = min(start, run.start_s)
    start = max(start, out[first].start_s, region.start_s)
    out[j] = Word(w.text, round(start, 3), round(end, 3), w.probability)
    for k in range(j - 1, first - 1, -1):  # keep the order: each word ends by the next one's start
        nxt = out[k + 1].start_s
        if out[k].end_s <= nxt:
            break
        s = min(out[k].start_s, nxt - _MIN_WORD_S)
        out[k] = Word(out[k].text, round(max(s, region.start_s), 3), round(nxt, 3), out[k].probability)
