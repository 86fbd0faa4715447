"""The studio in a real browser, as a user goes through it (issue 9): two takes of the same ask
recorded through the Practise page's recorder (chromium's fake microphone fed from espeak-ng:
the request, then 0.8 s and then 2.8 s of silence before the next sentence), both on the Takes
page, the change in the wait after the request on the Compare page, a tip's moment played, and
a screenshot of every page (/tmp/shots/<page>.png, looked at by a person).

Chromium reads its fake microphone file once per launch, so each take is recorded by its own
browser against the one server and data folder."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import ASK, Server, full_page_screenshot, launch, open_page, record, wait_for_result, wav_file, \
    wav_seconds
from synth import Silence, Speech
from voicecoach.coaching.scenarios import PULL_PROMPTS, PUSH_PROMPTS, notes_text
from voicecoach.store.takes import TakeStore

WAITS_S = (0.8, 2.8)  # the silence after the request in the first and the second take
AFTER = "I have a plan to cover my work while I am away."
OBJECTIVE = "My manager agrees to enrol me on the leadership course before the March intake."
SHOTS = Path("/tmp/shots")


@dataclass
class Studio:
    url: str
    home: Path
    takes: list  # per take: (browser, its Practise page showing the result, the transcript's text)
    compare_with_one_take: str  # the Compare page's text when only the first take existed

    def page(self, path: str):
        """A fresh session (its own page) in the last browser, on one of the studio's pages."""
        return open_page(self.takes[-1][0], self.url, path)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("studio")
    home = tmp / "home"
    notes = {"proposals": "A leadership course helps me run the new team's stand-ups.",
             "questions": "What would make this easy for you to approve?"}
    TakeStore(home).save_preparation(
        scenario="course", situation="My one-to-one with Sam on Thursday.", objective=OBJECTIVE,
        push_notes=notes_text(PUSH_PROMPTS, notes), pull_notes=notes_text(PULL_PROMPTS, notes), notes=notes)
    server = Server(home)
    takes = []
    try:
        with sync_playwright() as pw:
            for n, wait in enumerate(WAITS_S):
                mic = wav_file(tmp / f"mic{n}.wav", [Speech(ASK), Silence(wait), Speech(AFTER), Silence(0.7)],
                               rate=48_000)
                browser = launch(pw, mic)
                page = open_page(browser, server.url)
                record(page, wav_seconds(mic) + 0.5)
                wait_for_result(page)
                takes.append((browser, page, "\n".join(page.locator(".vc-sentence").all_inner_texts())))
                if n == 0:  # a second session, on Compare, while there is one take
                    other = open_page(browser, server.url, "compare")
                    other.get_by_text("Comparing needs", exact=False).or_(
                        other.get_by_text("Two takes side by side")).wait_for()
                    compare_one = other.inner_text("[data-testid=stMain]")
                    other.close()
            yield Studio(server.url, home, takes, compare_one)
            for browser, *_ in takes:
                browser.close()
    finally:
        server.stop()


def _near(measured: float, truth: float, tol: float = 0.35) -> bool:
    return abs(measured - truth) <= tol


def test_both_takes_are_analysed_from_the_microphone(studio):
    for _, _, said in studio.takes:
        low = said.lower()  # the transcript, sentence by sentence: what was said, the request marked
        assert "leadership course" in low and "cover my work" in low, said
        assert "your request" in low.split("cover my work")[0], said
    first, second = sorted(TakeStore(studio.home).list(), key=lambda t: t.id)
    assert [t.status for t in (first, second)] == ["done", "done"]
    assert {t.source for t in (first, second)} == {"microphone"}
    assert _near(first.pause_after_s, WAITS_S[0]) and _near(second.pause_after_s, WAITS_S[1]), \
        (first.pause_after_s, second.pause_after_s)
    for (_, page, _), take in zip(studio.takes, (first, second)):  # the headline shows the stored wait
        wait = page.get_by_test_id("stMetric").filter(has_text="Wait after the request")
        assert wait.get_by_test_id("stMetricValue").inner_text() == f"{take.pause_after_s:.1f} s"


