"""voicecoach.wording.moves: each conversation-move detector on positives and negative controls, its cue,
and the blind evaluation's thresholds (scripts/eval_moves.py), so a regression fails."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from voicecoach.wording import moves

ROOT = Path(__file__).resolve().parents[1]

# (detector, sentence, expected). Sentences from the guide and the issue, and controls that differ
# in one respect (closed vs open question, a "but" that concedes, a request vs an offer…); none of
# them is in data/moves_*.tsv.
CASES = [
    ("open_question", "What would you need to see from me before the next round?", True),
    ("open_question", "How do you see my role changing next year?", True),
    ("open_question", "Could you tell me more about the panel's concerns?", True),
    ("open_question", "Walk me through how the decision gets made.", True),
    ("open_question", "Do you think the panel will agree?", False),  # closed
    ("open_question", "Is the role still open?", False),
    ("open_question", "How about I cover the launch while Kim is away?", False),  # a proposal
    ("open_question", "When can you confirm my place on the course?", False),  # a request
    ("open_question", "What I'd like is a place on the course.", False),  # a statement

    ("summary", "It sounds like the timing is what worries you.", True),
    ("summary", "So what you're saying is the budget is fixed until April.", True),
    ("summary", "If I've understood you, the panel wants more client work from me.", True),
    ("summary", "To recap, you'll ask finance and I'll write the proposal.", True),
    ("summary", "Sounds like a plan.", False),
    ("summary", "So I'd like to lead the next release.", False),
    ("summary", "It sounds odd, but I enjoyed the audit.", False),

    ("defensive", "That's not fair, I was covering for two people.", True),
    ("defensive", "But I did send it on time.", True),
    ("defensive", "It wasn't my fault the supplier was late.", True),
    ("defensive", "Nobody told me it had changed.", True),
    ("defensive", "If the brief had been clear, we'd have hit the date.", True),
    ("defensive", "I'd like to go, but it clashes with the launch.", False),  # a "but" that is no pushback
    ("defensive", "That's fair, I should have flagged it.", False),
    ("defensive", "But how could I get that experience without the role?", False),
    ("defensive", "I can see why it looked late from where you sat.", False),

    ("named_pause", "I notice I'm getting defensive; can we take a short break?", True),
    ("named_pause", "Could we pause for five minutes and come back to this?", True),
    ("named_pause", "Give me a moment, I want to answer that properly.", True),
    ("named_pause", "Can I have a break from the on-call rota?", False),  # a request for time
    ("named_pause", "Can I have ten minutes at the team meeting to present it?", False),
    ("named_pause", "Let's move on, it doesn't matter.", False),  # avoiding, not a named pause
    ("named_pause", "I had a career break in 2020.", False),

    ("incentive", "If you approve it, I'll cover the on-call rota.", True),
    ("incentive", "In return I'll train the new starters.", True),
    ("incentive", "I'll run the induction sessions if you can sign off the course.", True),
    ("incentive", "If you can approve it by Friday, that would be great.", False),  # the ask alone
    ("incentive", "Could you approve it by Friday?", False),
    ("incentive", "If you don't approve it, I'll have to look elsewhere.", False),  # a pressure
    ("incentive", "If I get the role, I'll need a new laptop.", False),

    ("evaluation", "This was a really useful conversation.", True),
    ("evaluation", "Thanks, that's been really helpful.", True),
    ("evaluation", "I'm glad we talked this through.", True),
    ("evaluation", "The course would be really useful.", False),
    ("evaluation", "The launch was a mess.", False),
    ("evaluation", "That's a good point about the budget.", False),

    ("follow_up_with_time", "I'll send you the course details by Friday.", True),
    ("follow_up_with_time", "Let's catch up again in two weeks.", True),
    ("follow_up_with_time", "I'll book a review for the end of March.", True),
    ("follow_up_with_time", "I'll send you the course details.", False),  # no time
    ("follow_up_with_time", "I sent you the details on Friday.", False),  # past
    ("follow_up_with_time", "Could you confirm by Friday?", False),  # a request
    ("follow_up_with_time", "If you approve it, I'll cover the rota from July.", False),  # an incentive

    ("contracting", "We have half an hour.", True),
    ("contracting", "What would you like to focus on?", True),
    ("contracting", "Shall I take notes and send them round?", True),
    ("contracting", "I'd like us to focus on my development today.", True),
    ("contracting", "I'd like to focus on data engineering next year.", False),
    ("contracting", "Can you take notes at the client meeting?", False),
    ("contracting", "I've got an hour's drive home.", False),
]


@pytest.mark.parametrize("name, text, expected", CASES)
def test_detector(name, text, expected):
    got = getattr(moves, name)(text)
    assert got is expected, f"{name}({text!r}) = {got}; why: {moves.why(text)}"
    assert (name in moves.why(text)) is expected  # why() agrees with the boolean
    assert (moves.cue(name, text) is not None) is expected


def test_every_detector_has_positives_and_negative_controls():
    for name in moves.DETECTORS:
        outcomes = {expected for n, _, expected in CASES if n == name}
        assert outcomes == {True, False}, name


def test_why_gives_the_deciding_words_and_nothing_for_empty_text():
    w = moves.why("I notice I'm getting defensive; can we take a short break?")
    assert "named_pause" in w and "defensive" in w["named_pause"]
    assert moves.why("") == {} and moves.why("   ") == {}
    assert all(getattr(moves, n)("") is False for n in moves.DETECTORS)


def test_detectors_read_the_normalised_text():
    # curly apostrophes and capitals as speech-to-text writes them
    assert moves.defensive("That\u2019s NOT fair.") and moves.summary("IT SOUNDS LIKE budget is the issue.")


def _eval_moves():
    spec = importlib.util.spec_from_file_location("eval_moves", ROOT / "scripts" / "eval_moves.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eval_moves"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_labelled_sets_are_valid_and_no_blind_sentence_is_in_the_tune_set():
    ev = _eval_moves()
    tune = ev.load("tune")
    key = lambda t: " ".join(t.lower().split())  # noqa: E731
    blinds = [ev.load(name) for name in (*ev.EARLIER_BLIND, ev.GATE_SET)]
    for blind in blinds:
        assert not {key(r.text) for r in blind} & {key(r.text) for r in tune}
    for rows in (tune, blinds[0], blinds[-1]):
        for name in moves.DETECTORS:  # every detector has positives and negatives in each set
            pos = sum(name in r.moves for r in rows)
            assert 8 <= pos < len(rows) - 8, name


def test_blind_evaluation_meets_the_targets():
    """On the final blind set (never tuned on): every detector's accuracy >= 0.90 (the issue's
    target) and the precision and recall floors of scripts/eval_moves.py; a detector that stops
    firing fails here."""
    ev = _eval_moves()
    scores = ev.score(ev.load(ev.GATE_SET))
    ok, lines = ev.gate(scores)
    assert ok, "\n".join(lines)
    for name, s in scores.items():
        assert s.accuracy >= 0.90 and s.precision >= ev.P_FLOOR and s.recall >= ev.R_FLOOR, name


def test_gate_fails_for_a_detector_that_never_fires():
    ev = _eval_moves()
    rows = ev.load(ev.GATE_SET)
    silent = ev.Score(len(rows), 10, 0.93, 0.0, 0.0, ())
    assert ev.gate({"contracting": silent})[0] is False
