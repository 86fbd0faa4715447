"""Wording: Push / Pull / Move Away per sentence, the request and its specificity, fillers, hedges.

Transparent rules (tables in :mod:`voicecoach.wording_rules`) find cues; a small classifier that
ships with the package (:mod:`voicecoach.wording_model`, numpy only, loaded once) reads the words
and the rules' verdict and settles what the rules miss. Every tag carries the words that decided
it (``cues``), a one-line ``reason`` for the UI and its ``source`` (rule or model). Pure
functions over plain data; the only I/O is loading the model's weights.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

from voicecoach import wording_model as _model
from voicecoach import wording_rules as _r
from voicecoach.types import Word

__all__ = [
    "TAGS", "BEHAVIOURS", "VAGUE_REQUEST_EXAMPLES",
    "Specificity", "SentenceTag", "Marker", "Balance",
    "tag_sentence", "tag_sentences", "check_specificity", "main_request", "conciseness",
    "find_fillers", "find_hedges", "per_100_words", "balance",
]

TAGS = ("push", "pull", "move_away", "neutral")
BEHAVIOURS = {
    "push": ("proposing", "reasoning", "stating_expectations", "evaluating", "incentives"),
    "pull": ("involving", "listening", "disclosing", "common_ground", "shared_vision"),
    "move_away": ("disengaging", "avoiding"),
}
VAGUE_REQUEST_EXAMPLES = _r.VAGUE_REQUEST_EXAMPLES


@dataclass(frozen=True)
class Specificity:
    """How concrete an ask is: an action, an object and a time, and no vague-only wording.

    Attributes
    ----------
    is_specific : bool
        True when a concrete action, its object and a time are all present.
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
        """True when the ask rests on vague words only (the coach's ``vague_request`` tip)."""
        return bool(self.vague_terms) and ("action" in self.missing or "object" in self.missing)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["vague_terms"], d["missing"] = list(self.vague_terms), list(self.missing)
        d["is_vague"] = self.is_vague
        return d


@dataclass(frozen=True)
class SentenceTag:
    """The wording verdict for one sentence (see ``wording_rules.REASONS`` for behaviours)."""

    text: str
    tag: str
    behaviour: str | None
    is_request: bool
    cues: tuple[str, ...]
    reason: str
    specificity: Specificity | None
    source: str = "rule"  # "rule" (a pattern's cue decided) or "model" (the shipped classifier)

    def to_dict(self) -> dict:
        return {
            "text": self.text, "tag": self.tag, "behaviour": self.behaviour,
            "is_request": self.is_request, "cues": list(self.cues), "reason": self.reason,
            "source": self.source,
            "specificity": self.specificity.to_dict() if self.specificity else None,
        }


@dataclass(frozen=True)
class Marker:
    """One filler or hedge occurrence; ``word_index`` indexes its first word."""

    text: str
    start_s: float
    word_index: int


@dataclass(frozen=True)
class Balance:
    """Share of sentence time per tag (sum 1, or all 0 with no time) and Push<->Pull switches.

    ``push_only`` / ``pull_only`` are set when the other side got less than ``min_share`` of the
    time (default 0: none at all) while this side got some.
    """

    push_share: float
    pull_share: float
    move_away_share: float
    neutral_share: float
    switches: int
    push_only: bool = False
    pull_only: bool = False

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(f for f, on in (("push_only", self.push_only), ("pull_only", self.pull_only)) if on)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["flags"] = list(self.flags)
        return d


# ---- sentence tagging -------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_PULL_GIVE_RE = re.compile(
    r"\b(?:give|show) (?:me|us) (?:some |an? |your |more |a bit of )?"
    r"(?:feedback|example|examples|view|thoughts|sense|detail|details|overview|idea of|steer)\b"
)


def _clean(text: str) -> str:
    return _WS_RE.sub(" ", text.translate(_r.QUOTES)).strip()


def _normalise(text: str) -> str:
    return _clean(text).lower()


def _is_question(n: str) -> bool:
    if n.endswith("?"):
        return True
    return bool(_r.QUESTION_START_RE.match(n)) and not _r.PSEUDO_CLEFT_RE.match(n)


def _modal_you(n: str) -> tuple[str, str] | None:
    """"could/would/will you <verb>": a request unless the verb asks for talk (Pull)."""
    if _r.WH_START_RE.match(n):
        return None
    m = _r.MODAL_YOU_RE.search(n)
    if not m:
        return None
    verb, nxt = m.group(1), m.group(2) or ""
    pull = (verb in _r.PULL_VERBS or _PULL_GIVE_RE.search(n) is not None
            or (verb == "help" and nxt == "me" and "understand" in n)
            or (verb == "think" and nxt == "of"))
    return ("involving" if pull else "stating_expectations"), m.group(0)


