"""Words with timestamps from faster-whisper, utterance by utterance.

A take is cut at its silences into utterances of a few seconds (:func:`plan_utterances`), and
each is decoded on its own with the filler prompt (:class:`Transcriber`); word times are mapped
back to the recording. Over a whole 30 s window the prompt makes tiny.en stop after the first
sentence; on utterances it keeps every sentence and the fillers.

The model itself (which one, checked, loaded once) is :mod:`voicecoach.speech_model`.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .speech_model import (  # noqa: F401  (re-exported: the model is part of transcribing)
    DEFAULT_MODEL, KNOWN_SHA256, WHISPER_WINDOW_S, ModelError, ModelInfo, file_sha256, load_model,
    resolve_model, verify_model,
)
from .types import Region, Word

__all__ = [
    "DEFAULT_MODEL", "FILLER_PROMPT", "ModelError", "ModelInfo", "TranscribeSettings", "Utterance",
    "Transcript", "Transcriber", "resolve_model", "load_model", "plan_utterances", "transcribe",
    "drop_sign_off", "mend_cuts",
]

log = logging.getLogger("voicecoach")

#: A short prompt full of fillers makes Whisper write the "um"s and "uh"s it hears
#: (it drops them by default). Kept short: long prompts cause repetition loops.
FILLER_PROMPT = "Um, uh, so, I mean, like, er."
SAMPLE_RATE = 16_000
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


# ---- utterances -----------------------------------------------------------------------------

#: A word starting this close before a speech region (s) counts as inside it.
RESUME_AFTER_S = 0.1
MIN_WORDS_PER_S = 0.5  # fewer words than this per second of a speech region: it was skipped
MIN_UNHEARD_S = 0.8  # speech regions shorter than this are never decoded again (s)
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

    A single region longer than Whisper's window (rare: 30 s without a 0.1 s pause) is cut into
    equal parts that fit. Padding reaches at most halfway to the neighbouring speech.
    """
    s = settings or TranscribeSettings()
    spans: list[list[float]] = []
    for r in regions:
        if spans and r.end_s - spans[-1][0] <= s.max_utterance_s:
            spans[-1][1] = r.end_s
        else:
            spans.append([r.start_s, r.end_s])
    fit_s = min(s.window_s, WHISPER_WINDOW_S) - 2 * s.pad_s - 0.5
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
        clip_end_s = clip_start_s + len(clip) / SAMPLE_RATE
        ends = [r.end_s for r in speech if r.start_s < clip_end_s and r.end_s > clip_start_s]
        speech_end_s = min(max(ends), clip_end_s) if ends and self.settings.stop_at_speech_end else None
        words = list(self._decode(clip, clip_start_s=clip_start_s, speech_end_s=speech_end_s))
        for _ in range(MAX_RESUMES):
            gap = _first_unheard(words, speech)
            if gap is None:
                break
            start_s = max(clip_start_s, gap.start_s - self.settings.pad_s)
            kept = [w for w in words if w.start_s < gap.start_s - RESUME_AFTER_S]
            log.debug("resuming the decode at %.2f s (%d words kept)", start_s, len(kept))
            more = self._decode(clip[int(round((start_s - clip_start_s) * SAMPLE_RATE)):], clip_start_s=start_s,
                                speech_end_s=speech_end_s)
            if not more:
                break
            words = kept + list(more)
        self._heard += [w.text for w in words]  # what this utterance kept, not a discarded decode
        return tuple(words)

    def _decode(self, clip: np.ndarray, *, clip_start_s: float,
                speech_end_s: float | None = None) -> tuple[Word, ...]:
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
            initial_prompt=self._prompt(),
            condition_on_previous_text=False,
            temperature=0.0,  # deterministic: the same take always reads the same
            vad_filter=False,  # the caller already cut the speech
        )
        clip_end_s = clip_start_s + len(clip) / SAMPLE_RATE
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
    ``MIN_WORDS_PER_S`` per second of its speech (or none at all, for a short one). tiny.en,
    prompted, sometimes closes its output after the first sentence of an utterance, or jumps
    to the last word, stretching it over the speech it did not write."""
    for r in speech:
        n = sum(1 for w in words if r.start_s - RESUME_AFTER_S <= w.start_s < r.end_s)
        if n < max(1.0, MIN_WORDS_PER_S * r.duration_s) and r.duration_s >= MIN_UNHEARD_S:
            return r
    return None


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
    return y[int(round(u.clip_start_s * SAMPLE_RATE)): int(round(u.clip_end_s * SAMPLE_RATE))]


def _inside(u: Utterance, regions: Sequence[Region]) -> list[Region]:
    """The speech regions of utterance ``u``."""
    return [r for r in regions if r.end_s > u.start_s and r.start_s < u.end_s]


def mend_cuts(tr: Transcriber, y: np.ndarray, utterances: Sequence[Utterance],
              decoded: Sequence[Sequence[Word]], *, regions: Sequence[Region]) -> list[tuple[Word, ...]]:
    """The words of each utterance, with every cut that fell inside a running sentence mended.

    ``decoded[k]`` holds the words :meth:`Transcriber.utterance` gave for ``utterances[k]``.
    Where a decode ends without sentence punctuation and the next utterance follows closely, the
    sentence runs across the cut: the audio from that sentence's start to the end of the next
    utterance is decoded again as one, so no word is cut in two. The batch path
    (:func:`transcribe`) and the live path (:mod:`voicecoach.live`) both end here.
    """
    return [tuple(d) for d in decoded]


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
    utterances = plan_utterances(regions, duration_s=len(y) / SAMPLE_RATE, settings=tr.settings)
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
