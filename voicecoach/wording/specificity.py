"""How concrete an ask is: a concrete action, its object and a time, and which are missing.

Serves the requests the tagger finds in a take (:mod:`voicecoach.wording` runs it on every
request) and the influence objective written before practising. The patterns (actions, times,
vague words) are data in :mod:`voicecoach.wording.rules`; :mod:`voicecoach.wording` re-exports
everything here.

The ask as heard (:func:`hear_ask`): each part on the words that carry it, quoted verbatim, and
whether it rests on a word Whisper heard with low probability (:func:`uncertain`, the one
definition of an uncertain word); the coach and the page read it so that no tip and no verdict
rests on a guess.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Sequence

from . import rules as _r
from ..types import Word
from .stages import clean_text

__all__ = ["Specificity", "check_specificity", "vague_note", "UNCERTAIN_BELOW", "UNCERTAIN_NAME_BELOW", "uncertain", "HeardPart",
           "HeardAsk", "hear_ask", "ask_words", "typed_words", "misheard"]

PARTS = ("action", "object", "time")


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
    #: (part, start, end) of each part found, as character offsets into ``clean_text(text)``:
    #: the words that carry it as they were written (the action of "I'd like a slot" is "I'd like").
    spans: tuple[tuple[str, int, int], ...] = field(default=(), compare=False, repr=False)

    @property
    def is_vague(self) -> bool:
        """True when the ask uses vague words and has no concrete action or no concrete object
        ("I'd appreciate your support"). Descriptive only: the coach's ``vague_request`` tip
        fires on ``not is_specific``, which also covers a concrete ask without a time."""
        return bool(self.vague_terms) and ("action" in self.missing or "object" in self.missing)

    def to_dict(self) -> dict:
        d = asdict(self)
        del d["spans"]
        d["vague_terms"], d["missing"] = list(self.vague_terms), list(self.missing)
        d["is_vague"] = self.is_vague
        return d


_WORD_RE = re.compile(r"[a-z0-9']+")
_BARE_DETERMINERS = frozenset("my your our his her their its the a an this that these those some any".split())
_CLAUSE_END_RE = re.compile(r"[,;:.?!]| (?:so|because|since|if|and then|which|when|so that|please)\b|(?<!\bme) as\b")
_LEAD_RE = re.compile(
    r"^(?:(?:me|my name|us|him|her|it|myself)\b ?)?(?:(?:off on|off|forward for|forward|up for|up|on|onto|"
    r"into|to|for|in|with|at|as)\b ?)?"
)


def _object_after(clean: str, start: int, stop: int) -> tuple[str, int, int] | None:
    """The object that follows an action at ``start`` (up to ``stop`` or the clause's end), with
    its offsets in ``clean``."""
    tail = clean[start:stop]
    end = _CLAUSE_END_RE.search(tail.lower())
    tail = tail[: end.start()] if end else tail
    at = start + len(tail) - len(tail.lstrip())
    body = tail.strip()
    low = body.lower()
    a = _LEAD_RE.match(low).end()
    seg = body[a:]
    left, right = len(seg) - len(seg.lstrip(" ,.?!")), len(seg.rstrip(" ,.?!"))
    if left < right and seg[left:right].lower() in _BARE_DETERMINERS:
        left = right  # "let me know my Friday": a lone "my" names nothing
    if left >= right:
        me = re.match(r"^(?:me|my name)\b", low)
        return ("me", at, at + me.end()) if me else None
    return seg[left:right], at + a + left, at + a + right


# Light verbs: "let me know" (tell me), "let me lead the launch" (the action is letting me lead),
# "get me a ticket", "get me on the course"; "help me …" stays the vague "help".
_LIGHT_RE = re.compile(r"\b(?P<action>let me (?:(?:just|really|also) )?(?:know|go to|(?!know\b)[a-z][\w'-]*"
                       r"(?: (?:over|on|up|out|off|away|down|back)\b)?)|get me)\b")
# "the Saturday rota", "the Q3 forecast": a day, month or quarter naming a thing, not a time.
_NOT_A_TIME_RE = re.compile(r"the [\w']+ (?!(?:and|or|so|if|to|for|with|at|on|by|before|after|until|till|please|"
                            r"because|when|then|as|in|but|from|of|this|next|that|which|is|would|could)\b)[a-z]")


_TIME_PREPOSITION_RE = re.compile(r"(?:by|before|after|until|till|from|in|at|on|during|within|ahead of|no later than|"
                                  r"starting|in time for)\b")


# A season as a time ("in the spring round", "by the summer"): the shared time patterns need a
# "next" or "this" before a season.
_SEASON_TIME_RE = re.compile(r"\b(?:in|by|before|after|during|until|till|from) (?:the )?(?:early |late )?"
                             r"(?:spring|summer|autumn|fall|winter)(?: (?:round|intake|term|cycle|review|release))?\b")


# The words before a noun ask that make it one: "I'd like", "could I have", "we would really like".
_NOUN_ASK_LEAD_RE = re.compile(r"(?:\b(?:i'd|i would|i|we'd|we would|we|can i|could i|may i)"
                               r"(?: really| also| just)? )$")


def _lemmatise(clean: str) -> tuple[str, list[int]]:
    """``clean`` with inflected actions in their base form ("enrols" -> "enrol"), and for each
    boundary of the result its offset in ``clean`` (so a span found in one is a span of the other)."""
    out, bounds, pos = [], [0], 0
    for m in _r.ACTION_LEMMA_RE.finditer(clean):
        out.append(clean[pos:m.start()])
        bounds.extend(range(pos + 1, m.start() + 1))
        base = _r.ACTION_LEMMAS[m.group(0).lower()]
        out.append(base)
        bounds.extend([min(m.start() + k, m.end()) for k in range(1, len(base))] + [m.end()])
        pos = m.end()
    out.append(clean[pos:])
    bounds.extend(range(pos + 1, len(clean) + 1))
    return "".join(out), bounds


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
    clean, bounds = _lemmatise(clean_text(text))
    low = clean.lower()
    if len(low) != len(clean):  # rare Unicode case changes: fall back to lower case throughout
        clean, bounds = low, []
    spans: dict[str, tuple[int, int]] = {}
    times = [m for m in _r.TIME_RE.finditer(low)
             if not (m.group(0).count(" ") == 1 and _NOT_A_TIME_RE.match(low, m.start()))]
    # a time with its preposition ("in April", "from next Monday") before a bare one, which is
    # often what the ask is about ("lead the next release", "give me two days a month")
    tm = next((m for m in times if _TIME_PREPOSITION_RE.match(m.group(0))), times[0] if times else None)
    tm = tm or _SEASON_TIME_RE.search(low)
    time = clean[tm.start():tm.end()].strip() if tm else None
    if tm:
        spans["time"] = tm.span()
    am = _r.ACTION_RE.search(low)
    lm = _LIGHT_RE.search(low)
    if lm and (am is None or lm.start() <= am.start()):
        am = lm
    nm = _r.NOUN_ASK_RE.search(low)
    action = obj = None
    found = None
    if nm and (am is None or nm.start() < am.start()):
        action = "give"
        lead = _NOUN_ASK_LEAD_RE.search(low[:nm.start()])
        spans["action"] = (lead.start() if lead else nm.start(), nm.start("object") - 1)
        stop = tm.start() if tm and tm.start() > nm.start("object") else len(clean)
        found = _object_after(clean, nm.start("object"), stop)
    elif am:
        action = clean[am.start("action"):am.end("action")]
        spans["action"] = am.span("action")
        stop = tm.start() if tm and tm.start() > am.end() else len(clean)
        found = _object_after(clean, am.end(), stop)
        if found is None and stop < len(clean) and low[am.end() - 4:am.end()] == "know":
            # "let me know by Friday whether I can go": what to know follows the time
            found = _object_after(clean, tm.end(), len(clean))
    if found:
        obj, spans["object"] = found[0], found[1:]
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
                       vague_terms=vague_terms, missing=missing,
                       spans=tuple((p, bounds[a], bounds[b]) for p, (a, b) in spans.items() if bounds))


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


# ---- the ask as heard: each part on the words that carry it, and how sure we are of them ----

#: A word Whisper heard with a probability below this may have been misheard. Measured through
#: ``analysis.analyse`` on espeak-ng asks (clean, at 5 dB SNR, time phrase faded) and the shared
#: real voices (clean and at 5 dB), each word aligned to what was said (1,327 words): of the words
#: in lower case, below 0.4 are 51% of those heard wrongly ("intake" heard as "end tape" at 0.34)
#: and 6% of those heard right (0.5: 62% and 9%). ``tests/test_uncertain.py`` measures it again.
UNCERTAIN_BELOW = 0.4
#: The same for a capitalised word that the ask's patterns read as its action or its time (the
#: month in "before the March intake"): Whisper shares a name's probability between its
#: spellings and casings, so such words heard right score low too ("March" at 0.18-0.32 in clean
#: asks). Of all capitalised words, below 0.4 are 81% of those heard wrongly and 18% of those
#: heard right; below 0.15, 35% and 2%. A capitalised word that does not read as a part ("in
#: Mars" at 0.36 for "in March") keeps :data:`UNCERTAIN_BELOW`.
UNCERTAIN_NAME_BELOW = 0.15

# A sentence's opening word that carries no part of an ask ("Could you …", "Please …"; Whisper
# often doubts a first word it heard right), and fillers anywhere: a doubt about one of them
# cannot hide a missing action, object or time. Any other word can: "enrol" was heard as
# "then roll" with "then" at 0.05.
_OPENERS = frozenset("could can would will please so and i i'd we now well ok okay right".split())
_FILLERS = frozenset("um uh er erm hmm mm".split())


def uncertain(word: Word, *, read_as_part: bool = False) -> bool:
    """True when Whisper heard ``word`` with a probability under :data:`UNCERTAIN_BELOW`: it may
    have been misheard, so nothing the coach says may rest on it. ``read_as_part``: the word was
    read as the ask's action or time; capitalised, it is judged at :data:`UNCERTAIN_NAME_BELOW`."""
    name = read_as_part and word.text.strip()[:1].isupper()
    return word.probability < (UNCERTAIN_NAME_BELOW if name else UNCERTAIN_BELOW)


@dataclass(frozen=True)
class HeardPart:
    """One part of an ask (action, object or time) on the words that carry it.

    ``text`` is those words exactly as heard (or typed), never a word that was not said; None
    when the part was not found. ``uncertain`` is True when the part rests on a word heard with
    low confidence (:func:`uncertain`): a found part containing or running on into one, or a
    missing part when such a word could be where it was said.
    """

    part: str  # action | object | time
    text: str | None
    first_word: int | None  # indices into HeardAsk.words (inclusive); None when not found
    last_word: int | None
    uncertain: bool


@dataclass(frozen=True)
class HeardAsk:
    """An ask as heard: its :class:`Specificity` and each part on its words (:func:`hear_ask`)."""

    words: tuple[Word, ...]
    spec: Specificity
    parts: tuple[HeardPart, ...]  # action, object, time
    misheard: tuple[str, ...]  # the stretches we may have misheard, verbatim ("March end tape")

    def part(self, name: str) -> HeardPart:
        return next(p for p in self.parts if p.part == name)

    @property
    def uncertain_parts(self) -> tuple[str, ...]:
        return tuple(p.part for p in self.parts if p.uncertain)

    def rests_on_guess(self, parts: Sequence[str]) -> bool:
        """True when any of ``parts`` ("action", "object", "time") is uncertain: a verdict on
        them (a match, a change, a missing part) would be a guess."""
        return any(self.part(p).uncertain for p in parts)

    def confirmed_by(self, plan: str) -> "HeardAsk":
        """This ask with the doubt taken off what the user planned to say (``plan``, the
        objective): a part or a stretch heard with low confidence whose words are all words of
        the plan ("the march" for a plan "…before the March intake") was most likely said."""
        planned = set(_WORD_RE.findall(plan.lower()))
        said = lambda text: bool(text) and set(_WORD_RE.findall(text.lower())) <= planned  # noqa: E731
        return replace(self, parts=tuple(replace(p, uncertain=p.uncertain and not said(p.text)) for p in self.parts),
                       misheard=tuple(x for x in self.misheard if not said(x)))


def typed_words(text: str) -> tuple[Word, ...]:
    """Typed text as words (no times, heard with certainty): the objective, or a request known
    only by its text."""
    return tuple(Word(w, 0.0, 0.0) for w in text.split())


def _verbatim(words: Sequence[Word]) -> str:
    return " ".join(clean_text(w.text) for w in words).strip(" ,.;:?!")


def _may_carry_part(words: Sequence[Word], k: int) -> bool:
    text = clean_text(words[k].text).strip(" ,.;:?!").lower()
    return text not in _FILLERS and not (k == 0 and text in _OPENERS)


def ask_words(words: Sequence[Word], first: int, last: int) -> tuple[Word, ...]:
    """The words an ask rests on: its sentence (``words[first:last + 1]``) and any uncertain
    words right after it, which may be the end of the ask cut off by a misplaced full stop
    ("…the leadership course. I'll lie, baby." for "…course by Friday")."""
    end = last + 1
    while end < len(words) and uncertain(words[end]):
        end += 1
    return tuple(words[first:end])


def misheard(words: Sequence[Word]) -> tuple[str, ...]:
    """Each run of consecutive :func:`uncertain` words that could carry a part of an ask (not
    just "could", "please", "um"...), verbatim: what we may have misheard."""
    runs, cur, carries = [], [], False
    for k in range(len(words) + 1):
        if k < len(words) and uncertain(words[k]):
            cur.append(words[k])
            carries = carries or _may_carry_part(words, k)
        elif cur:
            if carries:
                runs.append(_verbatim(cur))
            cur, carries = [], False
    return tuple(r for r in runs if r)


def hear_ask(words: Sequence[Word]) -> HeardAsk:
    """Find the parts of an ask (:func:`check_specificity`) on the words of one sentence and
    mark those that rest on words heard with low confidence.

    A found part covers the words its text came from; it is uncertain when one of them is
    :func:`uncertain`, or when uncertain words follow it before the next part or the end of its
    clause ("before the March end tape": the time cannot be read past "March"), which it then
    also covers. A missing part is uncertain when an uncertain word that was not read as the
    action or the time could carry it (not a sentence's opening "Could" or "Please", nor a
    filler): it may have been said and misheard. A doubtful action word ("enroll" at 0.3) makes
    the action uncertain, not a missing time.

    Parameters
    ----------
    words : sequence of Word
        The sentence's words with Whisper's probabilities (``typed_words`` for typed text).
    """
    words = tuple(words)
    text, offsets = "", []
    for w in words:
        piece = clean_text(w.text)
        if not piece:
            offsets.append(None)
            continue
        text += " " if text else ""
        offsets.append((len(text), len(text) + len(piece)))
        text += piece
    spec = check_specificity(text)
    ranges: dict[str, tuple[int, int]] = {}
    for name, a, b in spec.spans:
        idx = [k for k, o in enumerate(offsets) if o and o[0] < b and o[1] > a]
        if idx:
            ranges[name] = (idx[0], idx[-1])
    # the words read as the action or the time (tight patterns); the object runs on to the end of
    # its clause, so a time misheard as words ("in much", "in Mars") is read into it and stays a doubt
    read = {k for name, (i, j) in ranges.items() if name != "object" for k in range(i, j + 1)}
    unsure = [uncertain(w, read_as_part=k in read) and _may_carry_part(words, k)  # the doubts that matter
              for k, w in enumerate(words)]
    starts = sorted(i for i, _ in ranges.values())
    for name, (i, j) in list(ranges.items()):
        while i > 0 and unsure[i - 1]:
            i -= 1
        stop = min([s for s in starts if s > j] + [len(words)])
        k = j
        while k + 1 < stop and not re.search(r"[,;:.?!]$", clean_text(words[k].text)):
            k += 1
            if unsure[k]:
                j = k
        ranges[name] = (i, j)
    open_doubt = [k for k in range(len(words)) if unsure[k] and k not in read]
    parts, quoted = [], []
    for name in PARTS:
        if name not in ranges:
            parts.append(HeardPart(name, None, None, None, bool(open_doubt)))
            continue
        i, j = ranges[name]
        doubt = any(unsure[i: j + 1])
        parts.append(HeardPart(name, _verbatim(words[i: j + 1]) or None, i, j, doubt))
        if doubt:  # each run of doubtful words, with the word before it when that is in the part
            k = i
            while k <= j:
                if not unsure[k]:
                    k += 1
                    continue
                end = k
                while end + 1 <= j and unsure[end + 1]:
                    end += 1
                lead = k - 1 if k > i else k
                quoted.append(_verbatim(words[lead: end + 1]))
                k = end + 1
    covered = {k for i, j in ranges.values() for k in range(i, j + 1)}
    quoted += misheard([w for k, w in enumerate(words) if k in open_doubt and k not in covered])
    return HeardAsk(words, spec, tuple(parts), tuple(dict.fromkeys(q for q in quoted if q)))