def _rules(n: str) -> tuple[str | None, bool, tuple[str, ...], bool]:
    """Return (behaviour, is_request, cues, cued) for a normalised sentence.

    ``cued`` is False when no pattern matched and the answer is only the fallback (a question
    is involving, anything else neutral).
    """
    for behaviour, is_request, patterns in _r.STAGES:
        if behaviour == _r.MODAL_YOU:
            found = _modal_you(n)
            if found:
                return found[0], found[0] == "stating_expectations", (found[1],), True
        elif behaviour == _r.ANY_QUESTION:
            if _is_question(n):
                break
        for pattern in patterns:
            m = pattern.search(n)
            if m:
                if behaviour == "proposing" and (_r.PROPOSAL_ASK_RE.search(n) or _r.SELF_PROPOSAL_ASK_RE.search(n)):
                    is_request = True  # "what if you let me lead…", "how about I lead…": proposals that ask
                if behaviour == "incentives" and _r.INCENTIVE_ASK_RE.search(n):
                    is_request = True  # "if you approve the course, I'll…": the condition is the ask
                if is_request and behaviour == "stating_expectations" and _r.CONTRACTING_RE.search(n):
                    is_request = False  # what I want from this meeting: contracting, not the ask
                return behaviour, is_request, (m.group(0).strip(" ,"),), True
    if _is_question(n):
        q = _r.QUESTION_START_RE.match(n)
        return "involving", False, ((q.group(0).strip(" ,") if q else "?"),), False
    return None, False, (), False


# The model overrules a rule's cue only when it gives its own, different tag at least this
# probability; below it the rule's cue stands. Chosen on out-of-author predictions over the
# training sets (`python scripts/train_wording.py --tune`): 0.6 beat 0 (model always) and 1 (rule always).
MODEL_OVERRULES_P = 0.6
# The model's request probability at or above which a Push sentence counts as a request even
# when no request pattern matched (the patterns are precise but miss many phrasings).
MODEL_REQUEST_P = 0.35


def _combine(rule: tuple, pred, overrule_p: float = None, request_p: float = None
             ) -> tuple[str | None, bool, tuple[str, ...], str]:
    """Settle the rules' verdict ``(behaviour, is_request, cues, cued)`` with a model prediction."""
    overrule_p = MODEL_OVERRULES_P if overrule_p is None else overrule_p
    request_p = MODEL_REQUEST_P if request_p is None else request_p
    behaviour, is_request, cues, cued = rule
    rule_tag, model_tag = _r.TAG_OF.get(behaviour, "neutral"), _r.TAG_OF.get(pred.behaviour, "neutral")
    if cued and (model_tag == rule_tag or pred.tag_p[model_tag] < overrule_p):
        req = is_request or (rule_tag == "push" and pred.request_p >= request_p)
        return behaviour, req, cues, "rule"
    req = model_tag == "push" and (is_request or pred.request_p >= request_p)
    return pred.behaviour, req, pred.cues, "model"


def _decide(text: str, n: str, model=None) -> tuple[str | None, bool, tuple[str, ...], str]:
    """Return (behaviour, is_request, cues, source); source is "rule" or "model".

    The model sees the words and the rules' verdict. A rule's cue stands unless the model is
    sure (``MODEL_OVERRULES_P``) of another tag; sentences with no cue are the model's. When the
    rule decides, its cue explains the decision; otherwise the model's strongest words do.
    """
    rule = _rules(n)
    return _combine(rule, (model or _model.load()).predict(text, rule))


def tag_sentence(text: str, *, model=None) -> SentenceTag:
    """Tag one sentence as push, pull, move_away or neutral, with behaviour and cues.

    Transparent rules look for cues (``wording_rules.STAGES``); the small shipped classifier
    (:mod:`voicecoach.wording_model`) reads the words and the rules' verdict and decides. When
    both agree, the rule's cue is shown as the reason.

    Parameters
    ----------
    text : str
        One sentence as transcribed (punctuation optional; a missing final "?" is tolerated).
    model : WordingModel, optional, keyword-only
        Another trained model (for evaluation); default the shipped one.

    Returns
    -------
    SentenceTag
        ``specificity`` is set when ``is_request`` is True; ``source`` says whether a rule or the
        model decided.
    """
    if not isinstance(text, str):
        raise TypeError(f"tag_sentence expects a str, got {type(text).__name__}; pass the sentence text")
    n = _normalise(text)
    behaviour, is_request, cues, source = _decide(text, n, model) if n else (None, False, (), "rule")
    tag = _r.TAG_OF.get(behaviour, "neutral")
    reason = _r.REASONS[behaviour]
    if is_request and _is_question(n):
        reason = reason.replace("a request,", "a request even though it is phrased as a question,")
    if cues and source == "rule":
        reason = f"{reason} Cue: \u201c{cues[0]}\u201d."
    elif cues:
        reason = f"{reason} No fixed phrase matched; the wording model read it from " + \
            " and ".join(f"\u201c{c}\u201d" for c in cues) + "."
    spec = check_specificity(text) if is_request else None
    return SentenceTag(text=text, tag=tag, behaviour=behaviour, is_request=is_request,
                       cues=cues, reason=reason, specificity=spec, source=source)


