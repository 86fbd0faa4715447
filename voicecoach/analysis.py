"""One take from audio to feedback: the only place that wires the modules together.

:func:`analyse` runs the three edges (decode, model, VAD/prosody) and then :func:`assess`, a
pure function of words, speech regions and contours, which the tests can drive directly.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Sequence

from . import coach as _coach
from . import delivery as _delivery
from . import prosody as _prosody
from . import wording as _wording
from .audio import SR, Audio, AudioError, load
from .transcribe import TranscribeSettings
from .types import Region, Word

__all__ = ["Settings", "Measurements", "Analysis", "analyse", "assess", "measure", "SCHEMA_VERSION"]

log = logging.getLogger("voicecoach")
SCHEMA_VERSION = 1
_MIN_SPEECH_S = 0.3


@dataclass(frozen=True)
class Settings:
    delivery: _delivery.DeliverySettings = field(default_factory=_delivery.DeliverySettings)
    coach: _coach.CoachSettings = field(default_factory=_coach.CoachSettings)
    vad: _prosody.VadSettings = field(default_factory=_prosody.VadSettings)
    transcribe: TranscribeSettings = field(default_factory=TranscribeSettings)


@dataclass(frozen=True)
class Measurements:
    """Everything measured about one take, before coaching."""

    duration_s: float
    words: tuple[Word, ...]  # times clipped to the speech the VAD found
    regions: tuple[Region, ...]  # speech regions (VAD)
    delivery: _delivery.Delivery
    tags: tuple  # wording.SentenceTag, one per sentence
    request_index: int | None
    request_pause: _delivery.RequestPause | None
    fillers: tuple
    hedges: tuple
    balance: object  # wording.Balance
    ask_words: int | None  # words from the start of the take to the end of the request


@dataclass(frozen=True)
class Analysis:
    model: str
    transcript: str
    m: Measurements
    feedback: tuple[_coach.Feedback, ...]
    vad_agreement: float | None = None  # Silero VAD vs frame energy, share of frames agreeing
    timings_s: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """The JSON contract of DESIGN.md (schema_version 1), plus a few extra keys."""
        m, d = self.m, self.m.delivery
        sentences = []
        for s, t in zip(d.sentences, m.tags):
            sentences.append({
                "text": s.text, "start": s.start_s, "end": s.end_s, "wpm": s.wpm,
                "end_drop_db": s.end_drop_db, "end_pitch_st": s.end_pitch_st,
                "tag": t.tag, "behaviour": t.behaviour, "is_request": t.is_request,
                "cues": list(t.cues), "reason": t.reason, "tag_source": t.source, "end_voiced_fraction": s.end_voiced_fraction,
            })
        request = None
        if m.request_index is not None:
            rs, rp, rt = d.sentences[m.request_index], m.request_pause, m.tags[m.request_index]
            request = {
                "sentence_index": m.request_index, "text": rs.text,
                "pause_after_s": rp.pause_after_s, "still_waiting": rp.still_waiting,
                "speech_end": rp.speech_end_s,
                "specificity": rt.specificity.to_dict() if rt.specificity else None,
                "ask_words": m.ask_words,
            }
        b = m.balance
        return {
            "schema_version": SCHEMA_VERSION,
            "duration_s": round(m.duration_s, 3),
            "model": self.model,
            "transcript": self.transcript,
            "words": [{"text": w.text, "start": w.start_s, "end": w.end_s} for w in m.words],
            "sentences": sentences,
            "pace": {"wpm": d.wpm, "articulation_wpm": d.articulation_wpm},
            "pauses": [{"start": p.start_s, "end": p.end_s, "duration_s": round(p.duration_s, 3),
                        "after_sentence": p.after_sentence} for p in d.pauses],
            "request": request,
            "push_pull": {"push_share": b.push_share, "pull_share": b.pull_share,
                          "move_away_share": b.move_away_share, "switches": b.switches},
            "fillers": [{"text": f.text, "start": f.start_s} for f in m.fillers],
            "hedges": [{"text": h.text, "start": h.start_s} for h in m.hedges],
            "feedback": [f.to_dict() for f in self.feedback],
            "pitch_range_st": d.pitch_range_st,
            "vad_agreement": self.vad_agreement,
        }


def measure(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: _prosody.Contours,
    duration_s: float,
    settings: Settings | None = None,
    lap=lambda stage: None,
) -> Measurements:
    """Measure one take from its words, speech regions and contours (no I/O). ``lap(stage)``
    is called after the delivery and the wording stages (for timing)."""
    st = settings or Settings()
    words = _delivery.snap_words(words, regions, contours=contours)
    d = _delivery.measure_delivery(words, regions=regions, contours=contours, duration_s=duration_s,
                                   settings=st.delivery)
    lap("delivery")
    tags = tuple(_wording.tag_sentences(s.text for s in d.sentences))
    req = _wording.main_request(tags)
    rpause = None
    if req is not None:
        rpause = _delivery.pause_after(d.sentences[req], words=words, regions=regions, duration_s=duration_s)
    m = Measurements(
        duration_s=duration_s, words=tuple(words), regions=tuple(regions), delivery=d, tags=tags,
        request_index=req, request_pause=rpause,
        fillers=tuple(_wording.find_fillers(words)), hedges=tuple(_wording.find_hedges(words)),
        balance=_wording.balance(tags, durations_s=[s.end_s - s.start_s for s in d.sentences]),
        ask_words=_wording.conciseness(tags, request_index=req) if req is not None else None,
    )
    lap("wording")
    return m


def assess(
    words: Sequence[Word],
    *,
    regions: Sequence[Region],
    contours: _prosody.Contours,
    duration_s: float,
    settings: Settings | None = None,
) -> tuple[Measurements, list[_coach.Feedback]]:
    """Measure and coach one take from its words, speech regions and contours (no I/O)."""
    st = settings or Settings()
    m = measure(words, regions=regions, contours=contours, duration_s=duration_s, settings=st)
    return m, _coach.coach(m, settings=st.coach)


def analyse(source, *, model: str | None = None, settings: Settings | None = None) -> Analysis:
    """Analyse one take: a path, the bytes of an audio file, or a decoded :class:`Audio`.

    One pass: decode → speech regions (Silero VAD, widened to the frame energy) → words, one
    utterance at a time → pitch over the speech → :func:`assess`. The same speech regions cut
    the utterances and measure the pauses.

    Raises
    ------
    AudioError
        The input is not usable audio, or holds no speech.
    transcribe.ModelError
        The speech model is missing or not the expected one.
    """
    from . import transcribe as _transcribe

    st = settings or Settings()
    clock = _Clock()
    audio = source if isinstance(source, Audio) else load(source)
    y, duration_s = audio.y, audio.duration_s
    clock.lap("decode")
    speech = _prosody.find_speech(y, sr=SR, settings=st.vad)
    regions = speech.regions
    clock.lap("vad")
    if sum(r.duration_s for r in regions) < _MIN_SPEECH_S:
        raise AudioError(
            "no speech was heard in the recording (only noise or silence); check the microphone "
            "and record your ask again"
        )
    tr = _transcribe.transcribe(y, regions=regions, model=model, settings=st.transcribe)
    clock.lap("transcribe")
    if not tr.words:
        raise AudioError("no words could be recognised in the recording; speak closer to the "
                         "microphone and record again")
    c = _prosody.contours(y, sr=SR, energy=speech.energy_db, speech=regions)
    clock.lap("prosody")
    m = measure(tr.words, regions=regions, contours=c, duration_s=duration_s, settings=st, lap=clock.lap)
    feedback = _coach.coach(m, settings=st.coach)
    clock.lap("coach")
    timings = clock.done()
    log.info("analysed %.1f s of audio in %.2f s", duration_s, timings["total"])
    return Analysis(model=tr.model, transcript=" ".join(w.text for w in m.words), m=m,
                    feedback=tuple(feedback), vad_agreement=speech.vad_agreement, timings_s=timings)


class _Clock:
    """Seconds spent in each stage of :func:`analyse` (``Analysis.timings_s``)."""

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
