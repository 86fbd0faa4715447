"""Tests for voicecoach.wording: tags, requests, specificity, fillers/hedges, balance, eval gate."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from voicecoach.wording import (
    vocabulary,
    model as wording_model,
    rules as wording_rules,
    stages as wording_stages,
)
from voicecoach.types import Word
from voicecoach.wording import (
    BEHAVIOURS,
    TAGS,
    Balance,
    Decision,
    RuleVerdict,
    Specificity,
    WordingModelError,
    WordingSettings,
    balance,
    check_specificity,
    combine,
    find_fillers,
    find_hedges,
    main_request,
    normalise,
    per_100_words,
    rule_verdict,
    split_text,
    tag_sentence,
    tag_sentences,
)

ROOT = Path(__file__).resolve().parents[1]


def _words(sentence: str) -> list[Word]:
    """Whisper-like words: leading space, punctuation attached, 0.4 s apart."""
    return [Word(text=" " + w, start_s=0.4 * i, end_s=0.4 * i + 0.3) for i, w in enumerate(sentence.split())]


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_wording", ROOT / "scripts" / "eval_wording.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["eval_wording"] = mod  # dataclasses need their module registered
    spec.loader.exec_module(mod)
    return mod


# ---- the hard cases from the issue ------------------------------------------------------

@pytest.mark.parametrize("text, tag, behaviour, is_request", [
    ("Could you put me forward for the role?", "push", "stating_expectations", True),
    ("Could you put me forward for the role", "push", "stating_expectations", True),
    ("Could you say more about that?", "pull", "involving", False),
    ("I'd like to take a short break.", "move_away", "disengaging", False),
    ("I notice I'm getting defensive; I'd like a short break, then explore this with you.",
     "move_away", "disengaging", False),
    ("So what I'm hearing is that the budget is the issue.", "pull", "listening", False),
    ("Please enrol me on the leadership course before the March intake.", "push", "stating_expectations", True),
    ("I'd like to take on the budget planning for next year.", "push", "stating_expectations", True),
    ("What do you think", "pull", "involving", False),
    ("Imagine what the team could do with a proper data platform.", "pull", "shared_vision", None),
    ("We both want the launch to go well.", "pull", "common_ground", False),
    ("I'm not sure I'm ready for a team of eight.", "pull", "disclosing", False),
    ("I really enjoyed mentoring the graduates.", "push", "evaluating", False),
    ("If you approve the course, I'll cover the Friday shifts.", "push", "incentives", True),
    ("In return, I'll cover the Friday shifts.", "push", "incentives", False),
    ("That way you'd have cover when you travel.", "push", "reasoning", False),
    ("Let's not get into the salary question today.", "move_away", "avoiding", False),
    ("Thanks for making time today.", "neutral", None, False),
], ids=["request-question", "request-no-question-mark", "pull-say-more", "break-not-proposal",
        "defensive-break", "listening", "please-enrol", "i'd-like-to-take-on", "open-question-no-mark",
        "shared-vision", "common-ground", "disclosing", "evaluating", "incentive-with-ask", "incentive-offer",
        "reasoning",
        "avoiding", "neutral"])
def test_hard_cases(text, tag, behaviour, is_request):
    t = tag_sentence(text)
    assert (t.tag, t.behaviour) == (tag, behaviour)
    if is_request is not None:
        assert t.is_request is is_request
    assert t.reason and (t.cues or tag == "neutral")


def test_behaviours_belong_to_their_tag():
    for tag, behaviours in BEHAVIOURS.items():
        assert tag in TAGS and len(behaviours) == (2 if tag == "move_away" else 5)


def test_the_vocabulary_is_defined_once():
    """wording re-exports the vocabulary; TAG_OF is BEHAVIOURS read backwards."""
    assert TAGS is vocabulary.TAGS and BEHAVIOURS is vocabulary.BEHAVIOURS
    assert vocabulary.TAG_OF == {b: t for t, bs in BEHAVIOURS.items() for b in bs}
    assert vocabulary.tag_of("listening") == "pull"
    assert vocabulary.tag_of(None) == vocabulary.tag_of("no_such_behaviour") == "neutral"
    assert set(wording_rules.REASONS) == set(vocabulary.TAG_OF) | {None}


def test_to_dict_is_json_with_the_cli_keys():
    d = tag_sentence("Can you enrol me on the negotiation workshop in May?").to_dict()
    assert json.loads(json.dumps(d)) == d
    assert {"text", "tag", "behaviour", "is_request", "cues", "reason", "specificity"} <= set(d)
    assert d["specificity"]["is_specific"] is True and d["specificity"]["action"] == "enrol"
    assert tag_sentence("Good morning.").to_dict()["specificity"] is None


@pytest.mark.parametrize("bad", [None, 3, b"bytes"], ids=["none", "int", "bytes"])
def test_tag_sentence_rejects_non_text(bad):
    with pytest.raises(TypeError, match="str"):
        tag_sentence(bad)


def test_empty_sentence_is_neutral():
    assert tag_sentence("   ").tag == "neutral"


# ---- specificity and the main request ---------------------------------------------------

@pytest.mark.parametrize("text, is_specific, missing, vague", [
    ("My manager agrees to enrol me on the leadership course before the March intake", True, (), False),
    ("Please send me an email invitation to the data conference by Friday.", True, (), False),
    ("Can you give me a slot to present my idea at next Tuesday's leadership meeting?", True, (), False),
    ("I need a decision on the secondment by Friday.", True, (), False),
    ("I want my manager's support", False, ("object", "time"), True),
    ("I would like your commitment.", False, ("object", "time"), True),
    ("Can you think about it?", False, ("action", "object", "time"), True),
    ("Could you put me forward for the role?", False, ("time",), False),
], ids=["objective-specific", "email-invite", "slot-at-meeting", "noun-ask-with-time",
        "objective-vague-support", "commitment", "think-about-it", "no-time"])
def test_check_specificity(text, is_specific, missing, vague):
    s = check_specificity(text)
    assert isinstance(s, Specificity)
    assert s.is_specific is is_specific
    assert s.missing == missing
    assert s.is_vague is vague


def test_specificity_parts_are_quoted_as_written():
    s = check_specificity("Please enrol me on the leadership course before the March intake.")
    assert (s.action, s.object, s.time) == ("enrol", "the leadership course", "before the March intake")


def test_main_request_is_the_one_that_says_the_objective():
    texts = ["Please enrol me on the leadership course before the March intake.",
             "What do you think?",
             "Could you let me know by Friday?"]
    tags = tag_sentences(texts)
    assert main_request(tags) == 0  # the follow-up after the wait is not the ask
    assert main_request(tags, objective="My manager enrols me on the leadership course before March") == 0
    # negative control: when the objective is the follow-up, the follow-up is the request
    assert main_request(tags, objective="My manager lets me know by Friday") == 2
    # an objective nothing says leaves the most specific request
    assert main_request(tags, objective="A pay rise in April") == 0


def test_main_request_prefers_the_most_specific_then_the_first():
    tags = tag_sentences([
        "I'd appreciate your support.",
        "Could you put me forward for the role?",
        "Please enrol me on the leadership course before the March intake.",
        "What do you think?",
        "Can you think about it?",
    ])
    assert main_request(tags) == 2
    assert main_request(tag_sentences(["I want a pay rise.", "I want a promotion."])) == 0
    assert main_request(tag_sentences(["Good morning.", "What do you think?"])) is None


# ---- fillers and hedges in context ------------------------------------------------------

@pytest.mark.parametrize("sentence, fillers", [
    ("Um, I'd like to enrol on the course.", ["um"]),
    ("I really like the team.", []),
    ("I'd like to, like, ask about the course.", ["like"]),
    ("It looks like a good fit.", []),
    ("Like you, I care about the graduates.", []),
    ("It took like two weeks, you know, to hear back.", ["like", "you know"]),
    ("Do you know what I mean?", []),
    ("I mean, uh, it's been a long year.", ["i mean", "uh"]),
], ids=["um", "like-verb", "like-filler-commas", "looks-like", "like-you", "like-number-you-know",
        "you-know-question", "i-mean-uh"])
def test_find_fillers_in_context(sentence, fillers):
    assert [m.text for m in find_fillers(_words(sentence))] == fillers


@pytest.mark.parametrize("sentence, hedges", [
    ("I just wanted to ask about the course.", ["just"]),
    ("Please enrol me just before March.", []),
    ("It's kind of important to me.", ["kind of"]),
    ("What kind of role is it?", []),
    ("Maybe I could sort of lead it, I think.", ["maybe", "sort of", "i think"]),
    ("I think about it every day.", []),
], ids=["just-hedge", "just-before-not-hedge", "kind-of-hedge", "kind-of-noun", "several", "think-about"])
def test_find_hedges_in_context(sentence, hedges):
    assert [m.text for m in find_hedges(_words(sentence))] == hedges


def test_markers_carry_index_and_time_of_their_first_word():
    words = _words("So, um, could you sort of enrol me?")
    (filler,), (hedge,) = find_fillers(words), find_hedges(words)
    assert (filler.word_index, filler.start_s) == (1, pytest.approx(0.4))
    assert (hedge.text, hedge.word_index, hedge.start_s) == ("sort of", 4, pytest.approx(1.6))


@pytest.mark.parametrize("count, n, rate", [(3, 150, 2.0), (0, 10, 0.0), (5, 0, 0.0)],
                         ids=["rate", "none", "no-words"])
def test_per_100_words(count, n, rate):
    assert per_100_words(count, n) == pytest.approx(rate)


def test_per_100_words_rejects_negative():
    with pytest.raises(ValueError, match=">= 0"):
        per_100_words(-1, 10)


# ---- balance ----------------------------------------------------------------------------

def test_balance_shares_and_switches():
    tags = tag_sentences([
        "Please enrol me on the course in March.",   # push
        "Good morning.",                              # neutral (ignored for switches)
        "What do you think?",                         # pull
        "I'd like to take a short break.",            # move away (ignored for switches)
        "That way you'd have cover.",                 # push
    ])
    b = balance(tags, durations_s=[4.0, 1.0, 2.0, 1.0, 2.0])
    assert isinstance(b, Balance)
    assert (b.push_share, b.pull_share, b.move_away_share, b.neutral_share) == pytest.approx((0.6, 0.2, 0.1, 0.1))
    assert b.switches == 2 and (b.push_only, b.pull_only) == (False, False)


@pytest.mark.parametrize("sentences, push_only, pull_only", [
    (["Please enrol me on the course in March.", "I want a pay rise."], True, False),
    (["What do you think?", "So what I'm hearing is that timing matters."], False, True),
    (["Good morning."], False, False),
], ids=["all-push", "all-pull", "neither"])
def test_balance_flags_a_take_stuck_on_one_side(sentences, push_only, pull_only):
    b = balance(tag_sentences(sentences), durations_s=[1.0] * len(sentences))
    assert (b.push_only, b.pull_only) == (push_only, pull_only)
    assert (b.to_dict()["push_only"], b.to_dict()["pull_only"]) == (push_only, pull_only)


def test_balance_with_no_time_is_all_zero():
    b = balance(tag_sentences(["What do you think?"]), durations_s=[0.0])
    assert (b.push_share, b.pull_share, b.move_away_share, b.neutral_share) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("durations, match", [([1.0], "one duration per sentence"), ([1.0, -1.0], "negative")],
                         ids=["length", "negative"])
def test_balance_rejects_bad_durations(durations, match):
    with pytest.raises(ValueError, match=match):
        balance(tag_sentences(["Hi.", "Bye."]), durations_s=durations)


# ---- the labelled sets, the shipped model and the blind gate ----------------------------

def _sets_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    import wording_sets
    return wording_sets


def test_every_labelled_set_is_valid_and_together_they_cover_the_scheme():
    ws = _sets_module()
    rows = []
    for name, path in ws.FILES.items():
        assert path.exists(), f"missing labelled set {path}"
        got = ws.load_set(name)  # raises on a label outside the scheme
        assert len(got) >= 150 and {r.tag for r in got} == set(TAGS), name
        rows += got
    assert {r.behaviour for r in rows if r.behaviour} == {b for bs in BEHAVIOURS.values() for b in bs}
    assert ws.BLIND_SET not in ws.TRAIN_SETS


def test_no_blind_sentence_is_in_the_training_sets():
    ws = _sets_module()
    key = lambda t: " ".join(t.lower().split())  # noqa: E731
    train = {key(r.text) for name in ws.TRAIN_SETS for r in ws.load_set(name)}
    for blind in (ws.BLIND_SET, ws.EARLIER_BLIND_SET):
        assert blind not in ws.TRAIN_SETS
        leaked = [r.text for r in ws.load_set(blind) if key(r.text) in train]
        assert not leaked, f"{len(leaked)} sentences of {blind} also appear in training sets"


def test_shipped_model_was_trained_on_the_current_training_sets():
    """The model file records a hash of the sets it learned from; the blind set is not among them."""
    import numpy as np
    from voicecoach.wording.model import MODEL_PATH
    ws = _sets_module()
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        trained_on = [str(n) for n in z["train_sets"]]
        digest = str(z["train_sha256"])
    assert trained_on == list(ws.TRAIN_SETS)
    assert ws.BLIND_SET not in trained_on and ws.EARLIER_BLIND_SET not in trained_on
    assert digest == ws.digest(ws.TRAIN_SETS), "data changed since training: run scripts/train_wording.py"


def test_blind_set_meets_the_target():
    """Tag accuracy and request F1 on the never-trained, never-tuned blind set must be >= 0.90."""
    ev = _eval_module()
    rep = ev.evaluate(ev.load_set(ev.BLIND_SET))
    ok, lines = ev.gate(rep)
    assert ok, "\n".join(lines)
    assert ev.gate(None)[0] is False  # a run that skips the blind set never passes


def test_other_models_can_be_passed_for_evaluation():
    from voicecoach.wording.model import load
    assert tag_sentence("Could you put me forward for the role?", model=load()).is_request is True


@pytest.mark.parametrize("objective, action", [
    ("My manager enrols me on the leadership course before the March intake.", "enrol"),
    ("My manager has booked me onto the data conference by Friday.", "book"),
    ("She sent me the invitation to the Lisbon summit before June.", "send"),
], ids=["enrols", "booked", "sent"])
def test_specificity_reads_inflected_actions(objective, action):
    spec = check_specificity(objective)
    assert spec.is_specific and spec.action == action, spec


def test_a_sentence_no_rule_knows_is_decided_and_explained_by_the_model():
    t = tag_sentence("The mentoring pilot went better than any of us expected.")
    assert (t.tag, t.behaviour, t.source) == ("push", "evaluating", "model")
    assert t.cues and all(c.lower() in t.text.lower() for c in t.cues)
    assert not {"the", "of", "us"} & set(t.cues)  # cues are content words, not stopwords
    assert all(c in t.reason for c in t.cues)


@pytest.fixture
def model_at(monkeypatch):
    """Point the shipped model's path at another file; the cached model is dropped before and after."""
    def use(path):
        monkeypatch.setattr(wording_model, "MODEL_PATH", path)
        wording_model.load.cache_clear()
    yield use
    wording_model.load.cache_clear()


