"""The result of analysing one take: one type, built once by :func:`voicecoach.analysis.analyse`
and read by the coach, the report, the CLI and the studio. :meth:`TakeResult.to_dict` is the
JSON contract of ``../shared/DESIGN.md`` (``schema_version`` 1, keys kept, more may be added).

Every time is in seconds from the start of the recording.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from .delivery import Pace, Pause, RequestPause, Sentence
from .types import Region, Word
from .wording import Balance, Marker, SentenceTag, Specificity

__all__ = ["SCHEMA_VERSION", "SentenceResult", "RequestResult", "Feedback", "Caution", "UNTRUSTED_WORDS",
           "TakeResult"]

SCHEMA_VERSION = 1
#: Cautions that mean the words cannot be trusted: the coach then gives no tips that rest on
#: them (see :mod:`voicecoach.cautions`).
UNTRUSTED_WORDS = ("not_english", "low_confidence", "repeated_words")


@dataclass(frozen=True)
class SentenceResult(Sentence):
    """One sentence: where it is and how it was said (the delivery measures of
    :class:`voicecoach.delivery.Sentence`: ``wpm``, ``end_drop_db``, ``end_pitch_st``, ...) and
    what it does (its wording tag), together."""

    tag: str  # push | pull | move_away | neutral (voicecoach.vocabulary.TAGS)
    behaviour: str | None
    is_request: bool
    cues: tuple[str, ...]
    reason: str
    tag_source: str  # "rule" or "model"
    specificity: Specificity | None  # set for requests

    @classmethod
    def of(cls, s: Sentence, t: SentenceTag) -> "SentenceResult":
        return cls(**{f.name: getattr(s, f.name) for f in fields(Sentence)}, tag=t.tag, behaviour=t.behaviour,
                   is_request=t.is_request, cues=t.cues, reason=t.reason, tag_source=t.source,
                   specificity=t.specificity)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class RequestResult:
    """The take's main request and the silence held after it."""

    sentence_index: int
    text: str
    start_s: float
    end_s: float
    speech_end_s: float  # where the request's speech ends (voice activity)
    pause_after_s: float  # silence after it: to the next speech, or to the end of the recording
    still_waiting: bool  # the recording ended during that silence
    carried_on: bool  # the speaker went straight on in the same breath (pause_after_s is 0)
    specificity: Specificity | None
    words_to_request: int  # words from the start of the take to the end of the request

    @classmethod
    def of(cls, s: SentenceResult, p: RequestPause, *, words_to_request: int) -> "RequestResult":
        return cls(sentence_index=s.index, text=s.text, start_s=s.start_s, end_s=s.end_s,
                   speech_end_s=p.speech_end_s, pause_after_s=p.pause_after_s,
                   still_waiting=p.still_waiting, carried_on=p.carried_on,
                   specificity=s.specificity, words_to_request=words_to_request)


@dataclass(frozen=True)
class Feedback:
    """One coaching tip, tied to its moment (``start_s``/``end_s``, None for the whole take)."""

    code: str
    severity: str  # high | medium | low
    message: str
    start_s: float | None
    end_s: float | None

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "start": self.start_s, "end": self.end_s}


@dataclass(frozen=True)
class Caution:
    """Why part of a take's result cannot be trusted (a cut-off file, clipping, words the
    speech model was unsure of): ``message`` says what is wrong and what to do. Made by
    :func:`voicecoach.cautions.cautions`; named ``Caution`` so as not to shadow ``Warning``."""

    code: str  # truncated | clipping | not_english | low_confidence | repeated_words
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class TakeResult:
    """Everything measured about one take, and the coaching."""

    duration_s: float
    model: str
    words: tuple[Word, ...]  # placed where the voice is (placement.snap_words)
    speech: tuple[Region, ...]  # speech regions (voice activity)
    sentences: tuple[SentenceResult, ...]
    pace: Pace
    pauses: tuple[Pause, ...]
    pitch_range_st: float | None  # 5th to 95th percentile of voiced pitch over the take
    request: RequestResult | None
    balance: Balance
    fillers: tuple[Marker, ...]
    hedges: tuple[Marker, ...]
    feedback: tuple[Feedback, ...] = ()
    warnings: tuple[Caution, ...] = ()  # what makes the result less trustworthy, and what to do
    vad_agreement: float | None = None  # Silero VAD vs frame energy, share of frames agreeing
    timings_s: dict = field(default_factory=dict, compare=False)  # seconds per analysis stage

    @property
    def transcript(self) -> str:
        """The words that were counted, in order (what the page shows)."""
        return " ".join(w.text for w in self.words)

    @property
    def words_trusted(self) -> bool:
        """False when a caution says the words are likely wrong (:data:`UNTRUSTED_WORDS`)."""
        return not any(c.code in UNTRUSTED_WORDS for c in self.warnings)

    def to_dict(self) -> dict:
        """The JSON contract of DESIGN.md (schema_version 1), plus a few extra keys."""
        r, b, p = self.request, self.balance, self.pace
        return {
            "schema_version": SCHEMA_VERSION,
            "duration_s": round(self.duration_s, 3),
            "model": self.model,
            "transcript": self.transcript,
            "words": [{"text": w.text, "start": w.start_s, "end": w.end_s, "probability": round(w.probability, 3)}
                      for w in self.words],
            "sentences": [{
                "text": s.text, "start": s.start_s, "end": s.end_s, "wpm": s.wpm,
                "end_drop_db": s.end_drop_db, "end_pitch_st": s.end_pitch_st,
                "tag": s.tag, "behaviour": s.behaviour, "is_request": s.is_request,
                "cues": list(s.cues), "reason": s.reason, "tag_source": s.tag_source,
                "end_voiced_fraction": s.end_voiced_fraction,
            } for s in self.sentences],
            "pace": {"wpm": p.wpm, "articulation_wpm": p.articulation_wpm, "speaking_wpm": p.speaking_wpm},
            "pauses": [{"start": x.start_s, "end": x.end_s, "duration_s": round(x.duration_s, 3),
                        "after_sentence": x.after_sentence} for x in self.pauses],
            "request": None if r is None else {
                "sentence_index": r.sentence_index, "text": r.text,
                "pause_after_s": r.pause_after_s, "still_waiting": r.still_waiting,
                "carried_on": r.carried_on, "speech_end": r.speech_end_s,
                "specificity": r.specificity.to_dict() if r.specificity else None,
                "ask_words": r.words_to_request,
            },
            "push_pull": {"push_share": b.push_share, "pull_share": b.pull_share,
                          "move_away_share": b.move_away_share, "switches": b.switches},
            "fillers": [{"text": f.text, "start": f.start_s} for f in self.fillers],
            "hedges": [{"text": h.text, "start": h.start_s} for h in self.hedges],
            "feedback": [f.to_dict() for f in self.feedback],
            "warnings": [c.to_dict() for c in self.warnings],
            "pitch_range_st": self.pitch_range_st,
            "vad_agreement": self.vad_agreement,
        }
