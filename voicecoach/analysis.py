"""One take from audio to feedback, in one straight pass; the only place that wires the modules.

    audio ──decode──▶ samples ──find_speech──▶ speech regions (one voice-activity pass)
          ──transcribe──▶ words, utterance by utterance ──contours──▶ energy and pitch
          ──measure──▶ sentences (delivery + wording) ──coach──▶ tips   = TakeResult

:func:`analyse` runs the edges (decoding, the model); :func:`assess` is the pure rest, a
function of words, speech regions and contours that the tests drive directly.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from .speech import cautions as _cautions
from .coaching import coach as _coach
from .speech import delivery as _delivery
from .speech import placement
from .speech import prosody as _prosody
from . import wording as _wording
from .speech.audio import SR, Audio, AudioError, load
from .result import RequestResult, SentenceResult, TakeResult
from .speech.transcribe import TranscribeSettings
from .types import Region, Word

__all__ = ["Settings", "STAGES", "Progress", "analyse", "assess", "measure", "conclude"]

log = logging.getLogger("voicecoach")
MIN_SPEECH_S = 0.3  # less speech than this (seconds) in a take: "no speech was heard"

#: The stages :func:`analyse` reports to its ``progress`` callback, in order, with the fraction
#: of the work done when each starts (rough shares of the time on a short take; transcription
#: moves on utterance by utterance inside its share).
STAGES: tuple[tuple[str, float], ...] = (
    ("decoding", 0.0), ("voice activity", 0.05), ("transcription", 0.15), ("pitch and loudness", 0.75),
    ("delivery", 0.85), ("wording", 0.9), ("coaching", 0.95), ("done", 1.0),
)
Progress = Callable[[str, float], None]  # (stage name from STAGES, fraction done 0..1)


@dataclass(frozen=True)
class Settings:
    """Every setting of an analysis, one object: voice activity, transcription, pitch, delivery
    measurement, the wording model's thresholds and the coaching thresholds."""

    vad: _prosody.VadSettings = field(default_factory=_prosody.VadSettings)
    transcribe: TranscribeSettings = field(default_factory=TranscribeSettings)
    pitch: _prosody.PitchSettings = field(default_factory=_prosody.PitchSettings)
    wording: _wording.WordingSettings = field(default_factory=_wording.WordingSettings)
    delivery: _delivery.DeliverySettings = field(default_factory=_delivery.DeliverySettings)
    coach: _coach.CoachSettings = field(default_factory=_coach.CoachSettings)
    cautions: _cautions.CautionSettings = field(default_factory=_cautions.CautionSettings)


def measure(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: _prosody.Contours,
    duration_s: float,
    model: str = "",
    settings: Settings | None = None,
    objective: str | None = None,
    request_sentence: int | None = None,
    lap=lambda stage: None,
) -> TakeResult:
    """Everything measured about one take, before coaching (no I/O). ``lap(stage)`` is called
    after the delivery and the wording stages (for timing).

    The request is the sentence the user marked (``request_sentence``, an index into the take's
    sentences, ignored when out of range), else the one that best says the prepared
    ``objective``, else the most specific (:func:`voicecoach.wording.main_request`)."""
    st = settings or Settings()
    words = placement.snap_words(words, regions, contours=contours)
    d = _delivery.measure_delivery(words, regions=regions, contours=contours, duration_s=duration_s,
                                   settings=st.delivery)
    lap("delivery")
    tags = _wording.tag_sentences((s.text for s in d.sentences), settings=st.wording)
    if request_sentence is not None and 0 <= request_sentence < len(tags):
        k = request_sentence
        t = tags[k]
        tags[k] = replace(t, is_request=True, specificity=t.specificity or _wording.check_specificity(t.text))
    else:
        k = _wording.main_request(tags, objective=objective)
    sentences = tuple(SentenceResult.of(s, t) for s, t in zip(d.sentences, tags))
    request = None
    if k is not None:
        pause = _delivery.pause_after(d.sentences[k], words=words, regions=regions, duration_s=duration_s)
        upto = _delivery.count_words(words[: sentences[k].last_word + 1])
        request = RequestResult.of(sentences[k], pause, words_to_request=upto)
    result = TakeResult(
        duration_s=duration_s, model=model, words=tuple(words), speech=tuple(regions),
        sentences=sentences, pace=d.pace, pauses=d.pauses, pitch_range_st=d.pitch_range_st,
        request=request, balance=_wording.balance(tags, durations_s=[s.duration_s for s in sentences]),
        fillers=tuple(_wording.find_fillers(words)), hedges=tuple(_wording.find_hedges(words)),
    )
    lap("wording")
    return result


def assess(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: _prosody.Contours,
    duration_s: float,
    settings: Settings | None = None,
    objective: str | None = None,
    request_sentence: int | None = None,
) -> TakeResult:
    """Measure and coach one take from its words, speech regions and contours (no I/O)."""
    st = settings or Settings()
    t = measure(words, regions=regions, contours=contours, duration_s=duration_s, settings=st,
                objective=objective, request_sentence=request_sentence)
    return _coach.coached(t, settings=st.coach)