def _one_line_fix(err) -> str:
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_missing_model_file_is_a_clear_error(tmp_path, model_at):
    model_at(tmp_path / "absent.npz")
    with pytest.raises(WordingModelError) as err:
        wording_model.load()
    msg = _one_line_fix(err)
    assert str(tmp_path / "absent.npz") in msg and "missing" in msg
    assert "`make run` or `pip install -e .`" in msg
    with pytest.raises(WordingModelError):  # through the tagger too
        tag_sentence("Could you put me forward for the role?")


@pytest.mark.parametrize("damage", ["truncated", "not-a-zip", "array-missing"])
def test_corrupt_model_file_is_a_clear_error(tmp_path, model_at, damage):
    import numpy as np
    bad = tmp_path / "bad.npz"
    data = wording_model.MODEL_PATH.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "not-a-zip":
        bad.write_bytes(b"not a model at all\n" * 10)
    else:
        with np.load(wording_model.MODEL_PATH, allow_pickle=False) as z:
            np.savez(bad, **{k: z[k] for k in z.files if k != "weights"})
    model_at(bad)
    with pytest.raises(WordingModelError) as err:
        wording_model.load()
    msg = _one_line_fix(err)
    assert str(bad) in msg and "cannot be read" in msg and "`make run` or `pip install -e .`" in msg


