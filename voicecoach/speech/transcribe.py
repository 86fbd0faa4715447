"""Words with timestamps from faster-whisper, utterance by utterance.

A take is cut at its silences into utterances of a few seconds (:func:`plan_utterances`), and
each is decoded on its own with the filler prompt (:class:`Transcriber`); word times are mapped
back to the recording. Over a whole 30 s window the prompt makes tiny.en stop after the first
sentence; on utterances it keeps every sentence and the fillers.

The model itself (which one, checked, loaded once) is :mod:`voicecoach.speech.speech_model`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .speech_model import (
    DEFAULT_MODEL,
    KNOWN_SHA256,
    WHISPER_WINDOW_S,
    ModelError,
    ModelInfo,
    file_sha256,
    load_model,
    resolve_model,
    verify_model,
)
from ..types import Region, Word
from .audio import SR

__all__ = [
    "DEFAULT_MODEL", "FILLER_PROMPT", "ModelError", "ModelInfo", "TranscribeSettings", "Utterance",
    "Transcript", "Transcriber", "resolve_model", "load_model", "plan_utterances", "transcribe",
    "drop_sign_off", "mend_cuts",
]

log = logging.getLogger("voicecoach")

#: A short prompt full of fillers makes Whisper write the "um"s and "uh"s it hears
#: (it drops them by default). Kept short: long prompts cause repetition loops.
FILLER_PROMPT = "Um, uh, so, I mean, like, er."
#: The prompt of a second decode where the first is in doubt (``TranscribeSettings``).
SECOND_OPINION_PROMPT = "Um, uh."
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


# ---- utterances -----------------------------------------------------------------------------

#: A word starting this close before a speech region (s) counts as inside it.
RESUME_AFTER_S = 0.1
MIN_WORDS_PER_S = 0.5  # fewer words than this per second of a speech region: it was skipped
MIN_UNHEARD_S = 0.8  # speech regions shorter than this are never decoded again (s)
MIN_UNHEARD_REGIONS = 3  # ... or a run of at least this many short ones, to the end of the utterance
MAX_RESUMES = 3  # how often one utterance's decode may be resumed
SPEECH_END_TOLERANCE_S = 0.3  # a decode whose words end this close to the speech's end is complete


@dataclass(frozen=True)
class TranscribeSettings:
    """How a take is cut into utterances and decoded (chosen by ``scripts/eval_longform.py``).

    Attributes
    ----------
    max_utterance_s : float
        Speech regions are joined into one utterance while it stays this long or shorter
        (seconds). Each utterance costs a pass of Whisper's encoder over a 30 s window, so
        longer is faster; but the longer the utterance, the more often the filler prompt makes
        tiny.en stop after its first sentence. 8 s was the most accurate on real voices
        (``scripts/eval_longform.py`` prints the trade-off for 4, 8 and 15 s).
    pad_s : float
        Audio kept before and after each utterance's speech (seconds), never reaching into the
        neighbouring utterance's speech.
    beam_size : int
        1 (greedy). A beam of 5 read synthetic voices better but real ones worse, and slower.
    initial_prompt : str or None
        :data:`FILLER_PROMPT` so that "um" and "uh" are written; applied to every utterance.
        Without it most fillers are lost.
    context_words : int
        The last words heard, appended to the prompt (0: none). Helped synthetic voices,
        not real ones.
    window_s : float
        Seconds of audio the encoder reads (padding cut off; Whisper's own is 30). 15 s is
        about 30% faster but misheard more real speech: accuracy wins.
    second_opinion_prompt : str or None
        When a decode is doubtful (:func:`_doubtful`: two words in a row that Whisper itself
        gives a probability under ``doubt_below``), the utterance is decoded again with this
        shorter filler prompt and the decode Whisper is surer of (the higher mean word
        probability) is kept, if it heard as many words (a decode that leaves out the doubtful
        word is surer, not better): one more encoder pass, only where the words are in doubt ("design
        sprint where it's shopping made" at 0.37-0.54 became "workshop in May"). None: never.
    doubt_below : float
        See ``second_opinion_prompt``.
    stop_at_speech_end : bool
        Stop a decode once its words reach the end of the utterance's speech (within
        ``SPEECH_END_TOLERANCE_S``). Whisper otherwise runs its encoder again over the few
        tenths of a second of padding after its last timestamp, where there is nothing to hear.
    """

    max_utterance_s: float = 8.0
    pad_s: float = 0.2
    beam_size: int = 1
    initial_prompt: str | None = FILLER_PROMPT
    context_words: int = 0
    window_s: float = WHISPER_WINDOW_S
    stop_at_speech_end: bool = True
    second_opinion_prompt: str | None = SECOND_OPINION_PROMPT
    doubt_below: float = 0.5


@dataclass(frozen=True)
class Utterance:
    """A stretch of speech decoded on its own: ``clip_*`` is the audio Whisper hears (the
    speech plus padding), ``start_s``/``end_s`` the speech itself, seconds in the recording."""

    start_s: float
    end_s: float
    clip_start_s: float
    clip_end_s: float


@dataclass(frozen=True)
class Transcript:
    """What Whisper heard: the words with times in the recording, per utterance, and the options."""

    words: tuple[Word, ...]
    utterances: tuple[Utterance, ...]
    word_utterance: tuple[int, ...]  # for each word, the index of the utterance it came from
    model: str
    settings: TranscribeSettings

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def plan_utterances(regions: Sequence[Region], *, duration_s: float,
                    settings: TranscribeSettings | None = None) -> tuple[Utterance, ...]:
    """Join speech regions into utterances of at most ``max_utterance_s``, cut at silences.

    Where the next region would make an utterance too long, it is cut at its latest pause
    (:func:`_cut_at`): a silence of at least ``MIN_CUT_GAP_S``, not the 0.16 s closure of the
    "t" inside "platform"; with no pause at all it runs on. A single region longer
    than Whisper's window (rare: 30 s without a 0.1 s pause) is cut into equal parts that fit.
    Padding reaches at most halfway to the neighbouring speech.
    """
    s = settings or TranscribeSettings()
    fit_s = min(s.window_s, WHISPER_WINDOW_S) - 2 * s.pad_s - 0.5
    groups: list[list[Region]] = []
    cur: list[Region] = []
    for r in regions:
        while cur and r.end_s - cur[0].start_s > s.max_utterance_s:
            k = _cut_at(cur + [r], max_s=s.max_utterance_s, must=r.end_s - cur[0].start_s > fit_s)
            if k is None:
                break  # no pause to cut at: the utterance runs on (up to Whisper's window)
            groups.append(cur[:k])
            cur = cur[k:]
        cur.append(r)
    if cur:
        groups.append(cur)
    spans = [(g[0].start_s, g[-1].end_s) for g in groups]
    cut: list[tuple[float, float]] = []
    for a, b in spans:
        n = int(np.ceil((b - a) / fit_s))
        cut += [(a + (b - a) * k / n, a + (b - a) * (k + 1) / n) for k in range(n)]
    out = []
    for k, (a, b) in enumerate(cut):
        lo = max(0.0, a - s.pad_s, (cut[k - 1][1] + a) / 2 if k else 0.0)
        hi = min(duration_s, b + s.pad_s, (b + cut[k + 1][0]) / 2 if k + 1 < len(cut) else duration_s)
        out.append(Utterance(round(a, 3), round(b, 3), round(lo, 3), round(hi, 3)))
    return tuple(out)


#: A silence shorter than this (s) may be inside a word (the closure of the "t" in "platform"
#: measured 0.16 s), so an utterance is never cut there if it can be helped; the pauses between
#: sentences are longer (0.2 s lets espeak-ng's shortest sentence gaps still be cut at).
MIN_CUT_GAP_S = 0.2


def _cut_at(regions: Sequence[Region], *, max_s: float, must: bool = False) -> int | None:
    """How many of ``regions`` (an utterance that the last one makes too long) to keep before
    the cut: after the latest pause (a silence of at least ``MIN_CUT_GAP_S``), so utterances
    stay as long as they may (each costs an encoder pass, and context helps Whisper). None when
    there is no pause at all, unless ``must`` (the utterance would not fit Whisper's window):
    then after the longest silence."""
    gaps = [(regions[i + 1].start_s - regions[i].end_s, i + 1) for i in range(len(regions) - 1)]
    pauses = [g for g in gaps if g[0] >= MIN_CUT_GAP_S]
    if pauses:
        return pauses[-1][1]
    if not must:
        return None
    return max(gaps, key=lambda g: (round(g[0], 2), g[1]))[1]


class Transcriber:
    """Decodes utterances one at a time, as they end: the same object serves a finished take
    (:func:`transcribe`) and a take still being spoken.

    Parameters
    ----------
    model : str, optional
        Model name or folder (see :func:`resolve_model`); loaded once per process.
    settings : TranscribeSettings, optional
    """

    def __init__(self, model: str | None = None, settings: TranscribeSettings | None = None):
        self.settings = settings or TranscribeSettings()
        self._whisper = load_model(model)
        self.model_name: str = self._whisper.voicecoach_name
        self._heard: list[str] = []  # the words decoded so far, for the context prompt

    def utterance(self, clip: np.ndarray, *, clip_start_s: float,
                  speech: Sequence[Region] = ()) -> tuple[Word, ...]:
        """Words of one utterance's audio (16 kHz mono), times in the recording.

        ``speech`` (its speech regions, seconds in the recording) lets a decode that skipped
        speech be resumed: from the first region with too few words (:func:`_first_unheard`)
        the rest of the clip is decoded again, at most ``MAX_RESUMES`` times.
        """
        clip_end_s = clip_start_s + len(clip) / SR
        ends = [r.end_s for r in speech if r.start_s < clip_end_s and r.end_s > clip_start_s]
        speech_end_s = min(max(ends), clip_end_s) if ends and self.settings.stop_at_speech_end else None
        words = self._hear(clip, clip_start_s=clip_start_s, speech=speech, speech_end_s=speech_end_s,
                           prompt=self._prompt())
        alt_prompt = self.settings.second_opinion_prompt
        if alt_prompt is not None and _doubtful(words, below=self.settings.doubt_below):
            other = self._hear(clip, clip_start_s=clip_start_s, speech=speech, speech_end_s=speech_end_s,
                               prompt=alt_prompt)
            if len(other) >= len(words) and _mean_probability(other) > _mean_probability(words):
                log.debug("a second opinion was surer (%.2f > %.2f)", _mean_probability(other), _mean_probability(words))
                words = other
        self._heard += [w.text for w in words]  # what this utterance kept, not a discarded decode
        return tuple(words)

    def _hear(self, clip: np.ndarray, *, clip_start_s: float, speech: Sequence[Region],
              speech_end_s: float | None, prompt: str | None) -> list[Word]:
        """One decode of ``clip`` with ``prompt``, resumed where it skipped speech: from the first
        region with too few words (:func:`_first_unheard`) the rest of the clip is decoded
        again, at most ``MAX_RESUMES`` times."""
        words = list(self._decode(clip, clip_start_s=clip_start_s, speech_end_s=speech_end_s, prompt=prompt))
        resumed_at = None
        for _ in range(MAX_RESUMES):
            gap = _first_unheard(words, speech)
            if gap is None or gap.start_s == resumed_at:
                break  # all heard, or the last resume heard nothing new there
            resumed_at = gap.start_s
            start_s = max(clip_start_s, gap.start_s - self.settings.pad_s)
            kept = [w for w in words if w.start_s < gap.start_s - RESUME_AFTER_S]
            log.debug("resuming the decode at %.2f s (%d words kept)", start_s, len(kept))
            more = self._decode(clip[int(round((start_s - clip_start_s) * SR)):], clip_start_s=start_s,
                                speech_end_s=speech_end_s, prompt=prompt)
            if not more or _looping(more):
                break  # nothing more, or a decoding loop on a short clip ("Ask Ask Ask not!"): keep what was heard
            words = kept + list(more)
        return words

    def _decode(self, clip: np.ndarray, *, clip_start_s: float,
                speech_end_s: float | None = None, prompt: str | None = None) -> tuple[Word, ...]:
        """One pass of Whisper over ``clip``; words with times in the recording. With
        ``speech_end_s``, the decode stops once a segment ends within
        ``SPEECH_END_TOLERANCE_S`` of it (the segments are a generator: the next encoder pass
        only runs if asked for)."""
        s = self.settings
        self._whisper.window_s = s.window_s
        segments, _info = self._whisper.transcribe(
            np.asarray(clip, dtype=np.float32),
            language="en",
            beam_size=s.beam_size,
            word_timestamps=True,
            initial_prompt=prompt,
            condition_on_previous_text=False,
            temperature=0.0,  # deterministic: the same take always reads the same
            vad_filter=False,  # the caller already cut the speech
        )
        clip_end_s = clip_start_s + len(clip) / SR
        words: list[Word] = []
        for seg in segments:  # a generator: decoding happens here
            for w in seg.words or ():
                text = w.word.strip()
                if not text:
                    continue
                if not _HAS_WORD.search(text):
                    if words:  # "." or "?" as a word of its own ends the word before
                        words[-1] = replace(words[-1], text=words[-1].text + text)
                    continue
                start = min(max(clip_start_s + float(w.start), clip_start_s), clip_end_s)
                end = min(max(clip_start_s + float(w.end), start), clip_end_s)
                words.append(Word(text, round(start, 3), round(end, 3), float(w.probability)))
            if speech_end_s is not None and clip_start_s + float(seg.end) >= speech_end_s - SPEECH_END_TOLERANCE_S:
                break
        return drop_sign_off(words)

    def _prompt(self) -> str | None:
        """The filler prompt, followed by the last ``context_words`` words heard."""
        s = self.settings
        context = " ".join(self._heard[-s.context_words:]) if s.context_words else ""
        return " ".join(p for p in (s.initial_prompt, context) if p) or None


def _first_unheard(words: Sequence[Word], speech: Sequence[Region]) -> Region | None:
    """The first speech region that the decode skipped: fewer words start in it than
    ``MIN_WORDS_PER_S`` per second of its speech (or none at all, for a short one), or the first
    of a run of ``MIN_UNHEARD_REGIONS`` or more short regions to the end with no word at all
    that together last ``MIN_UNHEARD_S`` (isolated words after the decode stopped). tiny.en,
    prompted, sometimes closes its output after the first sentence of an utterance, or jumps
    to the last word, stretching it over the speech it did not write."""
    heard = [sum(1 for w in words if r.start_s - RESUME_AFTER_S <= w.start_s < r.end_s) for r in speech]
    for k, (r, n) in enumerate(zip(speech, heard)):
        if n < max(1.0, MIN_WORDS_PER_S * r.duration_s) and r.duration_s >= MIN_UNHEARD_S:
            return r
        tail = speech[k:]
        if len(tail) >= MIN_UNHEARD_REGIONS and not any(heard[k:]) and sum(x.duration_s for x in tail) >= MIN_UNHEARD_S:
            return r  # isolated words, none heard, to the end: "one … two … three" after the decode stopped
    return None


def _doubtful(words: Sequence[Word], *, below: float) -> bool:
    """True when two words in a row have a probability under ``below`` (Whisper's own)."""
    return any(a.probability < below and b.probability < below for a, b in zip(words, words[1:]))


def _mean_probability(words: Sequence[Word]) -> float:
    return float(np.mean([w.probability for w in words])) if words else 0.0


MAX_SAME_WORD = 2  # a resumed decode repeating one word back to back more often than this is a loop


def _looping(words: Sequence[Word]) -> bool:
    """True when one word comes more than ``MAX_SAME_WORD`` times in a row (case and
    punctuation ignored): tiny.en looping over a short clip, not speech."""
    texts = [re.sub(r"[^\w']", "", w.text.lower()) for w in words]
    run = 1
    for a, b in zip(texts, texts[1:]):
        run = run + 1 if a == b and a else 1
        if run > MAX_SAME_WORD:
            return True
    return False


#: What Whisper writes over the end of a clip when it hears nothing there (learnt from subtitles).
_SIGN_OFFS = {"thank you", "thanks", "thank you very much", "thanks for watching", "bye", "you"}
#: A sign-off with a word this unlikely (Whisper's own word probability) is taken as invented.
SIGN_OFF_MAX_PROBABILITY = 0.3


def drop_sign_off(words: Sequence[Word]) -> tuple[Word, ...]:
    """Drop a closing "Thank you." that Whisper invented: a sign-off phrase at the very end of
    an utterance, one of whose words Whisper itself gives a probability under
    ``SIGN_OFF_MAX_PROBABILITY``. A sign-off that was said is heard with confidence and kept."""
    for n in (4, 3, 2, 1):
        tail = words[-n:]
        if len(words) > n and len(tail) == n:
            phrase = re.sub(r"[^a-z ]", "", " ".join(w.text.lower() for w in tail)).strip()
            if phrase in _SIGN_OFFS and min(w.probability for w in tail) < SIGN_OFF_MAX_PROBABILITY:
                log.debug("dropped an invented sign-off %r", phrase)
                return tuple(words[:-n])
    return tuple(words)


def _clip(y: np.ndarray, u: Utterance) -> np.ndarray:
    """The samples Whisper hears for utterance ``u`` (its speech and padding)."""
    return y[int(round(u.clip_start_s * SR)): int(round(u.clip_end_s * SR))]


def _inside(u: Utterance, regions: Sequence[Region]) -> list[Region]:
    """The speech regions of utterance ``u``."""
    return [r for r in regions if r.end_s > u.start_s and r.start_s < u.end_s]


#: A cut followed by a silence this long (s) or longer ends a sentence anyway (as
#: ``delivery.DeliverySettings.sentence_gap_s`` splits sentences): no need to mend it.
MEND_MAX_GAP_S = 1.0
#: A decode across a cut replaces both sides only if it heard at least this share of their words
#: (the two halves of a word cut in two may count a fragment more; a decode that stopped early
#: after the first of five short sentences hears far fewer).
MEND_MIN_KEPT = 0.75
_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


def mend_cuts(tr: Transcriber, y: np.ndarray, utterances: Sequence[Utterance],
              decoded: Sequence[Sequence[Word]], *, regions: Sequence[Region]) -> list[tuple[Word, ...]]:
    """The words of each utterance, with every cut that fell inside a running sentence mended.

    ``decoded[k]`` holds the words :meth:`Transcriber.utterance` gave for ``utterances[k]``.
    Where a decode ends without sentence punctuation (or the cut is at a silence shorter than a
    pause, ``MIN_CUT_GAP_S``, where Whisper writes a full stop only because its clip ends) and
    the next utterance follows within ``MEND_MAX_GAP_S``, the sentence runs across the cut (or
    a word was cut in two: "…enjoyed the plan." + "form side…"): the audio from that sentence's first word (at most
    ``max_utterance_s`` before the cut) to the end of the next utterance is decoded again as
    one, and its words replace both sides from there. The batch path (:func:`transcribe`) and
    the live path (:mod:`voicecoach.live`) both end here.
    """
    out = [list(d) for d in decoded]
    window_s = min(tr.settings.window_s, WHISPER_WINDOW_S) - 1.0
    for k in range(len(out) - 1):
        here, nxt = utterances[k], utterances[k + 1]
        before = [w for d in out[: k + 1] for w in d]  # every word up to the cut
        gap_s = nxt.start_s - here.end_s
        if not before or gap_s >= MEND_MAX_GAP_S or (_SENTENCE_END.search(before[-1].text) and gap_s >= MIN_CUT_GAP_S):
            continue  # closed at a pause (not at a shorter gap: Whisper writes a full stop wherever a clip ends)
        i = len(before) - 1  # the running sentence's first word
        while i > 0 and not _SENTENCE_END.search(before[i - 1].text):
            i -= 1
        start_s = max(before[i].start_s - tr.settings.pad_s, here.end_s - tr.settings.max_utterance_s, 0.0)
        moved = _silence_before(start_s, regions, floor_s=before[i - 1].end_s if i else 0.0)
        if nxt.clip_end_s - moved <= window_s:
            start_s = moved
        clip = y[int(round(start_s * SR)): int(round(nxt.clip_end_s * SR))]
        inside = [r for r in regions if r.end_s > start_s and r.start_s < nxt.end_s]
        again = tr.utterance(clip, clip_start_s=start_s, speech=inside)
        replaced = sum(1 for d in out[: k + 1] for w in d if (w.start_s + w.end_s) / 2 >= start_s) + len(out[k + 1])
        if len(again) < MEND_MIN_KEPT * replaced:
            continue  # the decode across the cut heard far less (tiny.en stopped early): keep both sides as heard
        log.debug("mended the cut at %.2f s: decoded %.2f-%.2f s again", here.end_s, start_s, nxt.clip_end_s)
        for j in range(k + 1):  # the words from start_s on are heard again
            out[j] = [w for w in out[j] if (w.start_s + w.end_s) / 2 < start_s]
        out[k + 1] = list(again)
    return [tuple(d) for d in out]


def _silence_before(t: float, regions: Sequence[Region], *, floor_s: float) -> float:
    """``t`` moved back, if it falls inside speech, to the silence before that speech (never
    before ``floor_s``), so a re-decode never starts in the middle of a word."""
    for r in regions:
        if r.start_s < t < r.end_s:
            return max(floor_s, r.start_s - 0.05)
    return t


def transcribe(y: np.ndarray, *, regions: Sequence[Region], model: str | None = None,
               settings: TranscribeSettings | None = None,
               progress: Callable[[int, int], None] | None = None) -> Transcript:
    """Transcribe a take utterance by utterance (``progress(done, total)`` after each, if given).

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        The whole take, 16 kHz mono float32.
    regions : sequence of Region
        Its speech regions (seconds), from the VAD the delivery measures use too.
    model : str, optional
        Model name or folder (see :func:`resolve_model`).
    settings : TranscribeSettings, optional
    """
    tr = Transcriber(model, settings)
    utterances = plan_utterances(regions, duration_s=len(y) / SR, settings=tr.settings)
    decoded: list[tuple[Word, ...]] = []
    for k, u in enumerate(utterances):
        decoded.append(tr.utterance(_clip(y, u), clip_start_s=u.clip_start_s, speech=_inside(u, regions)))
        if progress is not None:
            progress(k + 1, len(utterances))
    decoded = mend_cuts(tr, y, utterances, decoded, regions=regions)
    words = [w for got in decoded for w in got]
    owner = [k for k, got in enumerate(decoded) for _ in got]
    return Transcript(words=tuple(words), utterances=utterances, word_utterance=tuple(owner),
                      model=tr.model_name, settings=tr.settings)
