"""One result everywhere, in a real browser (issue 16): a take whose request fades by 12 dB shows
that fade on the Takes page and on Compare (trend and side by side agree) and a clipped take is
marked with its caution on Takes, Compare and Reflect and does not win "best take"; Practise
shows your last result when you come back from another page. Screenshots of each page:
/tmp/shots/results-<page>.png (looked at by a person).

The takes are espeak-ng asks analysed with the real model and saved in a real take store before
the studio starts (the upload path is the subject of other browser tests), except the last,
uploaded through the Practise page."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from browser import Server, full_page_screenshot, goto_page, launch, open_page, upload, wait_for_result, wav_file
from synth import Silence, Speech, build_take, to_wav_bytes

ASK = "Please book me on the leadership course for next Monday."  # heard whole even with its last word faded
from voicecoach.analysis import analyse
from voicecoach.speech.audio import load
from voicecoach.format import fmt_db
from voicecoach.store.takes import TakeStore

LEAD = "I have really enjoyed leading the data migration this year."
SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def studio(whisper, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("results")
    home = tmp / "home"
    store = TakeStore(home)
    saved = {}
    plain = [Speech(LEAD), Silence(0.6), Speech(ASK), Silence(2.8), Speech("What do you think?"), Silence(0.5)]
    for name, parts, gain in (("plain", plain, 1.0),
                              ("fade", [Speech(LEAD), Silence(0.6), Speech(ASK, final_gain_db=-12.0), Silence(2.5)],
                               1.0),
                              ("clipped", plain, 12.0)):
        y, _ = build_take(parts)
        data = to_wav_bytes(np.clip(y * gain, -1.0, 1.0))
        result = analyse(load(data))
        take = store.add(data, source="upload", original_name=f"{name}.wav", dedupe=False)
        saved[name] = store.complete(take.id, analysis=result.to_dict(), model=result.model,
                                     duration_s=result.duration_s)
    server = Server(home)
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            yield server.url, browser, saved, tmp
            browser.close()
    finally:
        server.stop()


def test_takes_page_shows_the_fade_and_the_caution(studio):
    url, browser, saved, _ = studio
    fade, clipped = saved["fade"], saved["clipped"]
    shown = fmt_db(fade.result.end_drop_db)
    page = open_page(browser, url, "history")
    page.get_by_text("Name this take").wait_for()
    caution = clipped.result.warnings[0].message
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="full scale")).to_have_count(1)
    full_page_screenshot(page, SHOTS / "results-takes-clipped.png")
    page.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=re.compile(rf"^Take {fade.id} · ")).click()
    page.get_by_role("heading", name=f"Take {fade.id}").wait_for()
    metric = page.get_by_test_id("stMetric").filter(has_text="End drop")
    expect(metric.get_by_test_id("stMetricValue")).to_have_text(shown)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="full scale")).to_have_count(0)  # its own
    expect(page.get_by_text("full scale", exact=False)).to_have_count(0)  # once the page has finished its run
    assert caution not in page.inner_text("[data-testid=stMain]")
    full_page_screenshot(page, SHOTS / "results-takes-fade.png")
    page.close()


def test_compare_shows_the_fade_alike_and_does_not_crown_the_clipped_take(studio):
    url, browser, saved, _ = studio
    plain, fade, clipped = saved["plain"], saved["fade"], saved["clipped"]
    shown = fmt_db(fade.result.end_drop_db)
    page = open_page(browser, url, "compare")
    page.get_by_text("Best take so far").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    # side by side: the default pair is the last two takes (fade, clipped): the caution beside the clipped one
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="full scale")).to_have_count(1)
    full_page_screenshot(page, SHOTS / "results-compare-clipped.png")
    page.get_by_test_id("stSelectbox").nth(0).click()
    expect(page.get_by_role("option", name=re.compile(rf"^⚠ Take {clipped.id} · "))).to_have_count(1)
    expect(page.get_by_role("option", name=re.compile(rf"^⚠ Take {plain.id} · "))).to_have_count(0)
    page.get_by_role("option", name=re.compile(rf"Take {plain.id} · ")).click()
    page.get_by_test_id("stSelectbox").nth(1).click()
    page.get_by_role("option", name=re.compile(rf"Take {fade.id} · ")).click()
    page.wait_for_timeout(1500)
    text = page.inner_text("[data-testid=stMain]")
    assert f"end drop: {shown}" in text  # the later take's number, beside its recording
    assert re.search(rf"end drop {re.escape(fmt_db(plain.result.end_drop_db))} → {re.escape(shown)}", text)
    best = text.split("Best take so far", 1)[1]
    assert f"Take {clipped.id}:" not in best.split("\n", 2)[1] and f"Take {plain.id}:" in best
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="full scale")).to_have_count(0)  # not beside these
    full_page_screenshot(page, SHOTS / "results-compare.png")
    page.close()


def test_reflect_says_the_caution(studio):
    url, browser, saved, _ = studio
    page = open_page(browser, url, "reflect")
    page.get_by_text("What worked well?").first.wait_for()  # the newest take (clipped) is chosen
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="full scale")).to_have_count(1)
    full_page_screenshot(page, SHOTS / "results-reflect.png")
    page.close()


def test_practise_keeps_the_last_result(studio):
    url, browser, saved, tmp = studio
    path = wav_file(tmp / "upload.wav", [Speech(ASK, final_gain_db=-12.0), Silence(2.5)])
    page = open_page(browser, url)
    page.get_by_text("Record or upload a take").wait_for()  # negative control: nothing shown yet
    upload(page, path)
    wait_for_result(page)
    value = page.get_by_test_id("stMetric").filter(has_text="End drop").get_by_test_id("stMetricValue").inner_text()
    goto_page(page, "Takes")
    page.get_by_text("Name this take").wait_for()
    goto_page(page, "Practise")
    # the Takes page stays on screen until Practise is drawn: wait for Practise's own words
    page.get_by_text("Your last take", exact=False).first.wait_for(timeout=30_000)
    wait_for_result(page, 30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="End drop").get_by_test_id("stMetricValue")).to_have_text(
        value)
    assert "Your last take" in page.inner_text("[data-testid=stMain]")
    full_page_screenshot(page, SHOTS / "results-practise-back.png")
    page.close()
