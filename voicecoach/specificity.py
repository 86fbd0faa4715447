"""How concrete an ask is: a concrete action, its object and a time, and which are missing.

Serves the requests the tagger finds in a take (:mod:`voicecoach.wording` runs it on every
request) and the influence objective written before practising. The patterns (actions, times,
vague words) are data in :mod:`voicecoach.wording_rules`; :mod:`voicecoach.wording` re-exports
everything here.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from voicecoach import wording_rules as _r
from voicecoach.wording_stages import clean_text

__all__ = ["Specificity", "check_specificity", "vague_note"]


@dataclass(frozen=True)
class Specificity:
    """How concrete an ask is: an action, an object and a time, and no vague-only wording.

    Attributes
    ----------
    is_specific : bool
        True when a concrete action, its object and a time are all present. The coach's
        ``vague_request`` tip fires when it is False.
    action, object, time : str or None
        The parts found, as written (``"enrol"``, ``"the leadership course"``,
        ``"before the March intake"``); ``None`` when absent. ``action`` is ``"give"`` when the
        ask is a noun ("I'd like a slot…"), i.e. the manager gives it.
    vague_terms : tuple of str
        Vague words found ("support", "commitment", "think about it", "soon").
    missing : tuple of str
        Subset of ``("action", "object", "time")`` that is absent or only vague.
    """

    is_specific: bool
    action: str | None
    object: str | None
    time: str | None
    vague_terms: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def is_vague(self) -> bool:
        """True when the ask uses vague words and has no concrete action or no concrete object
        ("I'd appreciate your support"). Descriptive only: the coach's ``vague_request`` tip
        fires on ``not is_specific``, which also covers a concrete ask without a time."""
        return bool(self.vague_terms) and ("action" in self.missing or "object" in self.missing)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["vague_terms"], d["missing"] = list(self.vague_terms), list(self.missing)
        d["is_vague"] = self.is_vague
        return d


_CLAUSE_END_RE = re.compile(r"[,;:.?!]| (?:so|because|since|if|and then|which|as|when|so that|please)\b")
_LEAD_RE = re.compile(
    r"^(?:(?:me|my name|us|him|her|it|myself)\b ?)?(?:(?:off on|off|forward for|forward|up for|up|on|onto|"
    r"into|to|for|in|with|at)\b ?)?"
)


def _object_after(clean: str, start: int, stop: int) -> str | None:
    tail = clean[start:stop]
    end = _CLAUSE_END_RE.search(tail.lower())
    tail = tail[: end.start()] if end else tail
    low = tail.lower().strip()
    lead = _LEAD_RE.match(low)
    obj = tail.strip()[lead.end():].strip(" ,.?!") if lead else tail.strip(" ,.?!")
    if not obj and re.match(r"^(?:me|my name)\b", low):
        return "me"
    return obj or None


def check_specificity(text: str) -> Specificity:
    """Check whether an ask names a concrete action, an object and a time.

    Serves requests in a take and the influence objective written before practising
    ("My manager agrees to enrol me on the leadership course before the March intake").

    Parameters
    ----------
    text : str
        The request sentence or objective.

    Returns
    -------
    Specificity
    """
    if not isinstance(text, str):
        raise TypeError(f"check_specificity expects a str, got {type(text).__name__}")
    clean = _r.ACTION_LEMMA_RE.sub(lambda m: _r.ACTION_LEMMAS[m.group(0).lower()], clean_text(text))
    low = clean.lower()
    if len(low) != len(clean):  # rare Unicode case changes: fall back to lower case throughout
        clean = low
    tm = _r.TIME_RE.search(low)
    time = clean[tm.start():tm.end()].strip() if tm else None
    am = _r.ACTION_RE.search(low)
    nm = _r.NOUN_ASK_RE.search(low)
    action = obj = None
    if nm and (am is None or nm.start() < am.start()):
        action = "give"
        stop = tm.start() if tm and tm.start() > nm.start("object") else len(clean)
        obj = _object_after(clean, nm.start("object"), stop)
    elif am:
        action = clean[am.start("action"):am.end("action")]
        stop = tm.start() if tm and tm.start() > am.end() else len(clean)
        obj = _object_after(clean, am.end(), stop)
    vague_terms = tuple(dict.fromkeys(m.group(0) for m in _r.VAGUE_RE.finditer(low)))
    vague_action = action is not None and re.sub(r"\s+me\b", "", action.lower()) in _r.VAGUE_ACTIONS
    core = None if obj is None else " ".join(
        w for w in re.sub("|".join(sorted(_r.VAGUE_TIME_TERMS, key=len, reverse=True)), " ", obj.lower()).split())
    vague_object = core is not None and (bool(_r.VAGUE_OBJECT_RE.match(core)) or core in ("", "it", "that", "this"))
    missing = tuple(part for part, absent in (
        ("action", action is None or vague_action),
        ("object", obj is None or vague_object),
        ("time", time is None)) if absent)
    return Specificity(is_specific=not missing, action=action, object=obj, time=time,
                       vague_terms=vague_terms, missing=missing)


def vague_note(spec: Specificity) -> str | None:
    """What is wrong with the vague words of an ask, in a sentence or two (None without any):
    a vague time ("soon", "sometime") is not a time; any other vague word ("support",
    "commitment", "think about it") is not something the manager can do."""
    times = [t for t in spec.vague_terms if t in _r.VAGUE_TIME_TERMS]
    others = [t for t in spec.vague_terms if t not in _r.VAGUE_TIME_TERMS]
    quoted = lambda terms: ", ".join(f"“{t}”" for t in terms)
    notes = []
    if others:
        notes.append(f"{quoted(others)} {'is' if len(others) == 1 else 'are'} not something your manager can "
                     "do or say yes to: name the action.")
    if times:
        notes.append(f"{quoted(times)} {'is' if len(times) == 1 else 'are'} not a time: name a date or an event.")
    return " ".join(notes) or None
