"""Scripted conversations: every scenario rehearsed with recorded replies (espeak-ng voices, real
Whisper, real Praat), along a strong, a weak and a mixed path; every check asserted, met on one
path and missed on another (each the other's negative control). Each reply is synthesised and
analysed once per session; the paths run through the engine, and one path per scenario through
the CLI (in process: the model is loaded once), whose JSON must match the engine's."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from conftest import run_cli
from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach import cli
from voicecoach.rehearsal.conversation import ConversationResult
from voicecoach.coaching.conversation_checks import CODES
from voicecoach.display.conversation_report import render_text
from voicecoach.rehearsal.rehearse import Rehearsal, ScriptError, load_script, scenario_ids

pytestmark = pytest.mark.slow

OWN_OBJECTIVE = "My manager enrols me on the Python course next month."
PREP = SimpleNamespace(objective=OWN_OBJECTIVE, scenario=None, situation="")
#: The specific ask of each scenario (its example objective, said to the manager).
ASK = {
    "course": "I'd like you to enrol me on the facilitation skills course before the April intake.",
    "conference": "Please send me an email invitation to the data engineering conference by Friday.",
    "leadership_slot": "Please give me a ten-minute slot at the next leadership meeting to present my proposal.",
    "stretch_role": "I'd like you to put me forward to lead the billing migration project from the start of next quarter.",
    "own": "Please enrol me on the Python course next month.",
}
S, Q = Speech, Silence
#: Every reply, by name: parts for synth.build_take (sentence gaps as a person leaves them).
REPLIES = {
    "open_contract": [S("Thanks for making the time."), Q(0.4), S("We have half an hour, and I would like to talk "
                      "about my development."), Q(0.4), S("What would you like to focus on?"), Q(0.8)],
    "open_straight": [S("I want to talk about a course."), Q(0.8)],
    "fb_curious": [S("That is useful to hear."), Q(0.4), S("What did you notice in those meetings?"), Q(0.8)],
    "fb_defensive": [S("That's not fair."), Q(0.3), S("But I had to cover for two people."), Q(0.8)],
    "fb_still_defensive": [S("I still think it was not my fault."), Q(0.8)],
    "fb_named_pause": [S("I notice I am getting defensive."), Q(0.4), S("Give me a moment, and then I would like to "
                       "explore this with you."), Q(0.8)],
    "fb_summary": [S("It sounds like this keeps coming up, and it matters to you."), Q(0.8)],
    "ask_vague_short": [S("I would appreciate your support with my development."), Q(0.5),
                        S("It really matters to me."), Q(0.8)],
    "ask_vague_waited": [S("I would appreciate your support with my development."), Q(2.6)],
    "clarify_vague": [S("I just want some training at some point."), Q(0.8)],
    "push_harder": [S("But I really need this."), Q(0.3), S("I have waited a long time for it."), Q(0.8)],
    "push_again": [S("I really think I deserve it."), Q(0.8)],
    "incentive": [S("I understand."), Q(0.3), S("If you approve it, I will run a session for the team on what I "
                  "learn."), Q(0.8)],
    "pull_concern": [S("What would make this work for you?"), Q(0.8)],
    "close_good": [S("So we have agreed that you will approve it, and I will arrange cover."), Q(0.4),
                   S("This was really useful."), Q(0.3), S("I will send you the details by Friday."), Q(0.8)],
    "close_no_follow_up": [S("So we have agreed that you will approve it."), Q(0.4), S("Thank you, this was useful."),
                           Q(0.8)],
    "close_long": [S("Well, I suppose that is that then, although I still feel that the way the team is run makes "
                     "it very hard for anyone to grow, and I have said this before in other meetings, and nothing "
                     "ever really changes, and I am not sure what else I can do about it, because every time I "
                     "bring it up we end up talking about something else instead, and then the weeks go by and "
                     "here we are again having the same conversation about the same things."), Q(0.8)],
}
for sid, text in ASK.items():
    REPLIES[f"ask_{sid}"] = [S(text), Q(2.6)]  # held the silence: still waiting when the turn ends
    REPLIES[f"ask_{sid}_short"] = [S(text), Q(0.6), S("What do you think?"), Q(0.8)]

#: Each path: its replies, the steps the manager takes, the outcome and every check's verdict.
PATHS = {
    "strong": dict(
        replies=["open_contract", "fb_curious", "ask_{sid}", "incentive", "close_good"],
        steps=["opening", "feedback", "ask", "pushback", "close"], outcome="agreed",
        checks=[{"contracting": True}, {"curious_under_feedback": True, "not_defensive": True},
                {"specific_request": True, "wait_held": True}, {"incentive_or_pull_after_pushback": True},
                {"summarised": True, "follow_up_with_time": True, "closed_briefly": True}]),
    "weak": dict(
        replies=["open_straight", "fb_defensive", "fb_still_defensive", "ask_vague_short", "clarify_vague",
                 "push_harder", "push_again", "close_long"],
        steps=["opening", "feedback", "feedback_press", "ask", "ask_clarify", "pushback", "pushback_firm", "close"],
        outcome="not_yet",
        checks=[{"contracting": False}, {"curious_under_feedback": False, "not_defensive": False},
                {"curious_under_feedback": False, "not_defensive": False},
                {"specific_request": False, "wait_held": False}, {"specific_request": False, "wait_held": False},
                {"incentive_or_pull_after_pushback": False}, {"incentive_or_pull_after_pushback": False},
                {"summarised": False, "follow_up_with_time": False, "closed_briefly": False}]),
    "mixed": dict(
        replies=["open_contract", "fb_defensive", "fb_summary", "ask_vague_waited", "ask_{sid}_short",
                 "push_harder", "pull_concern", "close_no_follow_up"],
        steps=["opening", "feedback", "feedback_press", "ask", "ask_clarify", "pushback", "pushback_firm", "close"],
        outcome="agreed_with_conditions",
        checks=[{"contracting": True}, {"curious_under_feedback": False, "not_defensive": False},
                {"curious_under_feedback": True, "not_defensive": True},
                {"specific_request": False, "wait_held": True}, {"specific_request": True, "wait_held": False},
                {"incentive_or_pull_after_pushback": False}, {"incentive_or_pull_after_pushback": True},
                {"summarised": True, "follow_up_with_time": False, "closed_briefly": True}]),
}
#: The path each scenario runs through the CLI (the other two through the engine only).
CLI_PATH = {"course": "strong", "conference": "weak", "leadership_slot": "mixed", "stretch_role": "strong",
            "own": "mixed"}


def _objective(sid: str) -> str:
    return load_script(sid, preparation=PREP if sid == "own" else None).objective


@pytest.fixture(scope="session")
def wavs(tmp_path_factory) -> dict[str, object]:
    """Every reply as a WAV file (synthesised once)."""
    folder = tmp_path_factory.mktemp("replies")
    out = {}
    for name, parts in REPLIES.items():
        y, _ = build_take(parts)
        (path := folder / f"{name}.wav").write_bytes(to_wav_bytes(y))
        out[name] = path
    return out


@pytest.fixture(scope="session")
def takes(wavs, whisper):
    """Every reply analysed once (with the objective of its scenario for the asks), by name."""
    from voicecoach.analysis import analyse

    cache = {}

    def get(name: str, sid: str):
        key = (name, _objective(sid) if name.startswith("ask_") else None)
        if key not in cache:
            cache[key] = analyse(wavs[name], objective=key[1])
        return cache[key]
    return get


def _run_engine(sid: str, path: str, takes) -> ConversationResult:
    rehearsal = Rehearsal(load_script(sid, preparation=PREP if sid == "own" else None))
    for name in PATHS[path]["replies"]:
        assert not rehearsal.finished
        rehearsal.answer(takes(name.format(sid=sid), sid))
    assert rehearsal.finished and rehearsal.current is None
    return rehearsal.result()


def _verdicts(result: dict) -> list[dict]:
    return [{c["code"]: c["met"] for c in m["checks"]} for m in result["moments"]]


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("sid", scenario_ids())
def test_path_through_the_engine(sid, path, takes):
    r = _run_engine(sid, path, takes)
    want = PATHS[path]
    d = r.to_dict()
    detail = json.dumps([(m["step"], m["you"]["transcript"], m["checks"]) for m in d["moments"]], indent=1)
    assert [m["step"] for m in d["moments"]] == want["steps"], detail
    assert _verdicts(d) == want["checks"], detail
    assert d["outcome"] == want["outcome"]
    s = d["summary"]
    met = sum(v for c in want["checks"] for v in c.values())
    assert (s["checks_met"], s["checks_total"]) == (met, sum(len(c) for c in want["checks"]))
    assert 0 < s["talk_share"] < 1 and s["switches"] >= 0
    assert abs(s["push_share"] + s["pull_share"] + s["move_away_share"]) <= 1.0 + 1e-9
    # the branch taken is recorded and explained
    for m, nxt in zip(d["moments"], d["moments"][1:]):
        assert m["next_step"] == nxt["step"] and m["branch"] == nxt["manager_why"] and m["branch"]
    assert ConversationResult.from_dict(json.loads(json.dumps(d))).to_dict() == d


def test_weak_path_lines(takes):
    """The weak path hears what the issue asks for: the manager asks what exactly after the vague
    ask, presses after the defensive reply, and says no more firmly after pushing harder."""
    d = _run_engine("course", "weak", takes).to_dict()
    line = {m["step"]: m["manager"] for m in d["moments"]}
    assert "What exactly would you like me to do" in line["ask_clarify"]
    assert "I need you to hear it" in line["feedback_press"]
    assert "the answer is no" in line["pushback_firm"]
    assert "training budget" in line["pushback"]  # the reason comes from the scenario's priorities
    why = {m["step"]: m["manager_why"] for m in d["moments"]}
    assert "not specific" in why["ask_clarify"] and "defended" in why["feedback_press"]
    assert "pushed again" in why["pushback_firm"]


def test_strong_beats_weak_on_the_whole(takes):
    strong = _run_engine("conference", "strong", takes).summary
    weak = _run_engine("conference", "weak", takes).summary
    assert strong.checks_met == strong.checks_total and weak.checks_met == 0
    assert strong.wait_after_ask_s >= 2.0 and strong.still_waiting  # the trailing silence after the ask
    assert weak.wait_after_ask_s < 1.0  # the reply to "what exactly?" ended 0.8 s after the ask
    assert weak.user_speaking_s > strong.user_speaking_s + 10  # the long close talks on
    assert strong.speaking_wpm and 100 < strong.speaking_wpm < 220


def test_talk_share_definition(takes):
    """Talk share = your sentence time / (yours + the manager's lines): the rendered length when the
    line was played, else its words at 160 wpm."""
    from voicecoach.rehearsal.rehearse import Rehearsal

    script = load_script("course")
    plain, timed = Rehearsal(script), Rehearsal(script)
    for name in PATHS["strong"]["replies"]:
        take = takes(name.format(sid="course"), "course")
        words = plain.current.words
        plain.answer(take)
        timed.answer(take, manager_audio_s=words / 160 * 60 * 2)  # a voice at half the pace
    a, b = plain.result().summary, timed.result().summary
    you = sum(s.end_s - s.start_s for name in PATHS["strong"]["replies"]
              for s in takes(name.format(sid="course"), "course").sentences)
    words = sum(len(script.step(st).line_for("agreed").split()) for st in PATHS["strong"]["steps"])
    assert a.user_speaking_s == pytest.approx(you, abs=0.01) and a.manager_speaking_s == pytest.approx(words * 60 / 160, abs=0.01)
    assert a.talk_share == pytest.approx(you / (you + words * 60 / 160), abs=0.001)
    assert b.manager_speaking_s == pytest.approx(2 * a.manager_speaking_s, abs=0.01) and b.talk_share < a.talk_share


def test_report_text(takes):
    text = render_text(_run_engine("course", "mixed", takes))
    assert "2. [feedback · step feedback]" in text and "step feedback_press" in text
    assert "✗ not_defensive" in text and "✓ curious_under_feedback" in text
    assert "Outcome: agreed with conditions" in text
    assert "Path: opening → feedback → feedback_press → ask → ask_clarify → pushback → pushback_firm → close" in text
    assert "[Pull" in text and "[Push" in text and "← request" in text
    assert "Your talk share:" in text
    # the vague ask held the silence (2.6 s at the end of the file); the clarified one was spoken into at 0.6 s
    assert "Wait after your ask: 2.6 s (still waiting when the turn ended); 0.5 s (at ask_clarify)" in text
    assert "“What would you like to focus on?”." not in text  # no full stop after a quoted question


@pytest.mark.parametrize("sid", scenario_ids())
def test_cli_conversation(sid, wavs, takes, tmp_path, monkeypatch, capsys):
    """The whole conversation through ``voicecoach rehearse --scenario ID --turn ... --json``,
    saved, with the same moments, checks and outcome as the engine."""
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    path = CLI_PATH[sid]
    if sid == "own":
        from voicecoach.store.takes import TakeStore
        TakeStore(tmp_path / "home").save_preparation(objective=OWN_OBJECTIVE)
    turns = [a for name in PATHS[path]["replies"] for a in ("--turn", str(wavs[name.format(sid=sid)]))]
    assert cli.main(["rehearse", "--scenario", sid, *turns, "--json"]) == 0
    out, err = capsys.readouterr()
    d = json.loads(out)
    engine = _run_engine(sid, path, takes).to_dict()
    assert [m["step"] for m in d["moments"]] == PATHS[path]["steps"]
    assert _verdicts(d) == _verdicts(engine) == PATHS[path]["checks"]
    assert d["outcome"] == engine["outcome"] == PATHS[path]["outcome"]
    assert [m["you"]["transcript"] for m in d["moments"]] == [m["you"]["transcript"] for m in engine["moments"]]
    assert "Saved as conversation 1" in err
    # the text report of the same conversation
    assert cli.main(["rehearse", "--scenario", sid, *turns[:4]]) == 0
    out, err = capsys.readouterr()
    assert "1. [opening · step opening]" in out and "Manager: " in out and "You: " in out
    assert "not finished" in out and "--resume 2" in err


def _cli(capsys, *args) -> tuple[int, str, str]:
    """``voicecoach rehearse ARGS`` in this process (``conftest.run_cli``)."""
    return run_cli(capsys, ["rehearse", *args])


@pytest.mark.parametrize("args, message", [
    (["--scenario", "promotion", "--turn", "{wav}"], "unknown scenario 'promotion'; choose one of course"),
    (["--scenario", "course", "--turn", "/no/such/reply.wav"], "--turn /no/such/reply.wav: no such file"),
    (["--scenario", "course", *["--turn", "{wav}"] * 9], "9 --turn files given, but the course conversation takes "
                                                          "at most 8 replies"),
    (["--turn", "{wav}"], "give --scenario ID"),
    (["--scenario", "own", "--turn", "{wav}"], "needs your influence objective"),
    (["--resume", "7", "--turn", "{wav}"], "conversation 7 does not exist"),
], ids=["unknown-scenario", "missing-file", "too-many-turns", "no-scenario", "own-unprepared", "resume-unknown"])
def test_cli_bad_input(args, message, wavs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    code, out, err = _cli(capsys, *[a.format(wav=wavs["open_contract"]) for a in args])
    assert code == 2, err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_cli_left_over_turns(wavs, tmp_path, monkeypatch, capsys):
    """More replies than this path needs (the strong path ends after 5): one line, status 2."""
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    turns = [a for name in PATHS["strong"]["replies"] + ["close_good"]
             for a in ("--turn", str(wavs[name.format(sid="course")]))]
    assert cli.main(["rehearse", "--scenario", "course", *turns]) == 2
    err = capsys.readouterr().err
    assert "the conversation ended after 5 replies, so 1 --turn file was left over" in err
    assert "conversation 1 is saved" in err


def test_scripts_are_data():
    """Every scenario's script loads, each step's checks are its moment's, the pushback reason
    is one of the scenario's priorities, and a broken script is refused with a reason."""
    from voicecoach.coaching.conversation_checks import CHECKS
    from voicecoach.rehearsal.rehearse import parse_script
    from voicecoach.coaching.scenarios import by_id

    moments_of = {c.code: c.moments for c in CHECKS}
    for sid in scenario_ids():
        s = load_script(sid, preparation=PREP)
        assert s.max_turns == 8 and s.step(s.start).moment == "opening"
        for st in s.steps:
            assert all(st.moment in moments_of[c] for c in st.checks), (sid, st.id)
        if sid != "own":
            assert any(p in s.step("pushback").line_for(None) for p in by_id(sid).manager_priorities)
    assert {c for sid in scenario_ids() for st in load_script(sid, preparation=PREP).steps for c in st.checks} \
        == set(CODES)
    own = load_script("own", preparation=PREP)
    assert "the Python course" in own.step("pushback").line_for(None) and ", next month" in own.step("close").line_for("agreed")
    with pytest.raises(ScriptError, match="steps \\['nowhere'\\] are named but not defined"):
        parse_script('start = "a"\n[steps.a]\nmoment = "opening"\nline = "Hi"\nchecks = []\nnext = [{ to = "nowhere", why = "" }]',
                     name="x.toml", title="x", objective="", priorities=())
    with pytest.raises(ScriptError, match="unknown checks \\['politeness'\\]"):
        parse_script('start = "a"\n[steps.a]\nmoment = "opening"\nline = "Hi"\nchecks = ["politeness"]',
                     name="x.toml", title="x", objective="", priorities=())
    with pytest.raises(ScriptError, match="unknown placeholder"):
        parse_script('start = "a"\n[steps.a]\nmoment = "opening"\nline = "Hi {boss}"\nchecks = []',
                     name="x.toml", title="x", objective="", priorities=())


@pytest.fixture(scope="session")
def joe_wavs(tmp_path_factory):
    """The course's strong and weak replies in Piper's neural voice joe (tests/voices.py)."""
    from voices import build_ask, render_piper

    folder = tmp_path_factory.mktemp("joe")
    out = {}
    names = sorted({n.format(sid="course") for p in ("strong", "weak") for n in PATHS[p]["replies"]})
    render_piper([p.text for name in names for p in REPLIES[name] if isinstance(p, Speech)])  # one Piper process
    for name in names:
        y, _ = build_ask(REPLIES[name], voice="joe")
        (path := folder / f"{name}.wav").write_bytes(to_wav_bytes(y))
        out[name] = path
    return out


def test_piper_voice_strong_path_through_the_cli(joe_wavs, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    turns = [a for name in PATHS["strong"]["replies"] for a in ("--turn", str(joe_wavs[name.format(sid="course")]))]
    assert cli.main(["rehearse", "--scenario", "course", *turns, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    detail = [(m["you"]["transcript"], m["checks"]) for m in d["moments"]]
    assert [m["step"] for m in d["moments"]] == PATHS["strong"]["steps"], detail
    assert _verdicts(d) == PATHS["strong"]["checks"], detail
    assert d["outcome"] == "agreed"


def test_piper_voice_weak_path(joe_wavs, whisper):
    from voicecoach.analysis import analyse

    script = load_script("course")
    rehearsal = Rehearsal(script)
    for name in PATHS["weak"]["replies"]:
        rehearsal.answer(analyse(joe_wavs[name], objective=script.objective))
    d = rehearsal.result().to_dict()
    detail = [(m["you"]["transcript"], m["checks"]) for m in d["moments"]]
    assert [m["step"] for m in d["moments"]] == PATHS["weak"]["steps"], detail
    assert _verdicts(d) == PATHS["weak"]["checks"], detail
    assert d["outcome"] == "not_yet"


def _turn(step: str, **met) -> "Turn":
    from voicecoach.rehearsal.conversation import Turn
    from voicecoach.coaching.verdict import Verdict

    return Turn(step=step, moment="", manager="", manager_why="", manager_audio_s=None, you={},
                checks=tuple(Verdict(code, m, None, "") for code, m in met.items()), next_step=None, branch="")


_SPEC, _VAGUE = dict(specific_request=True, wait_held=True), dict(specific_request=False, wait_held=True)
_GOOD_FB = dict(curious_under_feedback=True, not_defensive=True)


@pytest.mark.parametrize("sid", scenario_ids())
@pytest.mark.parametrize("replies, outcome", [
    ([("ask", _SPEC), ("pushback", {"incentive_or_pull_after_pushback": True})], "agreed"),
    ([("ask", _SPEC), ("pushback", {"incentive_or_pull_after_pushback": False}),
      ("pushback_firm", {"incentive_or_pull_after_pushback": True})], "agreed_with_conditions"),
    ([("ask", _SPEC), ("pushback", {"incentive_or_pull_after_pushback": False}),
      ("pushback_firm", {"incentive_or_pull_after_pushback": False})], "not_yet"),
    # the exit door needs a specific ask: engaging with the concern after a vague one is not enough
    ([("ask", _VAGUE), ("ask_clarify", _VAGUE), ("pushback", {"incentive_or_pull_after_pushback": True})], "not_yet"),
    ([("ask", _VAGUE), ("ask_clarify", _SPEC), ("pushback", {"incentive_or_pull_after_pushback": True})], "agreed"),
], ids=["door-first-time", "door-second-chance", "no-door", "vague-never-agreed", "clarified-then-agreed"])
def test_branches_from_verdicts(sid, replies, outcome):
    """The branches as a function of the verdicts alone (a saved conversation replayed): the exit
    door opens on the behaviour that earns it, and not otherwise."""
    script = load_script(sid, preparation=PREP)
    turns = [_turn("opening", contracting=True), _turn("feedback", **_GOOD_FB)]
    turns += [_turn(step, **met) for step, met in replies]
    r = Rehearsal(script, turns=turns)
    assert r.current.step == "close" and r.current.moment == "close"
    assert r.current.text == script.step("close").line_for(outcome)
    r = Rehearsal(script, turns=turns + [_turn("close", summarised=True, follow_up_with_time=True,
                                               closed_briefly=True)])
    assert r.finished and r.result().outcome == outcome
    assert [t.next_step for t in r.turns] == [t.step for t in r.turns[1:]] + [None]
    with pytest.raises(ScriptError, match="does not follow the script"):
        Rehearsal(script, turns=[turns[0], _turn("ask", **_SPEC)])
    with pytest.raises(ScriptError, match="the conversation is over"):
        r.answer(None)


def test_cli_resume(wavs, tmp_path, monkeypatch, capsys):
    """Two replies, then the rest with --resume: the same conversation as all at once."""
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    turns = [a for name in PATHS["strong"]["replies"] for a in ("--turn", str(wavs[name.format(sid="course")]))]
    assert cli.main(["rehearse", "--scenario", "course", *turns[:4], "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert not first["finished"] and first["outcome"] is None and len(first["moments"]) == 2
    assert cli.main(["rehearse", "--resume", "1", *turns[4:], "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["finished"] and d["outcome"] == "agreed" and _verdicts(d) == PATHS["strong"]["checks"]
    assert d["moments"][:2] == first["moments"]
    assert cli.main(["rehearse", "--resume", "1", "--turn", turns[1]]) == 2
    assert "the conversation ended after 5 replies" in capsys.readouterr().err


def test_cli_unusable_data_folder(wavs, tmp_path, monkeypatch, capsys):
    """A data folder that cannot be used: the conversation is still analysed and judged, and the
    user is told it is not saved."""
    (tmp_path / "file").write_text("in the way")
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "file" / "home"))
    turns = [a for name in PATHS["strong"]["replies"][:2] for a in ("--turn", str(wavs[name]))]
    assert cli.main(["rehearse", "--scenario", "course", *turns, "--json"]) == 0
    out, err = capsys.readouterr()
    assert _verdicts(json.loads(out)) == PATHS["strong"]["checks"][:2]
    assert "The conversation is not saved." in err and "Saved as" not in err


def test_named_pause_under_feedback(takes):
    """A deliberate, named pause is a good answer to feedback (a Move Away, not defensiveness): the
    manager moves on to the ask. Negative control: the defensive reply makes the manager press."""
    for reply, met, step in (("fb_named_pause", True, "ask"), ("fb_defensive", False, "feedback_press")):
        r = Rehearsal(load_script("stretch_role"))
        r.answer(takes("open_contract", "stretch_role"))
        tr = r.answer(takes(reply, "stretch_role"))
        assert {v.code: v.met for v in tr.checks} == {"curious_under_feedback": met, "not_defensive": met}, \
            (tr.take.transcript, tr.checks)
        assert tr.next_line.step == step
        if met:
            assert "a named pause" in tr.checks[0].explanation
            assert any(x.tag == "move_away" for x in tr.take.sentences), [(x.text, x.tag) for x in tr.take.sentences]


def test_the_conversation_end_drop_is_its_weakest_sentence_end(takes):
    """As a take's: the largest end drop of any sentence of any turn, with its words; a median of
    the sentences (what it was) would hide the fading one."""
    import statistics

    r = _run_engine("course", "strong", takes)
    drops = [(s["end_drop_db"], s["text"]) for t in r.turns for s in t.you["sentences"]
             if s.get("end_drop_db") is not None]
    worst = max(drops, key=lambda d: d[0])
    assert r.summary.end_drop_db == round(worst[0], 1) and r.summary.end_drop_text == worst[1]
    assert r.summary.end_drop_db > statistics.median(d for d, _ in drops) + 1.0
    assert f"weakest sentence end {worst[0]:+.1f} dB" in render_text(r)
    assert ConversationResult.from_dict(json.loads(json.dumps(r.to_dict()))).summary == r.summary
