"""Fillers and hedges in a take's words, read in context, and their rate per 100 words.

A filler ("um", filler "like", "you know") or a hedge ("maybe", "sort of", softening "just") is
found from the word lists below plus a check of the words around it: "I really like the team"
has no filler, "it took like two weeks" has one. Pure functions over
:class:`voicecoach.types.Word`; :mod:`voicecoach.wording` re-exports everything here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..types import Word
from .rules import QUOTES

__all__ = ["Marker", "find_fillers", "find_hedges", "per_100_words"]

# ---- the word lists ----------------------------------------------------------------------

FILLER_WORDS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "eh",
                           "basically", "literally"})
# "like" after these is a verb ("I like", "would like") or a preposition ("looks like"): no filler
LIKE_VERB_PREV = frozenset({
    "i", "you", "we", "they", "i'd", "you'd", "we'd", "they'd", "would", "do", "don't", "didn't",
    "doesn't", "really", "also", "to", "people", "who", "might", "may", "will", "i'll", "could",
    "should", "not", "i'm", "would've", "did", "does", "genuinely", "still", "always",
})
LIKE_PREP_PREV = frozenset({
    "look", "looks", "looked", "looking", "sound", "sounds", "sounded", "seem", "seems", "seemed",
    "feel", "feels", "felt", "something", "just", "more", "much", "nothing", "anything", "things",
    "stuff", "exactly", "lot", "ones", "one", "roles", "role", "projects", "courses",
})
# "like" before a number is a filler ("like two weeks"); "just" before one is not a hedge
NUMBERS = frozenset("a one two three four five six seven eight nine ten twenty thirty forty fifty "
                     "hundred half few couple".split())
# "you know" / "I mean" are fillers unless a word before or after makes them literal
# ("do you know", "you know that…", "what I mean", "I mean it")
YOU_KNOW_NOT_PREV = frozenset({"do", "did", "don't", "if", "as", "would", "will", "you"})
YOU_KNOW_NOT_NEXT = frozenset({"that", "what", "how", "whether", "if", "the", "about", "him", "her", "them",
                               "it", "why", "where", "who", "when", "this", "my", "your"})
I_MEAN_NOT_PREV = frozenset({"what", "do", "did", "don't", "if"})
I_MEAN_NOT_NEXT = frozenset({"that", "it", "to", "the", "what", "this"})
HEDGE_PHRASES = (  # tried in this order at each word: longer phrases first where they overlap
    ("a", "little", "bit"), ("if", "you", "don't", "mind"), ("i", "don't", "know", "if"),
    ("if", "that's", "okay"), ("if", "that's", "ok"), ("if", "that's", "alright"),
    ("i", "was", "wondering"), ("i", "feel", "like"), ("more", "or", "less"), ("sort", "of"),
    ("kind", "of"), ("a", "bit"), ("a", "little"), ("i", "think"), ("i", "guess"),
    ("i", "suppose"), ("i", "wonder"), ("if", "possible"),
)
HEDGE_WORDS = frozenset({"maybe", "perhaps", "possibly", "probably", "hopefully", "somewhat",
                          "kinda", "sorta", "just"})
# "just" before these is about time or place ("just before March"): no hedge
JUST_NOT_HEDGE_NEXT = frozenset({
    "before", "after", "in", "on", "at", "by", "now", "then", "as", "like", "when", "since",
    "until", "right", "ahead", "under", "over", "once", "gone", "finished", "started", "joined",
})
# "kind of" / "sort of" after these is a noun ("what kind of role"): no hedge
KIND_NOUN_PREV = frozenset({"what", "a", "this", "that", "the", "any", "some", "every", "which",
                             "one", "same", "no", "right", "wrong", "these", "those", "other"})
# "I think" before these is literal ("I think about it every day"): no hedge
I_THINK_NOT_NEXT = frozenset({"about", "of"})


@dataclass(frozen=True)
class Marker:
    """One filler or hedge occurrence; ``word_index`` indexes its first word."""

    text: str
    start_s: float
    word_index: int


# ---- finding them ------------------------------------------------------------------------

_STRIP = " \t\n\"'.,;:!?()[]-\u2026\u201c\u201d\u2018\u2019"


def _tokens(words: Sequence[Word]) -> list[tuple[str, bool, bool]]:
    """(normalised text, comma after, sentence end after) for each word."""
    out = []
    for w in words:
        raw = w.text.translate(QUOTES).strip()
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
    if prev and (prev[0] in LIKE_VERB_PREV or prev[0] in LIKE_PREP_PREV):
        return False
    if toks[i][1] or (prev and prev[1]) or (prev and prev[0] in FILLER_WORDS):
        return True
    return bool(prev) and nxt is not None and (nxt.isdigit() or nxt in NUMBERS)


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
        if t in FILLER_WORDS or (t == "like" and _is_like_filler(toks, i)):
            out.append(Marker(text=t, start_s=words[i].start_s, word_index=i))
        elif _phrase_at(toks, i, ("you", "know")) and prev not in YOU_KNOW_NOT_PREV \
                and nxt not in YOU_KNOW_NOT_NEXT:
            out.append(Marker(text="you know", start_s=words[i].start_s, word_index=i))
            i += 2
            continue
        elif _phrase_at(toks, i, ("i", "mean")) and prev not in I_MEAN_NOT_PREV and nxt not in I_MEAN_NOT_NEXT:
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
        phrase = next((p for p in HEDGE_PHRASES if _phrase_at(toks, i, p)), None)
        prev = toks[i - 1][0] if i > 0 and not toks[i - 1][2] else ""
        nxt = toks[i + 1][0] if i + 1 < len(toks) and not toks[i][2] else ""
        after = toks[i + len(phrase)][0] if phrase and i + len(phrase) < len(toks) else ""
        if phrase:
            skip = ((phrase in (("kind", "of"), ("sort", "of")) and prev in KIND_NOUN_PREV)
                    or (phrase == ("i", "think") and after in I_THINK_NOT_NEXT))
            if not skip:
                out.append(Marker(text=" ".join(phrase), start_s=words[i].start_s, word_index=i))
                i += len(phrase)
                continue
        elif toks[i][0] in HEDGE_WORDS:
            t = toks[i][0]
            if not (t == "just" and (nxt in JUST_NOT_HEDGE_NEXT or nxt.isdigit() or nxt in NUMBERS)):
                out.append(Marker(text=t, start_s=words[i].start_s, word_index=i))
        i += 1
    return out


def per_100_words(count: int, n_words: int) -> float:
    """Fillers (or hedges) per 100 words: THE definition of that rate in voicecoach.

    ``100 * count / n_words`` over every transcribed word of the take; 0.0 when there are no
    words. The coach compares it with its ``fillers_per_100`` / ``hedges_per_100`` thresholds
    and quotes it to the user. Raises ValueError for a negative count or word count.
    """
    if count < 0 or n_words < 0:
        raise ValueError(f"count={count}, n_words={n_words}: both must be >= 0")
    return 0.0 if n_words == 0 else 100.0 * count / n_words