def test_stale_model_file_says_to_retrain(tmp_path, model_at):
    import numpy as np
    with np.load(wording_model.MODEL_PATH, allow_pickle=False) as z:
        old = {k: z[k] for k in z.files}
    old["feature_version"] = np.int64(0)
    np.savez(tmp_path / "old.npz", **old)
    model_at(tmp_path / "old.npz")
    with pytest.raises(WordingModelError, match="features v0.*train_wording.py") as err:
        wording_model.load()
    assert isinstance(err.value, RuntimeError)
    _one_line_fix(err)


# ---- the rules' verdict, one stage at a time ----------------------------------------------

def test_normalise_is_the_form_the_rules_read():
    assert normalise("  I\u2019d  LIKE\n a \u201cbreak\u201d ") == "i'd like a \"break\""


def test_rule_verdict_is_a_named_result():
    v = rule_verdict("Could you put me forward for the role?")
    assert v == RuleVerdict("stating_expectations", True, ("could you put me",), True)
    assert v.tag == "push"
    assert rule_verdict("Is that fair?") == RuleVerdict("involving", False, ("is",), False)
    assert rule_verdict("") == RuleVerdict(None, False, (), False)


def test_marker_stages_carry_no_patterns():
    markers = [s for s in wording_rules.STAGES if s[0] in (wording_rules.MODAL_YOU, wording_rules.ANY_QUESTION)]
    assert [s[0] for s in markers] == [wording_rules.MODAL_YOU, wording_rules.ANY_QUESTION]
    assert all(patterns == () for _, _, patterns in markers)