def analyse(source, *, model: str | None = None, settings: Settings | None = None,
            progress: Progress | None = None, objective: str | None = None,
            request_sentence: int | None = None) -> TakeResult:
    """Analyse one take: a path, the bytes of an audio file, or a decoded :class:`Audio`.

    ``objective`` (the prepared influence objective) picks the request the user meant among
    several; ``request_sentence`` (an index into the result's sentences) is the one the user
    marked as the request, re-measured as such (see :func:`measure`).

    ``progress(stage, fraction)``, if given, is called as each stage of :data:`STAGES` starts
    (and after each utterance is transcribed), with the fraction of the work done, 0 to 1,
    never decreasing; the last call is ``("done", 1.0)``. It does not change the result.

    Raises
    ------
    AudioError
        The input is not usable audio, or holds no speech.
    transcribe.ModelError
        The speech model is missing or not the expected one.
    """
    from .speech import transcribe as _transcribe

    st = settings or Settings()
    clock = _Clock()
    report = _Reporter(progress)
    report("decoding")
    audio = source if isinstance(source, Audio) else load(source)
    y, duration_s = audio.y, audio.duration_s
    clock.lap("decode")
    report("voice activity")
    speech = _prosody.find_speech(y, sr=SR, settings=st.vad)
    clock.lap("vad")
    if sum(r.duration_s for r in speech.regions) < MIN_SPEECH_S:
        raise AudioError(
            "no speech was heard in the recording (only noise or silence); check the microphone "
            "and record your ask again"
        )
    report("transcription")
    tr = _transcribe.transcribe(y, regions=speech.regions, model=model, settings=st.transcribe,
                                progress=report.within("transcription"))
    clock.lap("transcribe")
    if not tr.words:
        raise AudioError("no words could be recognised in the recording; speak closer to the "
                         "microphone and record again")
    report("pitch and loudness")
    nxt = {"prosody": "delivery", "delivery": "wording", "wording": "coaching", "coach": "done"}
    t = conclude(audio, speech=speech, words=tr.words, model=tr.model, settings=st, objective=objective,
                 request_sentence=request_sentence, lap=lambda stage: (clock.lap(stage), report(nxt[stage])))
    timings = clock.done()
    log.info("analysed %.1f s of audio in %.2f s", duration_s, timings["total"])
    return replace(t, timings_s=timings)


def conclude(audio: Audio, *, speech: _prosody.Speech, words: Sequence[Word], model: str,
             settings: Settings | None = None, contours: _prosody.Contours | None = None,
             objective: str | None = None, request_sentence: int | None = None,
             lap=lambda stage: None) -> TakeResult:
    """The take-level rest of :func:`analyse` once its words are known: contours (pass them if
    already computed), the measures, the cautions and the coaching. The live path
    (:mod:`voicecoach.live`) gathers the words while the take is spoken and ends here too.
    ``lap(stage)`` is called after "prosody", "delivery", "wording" and "coach"."""
    st = settings or Settings()
    c = contours or _prosody.contours(audio.y, sr=SR, energy=speech.energy_db, speech=speech.regions,
                                      pitch=st.pitch)
    lap("prosody")
    t = measure(words, regions=speech.regions, contours=c, duration_s=audio.duration_s, model=model,
                settings=st, objective=objective, request_sentence=request_sentence, lap=lap)
    t = replace(t, warnings=_cautions.cautions(audio, words=t.words, regions=speech.regions,
                                               energy_db=speech.energy_db, settings=st.cautions))
    t = _coach.coached(t, settings=st.coach)  # each check's verdict, once; the tips are the missed ones
    lap("coach")
    return replace(t, vad_agreement=speech.vad_agreement)


class _Reporter:
    """Calls ``progress(stage, fraction)`` for :func:`analyse`; does nothing without a callback."""

    _START = dict(STAGES)

    def __init__(self, progress: Progress | None):
        self._progress = progress

    def __call__(self, stage: str, fraction: float | None = None) -> None:
        if self._progress is not None:
            self._progress(stage, self._START[stage] if fraction is None else fraction)

    def within(self, stage: str) -> Callable[[int, int], None] | None:
        """A ``(done, total)`` callback that moves through ``stage``'s share of the work."""
        if self._progress is None:
            return None
        names = [name for name, _ in STAGES]
        start, end = self._START[stage], self._START[names[names.index(stage) + 1]]
        return lambda done, total: self(stage, start + (end - start) * done / max(total, 1))


class _Clock:
    """Seconds spent in each stage of :func:`analyse` (``TakeResult.timings_s``)."""

    def __init__(self):
        self._t0 = self._t = time.perf_counter()
        self._laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._laps[stage] = now - self._t
        self._t = now

    def done(self) -> dict[str, float]:
        self._laps["total"] = time.perf_counter() - self._t0
        return {k: round(v, 3) for k, v in self._laps.items()}
