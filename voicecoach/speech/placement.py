"""Word placement: Whisper's words put where the voice is, before anything is measured on them.

Whisper's word times are good to about a syllable inside speech, but near a silence they are
not: it places the last word before a silence late (over the room noise), sometimes with zero
length inside the silence, and now and then invents a word there. The speech regions (voice
activity), the frame energy and the pitch contour (voicing) correct the times; a word Whisper
heard is never dropped for its time alone (:func:`snap_words`).
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from .prosody import Contours
from ..types import Region, Word

__all__ = ["snap_words", "last_voiced_run", "last_sounding_run", "INVENTED_MAX_PROBABILITY"]

_MAX_EXTEND_S = 0.5  # how far a word edge may move to meet the edge of its speech region
MIN_VOICED_RUN_FRAMES = 3  # voiced 10 ms frames that count as voice (not a blip)
VOICING_GAP_FRAMES = 3  # unvoiced frames inside a voiced run up to this many are bridged:
#   Praat's voicing flickers for a frame or two inside a vowel
FINAL_WORD_S = (0.15, 0.6)  # a fitted final word is at least / its voiced run at most this long (s)
_MAX_LATE_S = 0.6  # the voice of a final word is looked for this far before Whisper's start (s)
_MIN_WORD_S = 0.02  # shortest span a word pushed back by its neighbour keeps (s)
#: A word lying wholly in a silence is taken as invented only when Whisper itself gives it a
#: probability under this (the evidence); any other word in a silence is put on its speech.
INVENTED_MAX_PROBABILITY = 0.3
MIN_SOUNDING_RUN_FRAMES = 5  # frames above the sounding level that count as sound (not a click)
SOUNDING_MIN_PEAK_ABOVE_FLOOR_DB = 12.0  # a run of sound has a frame this far above the noise floor
UNVOICED_TAIL_MAX_S = 0.2  # sound after the last voicing longer than this (s) may be another syllable ...
SYLLABLE_DIP_DB = 10.0  # ... when an energy dip this deep (dB below the loudest frame after it) parts them
SYLLABLE_MAX_BELOW_VOICE_DB = 20.0  # ... and it is at most this much quieter than the voiced run (dB)
_PUNCT_END = ".?!"
SQUEEZED_WORD_S = 0.05  # a word placed shorter than this (s) was squeezed onto its neighbour
_LETTER = re.compile(r"[A-Za-z0-9]")


def snap_words(words: Sequence[Word], regions: Sequence[Region], *, contours: Contours | None = None) -> list[Word]:
    """Put each word where the voice is; never drop a word Whisper heard for its time alone.

    1. A word that lies wholly in a silence is put on the speech it belongs to
       (:func:`_place_in_silence`): the speech before it when it closes a sentence or is nearer
       to it, the speech after it when the word before it closed a sentence or it is nearer to
       that. It is dropped only on evidence that it was invented: Whisper's own probability for
       it is under :data:`INVENTED_MAX_PROBABILITY` (a closing "Thank you." over the silence).
    2. Each word is clipped to the speech regions it overlaps; the first word after a silence
       starts where the sound starts.
    3. The last word before each silence is fitted to the voice (:func:`_fit_final_word`,
       with ``contours``): it ends where the sound of the voice ends, found by voicing and by
       energy, and that word is the one the sentence-end measures read.
    """
    out: list[Word] = []
    for w in words:
        hits = [r for r in regions if r.end_s > w.start_s and r.start_s < w.end_s]
        if not hits:
            if regions:
                placed = _place_in_silence(w, prev=out[-1] if out else None, regions=regions)
                if placed is not None:
                    out.append(placed)
                continue
            out.append(w)
            continue
        start, end = max(w.start_s, hits[0].start_s), min(w.end_s, hits[-1].end_s)
        if end - start < 0.02:
            out.append(w)
            continue
        out.append(Word(w.text, round(start, 3), round(end, 3), w.probability))
    _keep_order(out)
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


def _place_in_silence(w: Word, *, prev: Word | None, regions: Sequence[Region]) -> Word | None:
    """The word ``w``, which overlaps no speech, put on the speech it belongs to; None when it
    was invented (Whisper's probability under :data:`INVENTED_MAX_PROBABILITY`).

    Whisper puts a sentence's last word after the voice has stopped ("March." at 4.47 s with
    zero length, the voice ending at 3.65 s): sentence punctuation says which side it belongs
    to; without any, the nearer edge. It keeps its length (at least ``_MIN_WORD_S``) at the
    edge of that speech; the words around it are moved aside by :func:`_keep_order` and the
    final-word fit.
    """
    if w.probability < INVENTED_MAX_PROBABILITY:
        return None
    before = [r for r in regions if r.end_s <= w.start_s]
    after = [r for r in regions if r.start_s >= w.end_s]
    a, b = (before[-1] if before else None), (after[0] if after else None)
    if a is None or b is None:
        to_before = b is None
    elif prev is not None and prev.text.rstrip("\"')]").endswith(tuple(_PUNCT_END)):
        to_before = False  # the word before closed its sentence: this one opens the next
    elif w.text.rstrip("\"')]").endswith(tuple(_PUNCT_END)):
        to_before = True  # this word closes a sentence: the one before it
    else:
        to_before = w.start_s - a.end_s <= b.start_s - w.end_s
    length = max(w.end_s - w.start_s, _MIN_WORD_S)
    if to_before:
        start = max(a.start_s, a.end_s - length)
        return Word(w.text, round(start, 3), round(a.end_s, 3), w.probability)
    return Word(w.text, round(b.start_s, 3), round(min(b.end_s, b.start_s + length), 3), w.probability)


def _keep_order(out: list[Word]) -> None:
    """Words in spoken order without overlap (in place): a word placed at the edge of its
    speech pushes the words before it back (each keeps at least ``_MIN_WORD_S``)."""
    for k in range(len(out) - 2, -1, -1):
        nxt = out[k + 1].start_s
        if out[k].end_s <= nxt:
            continue
        start = min(out[k].start_s, nxt - _MIN_WORD_S)
        out[k] = Word(out[k].text, round(start, 3), round(nxt, 3), out[k].probability)


def last_sounding_run(contours: Contours, *, start_s: float, end_s: float) -> Region | None:
    """The last run of at least ``MIN_SOUNDING_RUN_FRAMES`` frames in ``[start_s, end_s]``
    above :attr:`Contours.sounding_level_db` (gaps of up to ``VOICING_GAP_FRAMES`` frames bridged) whose
    loudest frame is at least ``SOUNDING_MIN_PEAK_ABOVE_FLOOR_DB`` above the noise floor: where
    the sound of the last syllable is, voiced or not. Praat calls frames voiced relative to the
    loudest part of the take, so a soft or fading final word can lose its voicing exactly when
    it fades; its energy is still there."""
    sl = contours.frames(start_s, end_s)
    e = contours.energy_db[sl]
    loud = e >= contours.sounding_level_db
    peak = contours.noise_floor_db + SOUNDING_MIN_PEAK_ABOVE_FLOOR_DB
    runs = _bridged_runs(loud, VOICING_GAP_FRAMES)
    for first, last in reversed(runs):
        if last - first + 1 >= MIN_SOUNDING_RUN_FRAMES and e[first:last + 1].max() >= peak:
            return Region(round((sl.start + first) * contours.hop_s, 3), round((sl.start + last + 1) * contours.hop_s, 3))
    return None


def _bridged_runs(mask: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """``(first, last)`` frame indices of the runs of ``mask``, gaps of up to ``gap`` bridged."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    runs = [[int(idx[0]), int(idx[0])]]
    for i in idx[1:]:
        if i - runs[-1][1] <= gap + 1:
            runs[-1][1] = int(i)
        else:
            runs.append([int(i), int(i)])
    return [(a, b) for a, b in runs]


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