@pytest.mark.parametrize("n, expected", [
    ("could you put me forward for the role?", ("stating_expectations", True)),
    ("could you say more about that?", ("involving", False)),
    ("would you give me some feedback on the draft?", ("involving", False)),
    ("what could you do about it?", None),
    ("i want the role.", None),
], ids=["request", "pull-verb", "pull-give-feedback", "wh-question", "no-modal-you"])
def test_modal_you_stage(n, expected):
    v = wording_stages.modal_you_stage(n)
    assert (v and (v.behaviour, v.is_request)) == expected


def test_any_question_and_fallback_stages():
    assert wording_stages.any_question_stage("so, is that fair") == RuleVerdict("involving", False, ("so, is",), False)
    assert wording_stages.any_question_stage("what i'd like is a decision") is None  # pseudo-cleft
    assert wording_stages.fallback_verdict("it rained") == RuleVerdict(None, False, (), False)
    assert wording_stages.fallback_verdict("it rained?").behaviour == "involving"


@pytest.mark.parametrize("behaviour, is_request, n, expected", [
    ("proposing", False, "how about i lead the induction", True),
    ("proposing", False, "we could rotate the rota", False),
    ("incentives", False, "if you approve the course, i'll cover fridays", True),
    ("incentives", False, "in return, i'll cover fridays", False),
    ("stating_expectations", True, "what i want out of this meeting is clarity", False),
    ("stating_expectations", True, "i want to lead the pilot", True),
    ("reasoning", False, "how about i lead, because you are away", False),
], ids=["proposal-asks", "proposal", "incentive-asks", "incentive", "contracting", "request", "other"])
def test_request_adjustments(behaviour, is_request, n, expected):
    assert wording_stages.adjust_request(behaviour, is_request, n) is expected