def test_takes_page_shows_both_takes(studio):
    page = studio.page("history")
    page.get_by_text("Name this take").wait_for()
    stored = {t.id: t for t in TakeStore(studio.home).list()}
    assert len(stored) == 2
    for take_id, take in stored.items():
        page.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name=re.compile(rf"^Take {take_id} · .*analysed")).click()
        page.get_by_role("heading", name=f"Take {take_id}").wait_for()
        wait = page.get_by_test_id("stMetric").filter(has_text="Wait after the request")
        expect(wait.get_by_test_id("stMetricValue")).to_have_text(f"{take.pause_after_s:.1f} s")
        expect(page.get_by_test_id("stAudio")).to_have_count(1)  # its recording, to replay
        page.wait_for_function(  # ... this take's (the length of its audio)
            "d => Math.abs(document.querySelector('[data-testid=stAudio]').duration - d) < 0.2", arg=take.duration_s)
    page.close()


def test_compare_shows_the_change_in_the_wait(studio):
    # negative control: with the first take alone, the page asks for a second one, no comparison
    assert "Comparing needs at least two analysed takes; you have 1" in studio.compare_with_one_take
    assert "wait after the request" not in studio.compare_with_one_take
    page = studio.page("compare")
    page.get_by_text("Best take so far").wait_for()
    text = page.inner_text("[data-testid=stMain]")
    page.close()
    m = re.search(r"wait after the request (\d+\.\d) s → (\d+\.\d) s \(\+(\d+\.\d) s, better\)", text)
    assert m, text
    before, after, delta = map(float, m.groups())
    assert _near(before, WAITS_S[0]) and _near(after, WAITS_S[1])
    assert _near(delta, WAITS_S[1] - WAITS_S[0], 0.25) and delta == pytest.approx(after - before)
    assert "Take 2:" in text.split("Best take so far", 1)[1]  # the take that held the silence wins


def test_a_tip_plays_its_moment(studio):
    _, page, _ = studio.takes[0]  # the first take's session, still on its results
    tips = page.locator(".vc-tip")
    texts = tips.all_inner_texts()
    i = next(k for k, t in enumerate(texts) if "After your request you spoke again" in t)
    at = re.search(r"· (\d+):(\d\d)", texts[i])
    at_s = int(at[1]) * 60 + int(at[2])  # the tip's moment, rounded to the second
    player = page.get_by_test_id("stAudio")  # st.audio (the recorder has an <audio> of its own)
    assert player.count() == 0  # nothing plays before it is asked for
    page.get_by_role("button", name="Play this moment").nth(i).click()
    player.wait_for()
    state = lambda: player.evaluate("a => ({t: a.currentTime, paused: a.paused, d: a.duration})")  # noqa: E731
    page.wait_for_function("() => document.querySelector('[data-testid=stAudio]').currentTime > 0")
    first = state()
    # played from a second before the moment (whole seconds): rounded at_s - 1 or - 2
    assert at_s - 2 - 0.05 <= first["t"] <= at_s + 0.5, (first, at_s)
    page.wait_for_timeout(1000)
    later = state()
    assert not later["paused"] and later["t"] > first["t"] + 0.5, (first, later)
    # the first take's audio (its length is known once the browser has read the file's header, which can
    # come after playing has begun: NaN until then)
    page.wait_for_function("() => isFinite(document.querySelector('[data-testid=stAudio]').duration)")
    assert state()["d"] == pytest.approx(TakeStore(studio.home).get(1).duration_s, abs=0.2)


def test_screenshots_of_every_page(studio):
    take = TakeStore(studio.home).list()[0]
    TakeStore(studio.home).add_reflection(kind="practice", take_id=take.id, answers={
        "stated": "Yes, in the first sentence.", "worked": "Holding the silence after the request.",
        "differently": "Slow down."})
    shots = {"practise": studio.takes[-1][1]}
    for name, path, ready in (("prepare", "prepare", "Your influence objective"), ("takes", "history", "Name this take"),
                              ("compare", "compare", "Best take so far"), ("reflect", "reflect", "What you wrote before")):
        page = studio.page(path)
        page.get_by_text(ready).first.wait_for()
        shots[name] = page
    shots["reflect"].get_by_test_id("stExpander").filter(has_text=f"practice take {take.id}").click()
    for name, page in shots.items():
        assert page.get_by_test_id("stException").count() == 0, name
        full_page_screenshot(page, SHOTS / f"{name}.png")
        assert (SHOTS / f"{name}.png").stat().st_size > 20_000
    assert "Slow down." in shots["reflect"].inner_text("[data-testid=stMain]")
    assert OBJECTIVE in shots["prepare"].get_by_test_id("stTextInput").first.locator("input").input_value()
