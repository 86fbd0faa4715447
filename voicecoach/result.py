"""The result of analysing one take: one type, built once by :func:`voicecoach.analysis.analyse`
and read by the coach, the report, the CLI and the studio. :meth:`TakeResult.to_dict` is the
JSON contract of ``../shared/DESIGN.md`` (keys kept, more may be added) and
:meth:`TakeResult.from_dict` reads it back: ``from_dict(to_dict(t)) == t``. ``schema_version`` 2
adds what a saved result needs to be whole again (word indices, speech regions, the verdicts
under ``checks``); a schema-1 dict (the JSON saved before) is migrated as it is read: what it
lacks is recomputed from what it holds (:func:`_migrate_v1`), the verdicts by running the checks.

The take-level numbers (the Takes table, Compare's trends, the store's summary columns) are
defined here once, as properties of :class:`TakeResult` (:meth:`TakeResult.summary`).

Every time is in seconds from the start of the recording.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from .speech.delivery import Pace, Pause, RequestPause, Sentence, count_words
from .wording.markers import per_100_words
from .types import Caution, Region, Word
from .coaching.verdict import Verdict
from .wording import Balance, Marker, SentenceTag, Specificity

__all__ = ["SCHEMA_VERSION", "SentenceResult", "RequestResult", "Feedback", "Caution", "UNTRUSTED_WORDS",
           "TakeResult", "SUMMARY_KEYS"]

SCHEMA_VERSION = 2
#: Cautions that mean the words cannot be trusted: the coach then gives no tips that rest on
#: them (see :mod:`voicecoach.speech.cautions`).
UNTRUSTED_WORDS = ("not_english", "low_confidence", "repeated_words")


@dataclass(frozen=True)
class SentenceResult(Sentence):
    """One sentence: where it is and how it was said (the delivery measures of
    :class:`voicecoach.speech.delivery.Sentence`: ``wpm``, ``end_drop_db``, ``end_pitch_st``, ...) and
    what it does (its wording tag), together."""

    tag: str  # push | pull | move_away | neutral (voicecoach.wording.vocabulary.TAGS)
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

    @classmethod
    def from_dict(cls, d: dict) -> "Feedback":
        return cls(d["code"], d["severity"], d["message"], d.get("start"), d.get("end"))

    @classmethod
    def of(cls, v: Verdict) -> "Feedback":
        """The tip of a missed verdict: its explanation at its moment."""
        return cls(v.code, v.severity, v.explanation, v.start_s, v.end_s)


#: The take-level numbers the store keeps as summary columns (:meth:`TakeResult.summary`).
SUMMARY_KEYS = ("speaking_wpm", "end_drop_db", "pause_after_s", "still_waiting", "push_share", "pull_share",
                "move_away_share", "fillers_per_100", "hedges_per_100")


@dataclass(frozen=True)
class TakeResult:
    """Everything measured about one take, and the coaching: ``verdicts`` (one per check of
    :data:`voicecoach.coaching.coach.CHECKS`, computed once) and ``feedback`` (the missed verdicts as
    tips, most important first)."""

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
    verdicts: tuple[Verdict, ...] = ()  # one per coaching check (voicecoach.coaching.coach.CHECKS)
    timings_s: dict = field(default_factory=dict, compare=False)  # seconds per analysis stage

    def __post_init__(self):
        # kept at the precision the JSON keeps, so a saved result is judged as the fresh one was
        if any(round(w.probability, 3) != w.probability for w in self.words):
            object.__setattr__(self, "words", tuple(replace(w, probability=round(w.probability, 3))
                                                    for w in self.words))
        object.__setattr__(self, "duration_s", round(self.duration_s, 3))

    @property
    def transcript(self) -> str:
        """The words that were counted, in order (what the page shows)."""
        return " ".join(w.text for w in self.words)

    @property
    def words_trusted(self) -> bool:
        """False when a caution says the words are likely wrong (:data:`UNTRUSTED_WORDS`)."""
        return not any(c.code in UNTRUSTED_WORDS for c in self.warnings)

    def verdict(self, code: str) -> Verdict | None:
        """The verdict of the check ``code`` (None: no such check in this result)."""
        return next((v for v in self.verdicts if v.code == code), None)

    # ---- the take-level numbers, defined once ----------------------------------------------

    @property
    def n_words(self) -> int:
        """Words with a letter or digit: the count every rate uses (``delivery.count_words``)."""
        return count_words(self.words)

    @property
    def speaking_wpm(self) -> float | None:
        """Speaking pace (each pause counted up to 1 s), else the pace over the whole take."""
        return self.pace.speaking_wpm if self.pace.speaking_wpm is not None else self.pace.wpm

    @property
    def end_drop_sentence(self) -> SentenceResult | None:
        """The sentence whose end fades most (largest ``end_drop_db``; the first on a tie)."""
        measured = [x for x in self.sentences if x.end_drop_db is not None]
        return max(measured, key=lambda x: x.end_drop_db) if measured else None

    @property
    def end_drop_db(self) -> float | None:
        """The take's end drop: that of its weakest sentence end (:attr:`end_drop_sentence`), so a
        request that fades is never hidden by the sentences that do not."""
        x = self.end_drop_sentence
        return None if x is None else x.end_drop_db

    @property
    def pause_after_s(self) -> float | None:
        return None if self.request is None else self.request.pause_after_s

    @property
    def still_waiting(self) -> int | None:
        return None if self.request is None else int(bool(self.request.still_waiting))

    @property
    def push_share(self) -> float | None:
        """Share of the sentence time in Push (0..1); None with no sentence."""
        return self.balance.push_share if self.sentences else None

    @property
    def pull_share(self) -> float | None:
        return self.balance.pull_share if self.sentences else None

    @property
    def move_away_share(self) -> float | None:
        return self.balance.move_away_share if self.sentences else None

    @property
    def fillers_per_100(self) -> float | None:
        """:func:`voicecoach.wording.markers.per_100_words` over :attr:`n_words` (the coach's rate); None with no words."""
        n = self.n_words
        return per_100_words(len(self.fillers), n) if n else None

    @property
    def hedges_per_100(self) -> float | None:
        n = self.n_words
        return per_100_words(len(self.hedges), n) if n else None

    def summary(self) -> dict:
        """The store's summary columns (:data:`SUMMARY_KEYS`), each None when not measured."""
        return {k: getattr(self, k) for k in SUMMARY_KEYS}

    # ---- saved and read back -----------------------------------------------------------------

    def to_dict(self) -> dict:
        """The JSON contract of DESIGN.md, plus the keys that make it whole again (schema 2)."""
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
                "index": s.index, "first_word": s.first_word, "last_word": s.last_word, "n_words": s.n_words,
                "specificity": s.specificity.to_dict() if s.specificity else None,
            } for s in self.sentences],
            "pace": {"wpm": p.wpm, "articulation_wpm": p.articulation_wpm, "speaking_wpm": p.speaking_wpm,
                     "speaking_time_s": p.speaking_time_s},
            "pauses": [{"start": x.start_s, "end": x.end_s, "duration_s": round(x.duration_s, 3),
                        "after_sentence": x.after_sentence, "at_sentence_end": x.at_sentence_end}
                       for x in self.pauses],
            "request": None if r is None else {
                "sentence_index": r.sentence_index, "text": r.text,
                "pause_after_s": r.pause_after_s, "still_waiting": r.still_waiting,
                "carried_on": r.carried_on, "speech_end": r.speech_end_s,
                "specificity": r.specificity.to_dict() if r.specificity else None,
                "ask_words": r.words_to_request, "start": r.start_s, "end": r.end_s,
            },
            "push_pull": {"push_share": b.push_share, "pull_share": b.pull_share,
                          "move_away_share": b.move_away_share, "switches": b.switches,
                          "neutral_share": b.neutral_share, "push_only": b.push_only, "pull_only": b.pull_only},
            "fillers": [{"text": f.text, "start": f.start_s, "word_index": f.word_index} for f in self.fillers],
            "hedges": [{"text": h.text, "start": h.start_s, "word_index": h.word_index} for h in self.hedges],
            "feedback": [f.to_dict() for f in self.feedback],
            "warnings": [c.to_dict() for c in self.warnings],
            "pitch_range_st": self.pitch_range_st,
            "vad_agreement": self.vad_agreement,
            "speech": [{"start": x.start_s, "end": x.end_s} for x in self.speech],
            "checks": [v.to_dict() for v in self.verdicts],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "TakeResult":
        """The result :meth:`to_dict` wrote (schema 2), or a schema-1 dict migrated: what it lacks
        is recomputed from what it holds, and its verdicts and tips by running the checks on it.
        Raises ValueError for a dict of an unknown schema."""
        version = d.get("schema_version", 1)
        if version not in (1, SCHEMA_VERSION):
            raise ValueError(f"a saved analysis of schema {version!r}; this version reads 1 and {SCHEMA_VERSION}")
        if version == 1:
            d = _migrate_v1(d)
        words = tuple(Word(w["text"], w["start"], w["end"], w.get("probability", 1.0)) for w in d["words"])
        sentences = tuple(SentenceResult(
            index=x["index"], text=x["text"], first_word=x["first_word"], last_word=x["last_word"],
            start_s=x["start"], end_s=x["end"], n_words=x["n_words"], wpm=x["wpm"], end_drop_db=x["end_drop_db"],
            end_pitch_st=x["end_pitch_st"], end_voiced_fraction=x.get("end_voiced_fraction"), tag=x["tag"],
            behaviour=x["behaviour"], is_request=x["is_request"], cues=tuple(x.get("cues") or ()),
            reason=x.get("reason") or "", tag_source=x.get("tag_source") or "rule",
            specificity=_spec(x.get("specificity"))) for x in d["sentences"])
        r, p, pp = d.get("request"), d["pace"], d["push_pull"]
        t = cls(
            duration_s=d["duration_s"], model=d.get("model") or "", words=words,
            speech=tuple(Region(x["start"], x["end"]) for x in d.get("speech") or ()),
            sentences=sentences,
            pace=Pace(wpm=p.get("wpm"), articulation_wpm=p.get("articulation_wpm"),
                      speaking_wpm=p.get("speaking_wpm"), speaking_time_s=p["speaking_time_s"]),
            pauses=tuple(Pause(x["start"], x["end"], after_sentence=x.get("after_sentence"),
                               at_sentence_end=x["at_sentence_end"]) for x in d.get("pauses") or ()),
            pitch_range_st=d.get("pitch_range_st"),
            request=None if r is None else RequestResult(
                sentence_index=r["sentence_index"], text=r["text"], start_s=r["start"], end_s=r["end"],
                speech_end_s=r["speech_end"], pause_after_s=r["pause_after_s"], still_waiting=r["still_waiting"],
                carried_on=r["carried_on"], specificity=_spec(r.get("specificity")), words_to_request=r["ask_words"]),
            balance=Balance(push_share=pp["push_share"], pull_share=pp["pull_share"],
                            move_away_share=pp["move_away_share"], neutral_share=pp["neutral_share"],
                            switches=pp["switches"], push_only=pp["push_only"], pull_only=pp["pull_only"]),
            fillers=tuple(Marker(x["text"], x["start"], x["word_index"]) for x in d.get("fillers") or ()),
            hedges=tuple(Marker(x["text"], x["start"], x["word_index"]) for x in d.get("hedges") or ()),
            warnings=tuple(Caution.from_dict(x) for x in d.get("warnings") or ()),
            vad_agreement=d.get("vad_agreement"),
        )
        if "checks" in d:
            return replace(t, verdicts=tuple(Verdict.from_dict(x) for x in d["checks"]),
                           feedback=tuple(Feedback.from_dict(x) for x in d.get("feedback") or ()))
        from .coaching.coach import coached  # the checks, run once on the migrated result
        return coached(t)