def test_pattern_stage_takes_the_first_match_as_the_cue():
    import re
    patterns = (re.compile(r"\bbreak\b"), re.compile(r"\bi'd like\b"))
    v = wording_stages.pattern_stage("so, i'd like a break", "disengaging", False, patterns)
    assert v == RuleVerdict("disengaging", False, ("break",), True)
    assert wording_stages.pattern_stage("hello", "disengaging", False, patterns) is None


def test_model_features_take_a_rule_verdict():
    text = "Could you put me forward for the role?"
    feats = wording_model.features(text, rule_verdict(text))
    assert {"r=stating_expectations:cue", "r=request:1"} <= set(feats)
    with pytest.raises(TypeError, match="RuleVerdict"):
        wording_model.features(text, ("stating_expectations", True, (), True))


# ---- rules and model together, and their settings -----------------------------------------

def _prediction(behaviour, tag_p, request_p):
    return wording_model.Prediction(behaviour=behaviour, behaviour_p=max(tag_p.values()),
                                    tag_p={t: tag_p.get(t, 0.0) for t in TAGS}, request_p=request_p)


def test_combine_keeps_the_rule_unless_the_model_is_sure():
    rule = RuleVerdict("proposing", False, ("what if we",), True)
    sure_pull = _prediction("involving", {"pull": 0.9, "push": 0.1}, 0.1)
    assert combine(rule, sure_pull) == Decision("involving", False, (), "model")
    assert combine(rule, sure_pull, overrule_p=0.95) == Decision("proposing", False, ("what if we",), "rule")
    agrees = _prediction("stating_expectations", {"push": 0.8, "pull": 0.2}, 0.4)
    assert combine(rule, agrees) == Decision("proposing", True, ("what if we",), "rule")  # 0.4 >= 0.35
    assert combine(rule, agrees, request_p=0.5).is_request is False
    uncued = RuleVerdict(None, False, (), False)
    assert combine(uncued, agrees) == Decision("stating_expectations", True, (), "model")