def tag_sentences(texts: Iterable[str]) -> list[SentenceTag]:
    """Tag each sentence of ``texts`` (see :func:`tag_sentence`)."""
    return [tag_sentence(t) for t in texts]


# ---- the request and its specificity ----------------------------------------------------

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
    clean = _r.ACTION_LEMMA_RE.sub(lambda m: _r.ACTION_LEMMAS[m.group(0).lower()], _clean(text))
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
    vague_object = obj is not None and (bool(_r.VAGUE_OBJECT_RE.match(obj.lower()))
                                        or obj.lower() in ("it", "that", "this"))
    missing = tuple(part for part, absent in (
        ("action", action is None or vague_action),
        ("object", obj is None or vague_object),
        ("time", time is None)) if absent)
    return Specificity(is_specific=not missing, action=action, object=obj, time=time,
                       vague_terms=vague_terms, missing=missing)


def main_request(tags: Sequence[SentenceTag]) -> int | None:
    """Index of the take's main request: the most specific one, ties go to the last; None if none."""
    best, best_score = None, None
    for i, t in enumerate(tags):
        if not t.is_request:
            continue
        spec = t.specificity or check_specificity(t.text)
        score = (spec.is_specific, -len(spec.missing))
        if best_score is None or score >= best_score:
            best, best_score = i, score
    return best


def conciseness(tags: Sequence[SentenceTag], *, request_index: int | None = None) -> int | None:
    """Words from the start of the take to the end of the request (default: the main request)."""
    idx = main_request(tags) if request_index is None else request_index
    if idx is None:
        return None
    if not 0 <= idx < len(tags):
        raise ValueError(f"request_index={idx} is outside the {len(tags)} sentences; pass 0..{len(tags) - 1}")
    return sum(len(t.text.split()) for t in tags[: idx + 1])


# ---- fillers and hedges ------------------------------------------------------------------

_STRIP = " \t\n\"'.,;:!?()[]-\u2026\u201c\u201d\u2018\u2019"
def _tokens(words: Sequence[Word]) -> list[tuple[str, bool, bool]]:
    """(normalised text, comma after, sentence end after) for each word."""
    out = []
    for w in words:
        raw = w.text.translate(_r.QUOTES).strip()
        out.append((raw.lower().strip(_STRIP), raw.endswith((",", ";", ":", "-", "\u2026")),
                    raw.endswith((".", "?", "!"))))
    return out