def _syllable_after(contours: Contours, *, voiced: Region, sound_end_s: float) -> Region | None:
    """A syllable that follows the last voiced run inside the same sound, with too little
    voicing for Praat (a soft, fading or creaky final word): an energy dip of at least
    ``SYLLABLE_DIP_DB`` below the loudest frame after it separates the two, and the syllable
    runs from the dip to the end of the sound. It has a vowel: at least one voiced frame, and
    its loudest frame no more than ``SYLLABLE_MAX_BELOW_VOICE_DB`` below the voiced run's (a
    final "s" after a short dip is a consonant of the same word). None when the sound only dies
    away after the voicing (a room's echo, or noise), with no new rise."""
    sl = contours.frames(voiced.end_s - 0.05, sound_end_s - 0.1)
    if sl.stop - sl.start < 2:
        return None
    e = contours.energy_db
    dip = sl.start + int(np.argmin(e[sl]))
    after = contours.frames(dip * contours.hop_s, sound_end_s)
    peak = e[after].max()
    if (peak - e[dip] < SYLLABLE_DIP_DB or not np.any(~np.isnan(contours.f0_hz[after]))
            or peak < e[contours.frames(voiced.start_s, voiced.end_s)].max() - SYLLABLE_MAX_BELOW_VOICE_DB):
        return None
    return Region(round(dip * contours.hop_s, 3), round(sound_end_s, 3))