def test_settings_reach_the_tagger():
    text = "Traffic on the ring road was awful this morning."  # the rules read a judgement
    assert (tag_sentence(text).tag, tag_sentence(text).source) == ("neutral", "model")
    strict = WordingSettings(model_overrules_p=0.9)
    t = tag_sentence(text, settings=strict)
    assert (t.behaviour, t.source) == ("evaluating", "rule")
    assert [x.tag for x in tag_sentences([text], settings=strict)] == ["push"]
    assert WordingSettings() == WordingSettings(0.6, 0.35)


@pytest.mark.parametrize("kwargs", [{"model_overrules_p": -0.1}, {"model_request_p": 1.5}], ids=["overrule", "request"])
def test_settings_reject_impossible_thresholds(kwargs):
    with pytest.raises(ValueError, match="probability"):
        WordingSettings(**kwargs)


# ---- sentences from a paragraph ------------------------------------------------------------

@pytest.mark.parametrize("text, sentences", [
    ("Thanks for your time.  I'd like to lead the pilot!\nWhat do you think?",
     ["Thanks for your time.", "I'd like to lead the pilot!", "What do you think?"]),
    ("Mr. Smith said so. Is it?", ["Mr. Smith said so.", "Is it?"]),
    ("could you put me forward for the role", ["could you put me forward for the role"]),
    ("Dr. J. Murphy, e.g. the course lead, etc. agreed. Prof. Ng too.",
     ["Dr. J. Murphy, e.g. the course lead, etc. agreed.", "Prof. Ng too."]),
    ("It took 3.5 days... Really?! Yes.", ["It took 3.5 days...", "Really?!", "Yes."]),
    ("She said \"no.\" Then left.", ["She said \"no.\"", "Then left."]),
    ("", []),
    (" \n\t ", []),
], ids=["three", "mr", "no-final-punctuation", "abbreviations-and-initials", "runs-and-decimals",
        "closing-quote", "empty", "blank"])
def test_split_text(text, sentences):
    assert split_text(text) == sentences