def _spec(d: dict | None) -> Specificity | None:
    if d is None:
        return None
    return Specificity(is_specific=d["is_specific"], action=d.get("action"), object=d.get("object"),
                       time=d.get("time"), vague_terms=tuple(d.get("vague_terms") or ()),
                       missing=tuple(d.get("missing") or ()))


def _migrate_v1(d: dict) -> dict:
    """A schema-1 analysis (saved before schema 2) with the keys of schema 2 recomputed from
    what it holds: each sentence's words (consecutive, by time), its word count and the
    specificity of its request; the request's times; each pause's place; the neutral share and
    push/pull-only flags (``wording.balance``); each marker's word (by its start); no verdicts
    (the caller runs the checks). The speech regions were not saved: none."""
    from .wording import check_specificity
    d = {"duration_s": 0.0, **d}
    words = [{"start": 0.0, "end": 0.0, **w} for w in d.get("words") or ()]
    d["words"] = words
    objs = [Word(w["text"], w["start"], w["end"], w.get("probability", 1.0)) for w in words]
    req = d.get("request")
    sentences, k = [], 0
    raw = list(d.get("sentences") or ())
    for i, x in enumerate(raw):
        first = k
        if "end" in x:  # the words up to its end, consecutive (sentences split the words in order)
            while k < len(words) and (k == first or words[k]["start"] < x["end"] - 1e-6):
                k += 1
        else:  # a sentence saved without times: an even share of the words
            k = min(len(words), first + max(1, round((len(words) - first) / (len(raw) - i))))
        last = max(first, k - 1)
        if "start" not in x or "end" not in x:
            x = {**x, "start": objs[first].start_s if first < len(objs) else 0.0,
                 "end": objs[last].end_s if last < len(objs) else 0.0}
        x = {"wpm": None, "end_drop_db": None, "end_pitch_st": None, "tag": "neutral", "behaviour": None,
             "is_request": False, **x}
        spec = (req.get("specificity") if req is not None and req.get("sentence_index") == i else None)
        if spec is None and x.get("is_request"):
            spec = check_specificity(x["text"]).to_dict()
        sentences.append({**x, "index": i, "first_word": first, "last_word": last,
                          "n_words": count_words(objs[first: last + 1]), "specificity": spec})
    d["sentences"] = sentences
    pace = dict(d.get("pace") or {})
    pace.setdefault("speaking_time_s", round(objs[-1].end_s - objs[0].start_s, 3) if objs else 0.0)
    d["pace"] = pace
    ends = {s["last_word"] for s in sentences}
    d["pauses"] = [{**x, "at_sentence_end": sum(1 for w in objs if (w.start_s + w.end_s) / 2 < x["start"]) - 1 in ends}
                   for x in d.get("pauses") or ()]
    if req is not None and 0 <= req.get("sentence_index", -1) < len(sentences):
        s = sentences[req["sentence_index"]]
        d["request"] = {"carried_on": False, "speech_end": s["end"], "text": s["text"], "pause_after_s": 0.0,
                        "still_waiting": False, "ask_words": count_words(objs[: s["last_word"] + 1]), **req,
                        "start": s["start"], "end": s["end"]}
    else:
        d["request"] = None
    pp = dict(d.get("push_pull") or {})
    push, pull = pp.get("push_share") or 0.0, pp.get("pull_share") or 0.0
    tagged = push + pull + (pp.get("move_away_share") or 0.0)
    d["push_pull"] = {"push_share": push, "pull_share": pull, "move_away_share": pp.get("move_away_share") or 0.0,
                      "switches": int(pp.get("switches") or 0),
                      "neutral_share": max(0.0, 1.0 - tagged) if any(x.get("end", 0) > x.get("start", 0)
                                                                     for x in sentences) else 0.0,
                      "push_only": push > 0 and pull <= 0, "pull_only": pull > 0 and push <= 0}
    for key in ("fillers", "hedges"):
        d[key] = [{"start": 0.0, **m, "word_index": min(range(len(objs)), key=lambda j: abs(objs[j].start_s - m.get("start", 0.0)),
                                          default=0)} for m in d.get(key) or ()]
    d.pop("checks", None)
    return d