def _phrase_at(toks, i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(toks):
        return False
    if any(toks[i + k][2] for k in range(len(phrase) - 1)):  # never across a sentence end
        return False
    return all(toks[i + k][0] == p for k, p in enumerate(phrase))


def _is_like_filler(toks, i: int) -> bool:
    prev = toks[i - 1] if i > 0 and not toks[i - 1][2] else None
    nxt = toks[i + 1][0] if i + 1 < len(toks) and not toks[i][2] else None
    if prev and prev[1] and toks[i][1]:  # ", like," set off by commas on both sides
        return True
    if prev and (prev[0] in _r.LIKE_VERB_PREV or prev[0] in _r.LIKE_PREP_PREV):
        return False
    if toks[i][1] or (prev and prev[1]) or (prev and prev[0] in _r.FILLER_WORDS):
        return True
    return bool(prev) and nxt is not None and (nxt.isdigit() or nxt in _r.NUMBERS)


def find_fillers(words: Sequence[Word]) -> list[Marker]:
    """Find fillers ("um", "uh", filler "like", "you know", "I mean", "basically") in context.

    Parameters
    ----------
    words : sequence of Word
        Whisper words; text may carry spaces and punctuation (" like,", "Um,").

    Returns
    -------
    list of Marker
        In order; ``text`` is the normalised filler.
    """
    toks, out, i = _tokens(words), [], 0
    while i < len(toks):
        t = toks[i][0]
        prev = toks[i - 1][0] if i > 0 and not toks[i - 1][2] else ""
        nxt = toks[i + 2][0] if i + 2 < len(toks) and not toks[i + 1][2] else ""
        if t in _r.FILLER_WORDS or (t == "like" and _is_like_filler(toks, i)):
            out.append(Marker(text=t, start_s=words[i].start_s, word_index=i))
        elif _phrase_at(toks, i, ("you", "know")) and prev not in {"do", "did", "don't", "if", "as", "would", "will", "you"} \
                and nxt not in {"that", "what", "how", "whether", "if", "the", "about", "him", "her",
                                "them", "it", "why", "where", "who", "when", "this", "my", "your"}:
            out.append(Marker(text="you know", start_s=words[i].start_s, word_index=i))
            i += 2
            continue
        elif _phrase_at(toks, i, ("i", "mean")) and prev not in {"what", "do", "did", "don't", "if"} \
                and nxt not in {"that", "it", "to", "the", "what", "this"}:
            out.append(Marker(text="i mean", start_s=words[i].start_s, word_index=i))
            i += 2
            continue
        i += 1
    return out


def find_hedges(words: Sequence[Word]) -> list[Marker]:
    """Find hedges ("maybe", "sort of", "I think", softening "just") in context.

    "just" before a time or place word ("just before March") and "kind of" as a noun
    ("what kind of role") are not hedges. Parameters and returns as :func:`find_fillers`.
    """
    toks, out, i = _tokens(words), [], 0
    while i < len(toks):
        phrase = next((p for p in _r.HEDGE_PHRASES if _phrase_at(toks, i, p)), None)
        prev = toks[i - 1][0] if i > 0 and not toks[i - 1][2] else ""
        nxt = toks[i + 1][0] if i + 1 < len(toks) and not toks[i][2] else ""
        after = toks[i + len(phrase)][0] if phrase and i + len(phrase) < len(toks) else ""
        if phrase:
            skip = ((phrase in (("kind", "of"), ("sort", "of")) and prev in _r.KIND_NOUN_PREV)
                    or (phrase == ("i", "think") and after in {"about", "of"}))
            if not skip:
                out.append(Marker(text=" ".join(phrase), start_s=words[i].start_s, word_index=i))
                i += len(phrase)
                continue
        elif toks[i][0] in _r.HEDGE_WORDS:
            t = toks[i][0]
            if not (t == "just" and (nxt in _r.JUST_NOT_HEDGE_NEXT or nxt.isdigit() or nxt in _r.NUMBERS)):
                out.append(Marker(text=t, start_s=words[i].start_s, word_index=i))
        i += 1
    return out


def per_100_words(count: int, n_words: int) -> float:
    """Rate per 100 words (0.0 when there are no words)."""
    if count < 0 or n_words < 0:
        raise ValueError(f"count={count}, n_words={n_words}: both must be >= 0")
    return 0.0 if n_words == 0 else 100.0 * count / n_words


# ---- balance and sentences ---------------------------------------------------------------

def balance(tags: Sequence[SentenceTag], *, durations_s: Sequence[float], min_share: float = 0.0) -> Balance:
    """Share of speaking time in each tag and the number of Push<->Pull switches.

    Parameters
    ----------
    tags : sequence of SentenceTag
    durations_s : sequence of float
        Duration of each sentence in seconds, same length as ``tags``.
    min_share : float, keyword-only
        A side with less than this share (and the other side with some) counts as absent for
        ``push_only`` / ``pull_only``. Default 0.0: flagged only when there is none at all.
    """
    if len(durations_s) != len(tags):
        raise ValueError(f"{len(durations_s)} durations for {len(tags)} sentences; pass one duration per sentence")
    if any(d < 0 for d in durations_s):
        raise ValueError(f"negative duration in durations_s={list(durations_s)}; durations are end_s - start_s >= 0")
    total = float(sum(durations_s))
    share = {t: 0.0 for t in TAGS}
    if total > 0:
        for t, d in zip(tags, durations_s):
            share[t.tag] += d / total
    sides = [t.tag for t in tags if t.tag in ("push", "pull")]
    switches = sum(1 for a, b in zip(sides, sides[1:]) if a != b)
    push, pull = share["push"], share["pull"]
    return Balance(push_share=push, pull_share=pull, move_away_share=share["move_away"],
                   neutral_share=share["neutral"], switches=switches,
                   push_only=push > 0 and pull <= min_share, pull_only=pull > 0 and push <= min_share)