def test_split_text_rejects_non_text():
    with pytest.raises(TypeError, match="str"):
        split_text(None)


@pytest.mark.parametrize("text,missing,note", [
    ("I want your support sometime", ("object", "time"), ("“support” is not something", "“sometime” is not a time")),
    ("Could you think about it soon", ("action", "object", "time"), ("“think about it” is not something", "“soon” is not a time")),
    ("Make me team lead from 1 April", (), ()),
    ("Please enrol me on the leadership course before the March intake", (), ()),
], ids=["support-sometime", "think-soon", "make-me-role", "enrol"])
def test_vague_words_are_explained_by_kind(text, missing, note):
    from voicecoach.wording.specificity import vague_note
    spec = check_specificity(text)
    assert spec.missing == missing
    got = vague_note(spec) or ""
    assert all(n in got for n in note) and ("not a time" in got) == any("not a time" in n for n in note)


# ---- issue 17: the request detector on asks for time, own-role proposals, compound asks, incentives

@pytest.mark.parametrize("text, behaviour, is_request", [
    # asks for time are requests, not Move Away
    ("Can I have a break from the support rota next quarter?", "stating_expectations", True),
    ("Can I have fifteen minutes at Thursday's review to show the prototype?", "stating_expectations", True),
    ("Can I have a career break in the spring?", "stating_expectations", True),
    ("Can I have Tuesdays to study for the exam?", "stating_expectations", True),
    # ...while a pause inside the conversation stays one
    ("Can I have a minute?", "disengaging", False),
    ("Can I have a few minutes to think that over?", "disengaging", False),
    # proposals for the speaker's own role need the manager's yes
    ("I suggest I take over the release process in June.", "proposing", True),
    ("I recommend that we move me onto the mobile team.", "proposing", True),
    ("I recommend I lead the vendor review next quarter.", "proposing", True),
    # ...a proposal about how the team works asks nothing for the speaker
    ("I suggest we move the retro to Fridays.", "proposing", False),
    # a compound sentence whose second half is the ask
    ("I have enjoyed the platform work, so please approve my move to the platform team from the first of July.",
     "stating_expectations", True),
    ("The audit went well, so please put me forward for the senior grade.", "stating_expectations", True),
    # the incentive told apart from the ask (its condition is the manager's, so it is also a request)
    ("If you can approve it by Friday, I'll cover the on-call rota.", "incentives", True),
    ("If you could sign it off, I'd happily mentor the interns.", "incentives", True),
    ("It would help if you could sign it off, and in return I'll mentor the interns.", "incentives", True),
    ("Should you approve it, I'd take on the first-aid cover.", "incentives", True),
    ("If you could approve it by Friday, I'd be grateful.", "stating_expectations", True),
    ("If you can approve it by Friday, that would be great.", "stating_expectations", True),
    # asking for the manager's view or for meeting logistics is no request
    ("Can I have your view on the plan?", "involving", False),
    ("Can I have a glass of water before we start?", None, False),
])
def test_request_detector_issue_17(text, behaviour, is_request):
    t = tag_sentence(text)
    assert (t.behaviour, t.is_request) == (behaviour, is_request), (t.behaviour, t.is_request, t.cues, t.source)


def test_request_blind_set_meets_the_issue_17_gate():
    """Request F1 >= 0.95 on the focused request blind set (written before tuning, never tuned on),
    with incentives tagged incentives and the other asks not; the gate fails when not scored."""
    ev = _eval_module()
    rows = ev.load_set(ev.REQUEST_BLIND_SET)
    rep, split = ev.evaluate(rows), ev.incentive_split(rows)
    ok, lines = ev.request_gate(rep, split)
    assert ok, "\n".join(lines)
    assert rep.request_f1 >= 0.95 and min(split) >= 0.90
    assert ev.request_gate(None, None)[0] is False
    ws = _sets_module()
    assert ev.REQUEST_BLIND_SET not in ws.TRAIN_SETS and ev.REQUEST_TUNE_SET not in ws.TRAIN_SETS