def _fit_final_word(out: list[Word], j: int, *, first: int, region: Region, contours: Contours) -> None:
    """Fit ``out[j]``, the last word before a silence, to the voice (in place).

    Whisper's time for this word is often late by 0.1-0.5 s (it runs into the padding after
    the speech and misses the word's vowel), or early, squeezed onto the word before it. The
    word is fitted to the last run of the voice: the last voiced run (:func:`last_voiced_run`),
    carried on to the end of the sound that follows or overlaps it (:func:`last_sounding_run`:
    a final consonant, or a syllable fading too softly for Praat to call it voiced). It ends
    where that sound ends; it starts no later than the run starts (when the run is at most
    ``FINAL_WORD_S[1]`` long) and is at least ``FINAL_WORD_S[0]`` long. The words before it are
    pushed back so that none overlaps it.
    """
    w = out[j]
    lo = max(region.start_s, w.start_s - _MAX_LATE_S)
    run = last_voiced_run(contours, start_s=lo, end_s=region.end_s)
    sound = last_sounding_run(contours, start_s=lo, end_s=region.end_s)
    syllable = None  # a last syllable too soft or creaky for Praat to voice
    if sound is not None and (run is None or sound.end_s > run.end_s + contours.hop_s):
        if run is None:
            run = syllable = sound
        elif sound.end_s - run.end_s <= UNVOICED_TAIL_MAX_S:
            run = Region(run.start_s, sound.end_s)  # the final consonant after the vowel
        else:  # a syllable Praat could not voice, or only the voice dying away (echo, noise)
            syllable = _syllable_after(contours, voiced=run, sound_end_s=sound.end_s)
            run = syllable or run
    if run is None or run.end_s < w.start_s - _MAX_LATE_S or run.end_s - w.end_s > _MAX_EXTEND_S:
        return
    end = run.end_s
    if syllable is not None and w.end_s <= syllable.start_s:  # Whisper put the word before its sound
        start = min(run.start_s, end - FINAL_WORD_S[0])
    else:
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
    _share_with_squeezed(out, j, first=first)


def _share_with_squeezed(out: list[Word], j: int, *, first: int) -> None:
    """Words that Whisper squeezed into less than ``SQUEEZED_WORD_S`` just before the final
    word ``out[j]`` were said in the sound the final word now covers ("do for them." put in
    0.2 s, while "for them" is the last 0.3 s of sound): the squeezed words and the final word
    share that span by their letters (in place), so the final word is measured alone."""
    m = j
    while m - 1 >= first and out[m - 1].end_s - out[m - 1].start_s < SQUEEZED_WORD_S:
        m -= 1
    if m == j:
        return
    a, b = out[m].start_s, out[j].end_s
    letters = [max(1, len(_LETTER.findall(w.text))) for w in out[m:j + 1]]
    t = a
    for k, n in zip(range(m, j + 1), letters):
        end = b if k == j else t + (b - a) * n / sum(letters)
        out[k] = Word(out[k].text, round(t, 3), round(end, 3), out[k].probability)
        t = end
