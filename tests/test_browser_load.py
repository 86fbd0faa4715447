"""The studio under load in a real browser (issue 10, item 6): three sessions that upload a take
at the same moment all get their own results and all three takes are stored as done; and an
analysis whose browser tab is closed stops (the take stays ``pending``), where the same
analysis with the tab kept open finishes (the negative control)."""
from __future__ import annotations

import os
import time

import pytest

from browser import pw, server  # noqa: F401  (fixtures)
from browser import launch, open_page, upload, wait_for_result, wav_file, wav_seconds
from synth import Silence, Speech
from voicecoach.store.takes import TakeStore

ASKS = ("Please enrol me on the leadership course before the March intake.",
        "Could you approve my place at the analytics conference in June?",
        "I would like a ten minute slot at the next leadership meeting to present my proposal.")
# what each ask's transcript must hold (and the other two's must not)
KEYS = ("leadership course", "conference", "minute slot")

LONG = ("I have been thinking about the next step in my work for a while now.",
        "Over the last year I took on the onboarding of three new people in the team.",
        "I enjoyed that part of the job more than anything else I did.",
        "What I found hard was running the weekly planning meeting on my own.",
        "I would like to learn how to lead a group well, and not only by trial and error.",
        "The leadership course in March covers exactly that, over four days.",
        "The budget for training this year still has room for one more place.",
        "My work on the billing project can be covered by Alex during those days.",
        "Please enrol me on the leadership course before the March intake.",
        "What would you need from me to make that an easy decision?",
        "How do you see my role in the team changing over the next year?",
        "I think the team would gain from someone who can run planning with confidence.")




def test_three_sessions_analysing_at_once_all_get_their_results(server, pw, tmp_path):
    files = [wav_file(tmp_path / f"ask{i}.wav", [Speech(a), Silence(2.5), Speech("Thank you for listening."),
                                                  Silence(0.5)]) for i, a in enumerate(ASKS)]
    browser = launch(pw)
    pages = [open_page(browser, server.url) for _ in ASKS]
    for page in pages:
        page.get_by_test_id("stFileUploader").wait_for()
    before = {t.id for t in TakeStore(server.home).list()}
    t0 = time.monotonic()
    for page, f in zip(pages, files):  # all three at once: each upload returns as soon as it is sent
        upload(page, f)
    for page in pages:
        wait_for_result(page)
    elapsed = time.monotonic() - t0
    for i, page in enumerate(pages):
        said = " ".join(page.locator(".vc-sentence").all_inner_texts()).lower()
        assert KEYS[i] in said, said  # each session shows its own take ...
        assert not any(k in said for j, k in enumerate(KEYS) if j != i), said  # ... and not another's
        assert page.get_by_test_id("stException").count() == 0
    browser.close()
    new = [t for t in TakeStore(server.home).list() if t.id not in before]
    assert len(new) == 3 and all(t.status == "done" and t.source == "upload" for t in new), \
        [(t.id, t.status, t.error) for t in new]
    assert sorted(t.original_name for t in new) == sorted(f.name for f in files)
    print(f"three takes analysed at once in {elapsed:.1f} s")


def _long_take(path, gap_s: float):
    """About 70 s: the LONG sentences with pauses of ``gap_s``, long enough (a few seconds of
    transcription) to close the tab while the progress shows it."""
    parts = []
    for s in LONG:
        parts += [Speech(s, wpm=150), Silence(gap_s)]
    return wav_file(path, parts)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (all its threads)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _newest(home):
    return TakeStore(home).list()[0]


def test_an_analysis_whose_tab_is_closed_is_finished_and_stored(server, pw, tmp_path):
    """A take is never left pending by its page: when the tab closes during the analysis, the
    analysis runs to its end and is stored (voicecoach.practice.analyse_saved), and then the
    server goes quiet. Negative control: the same length of analysis with the tab kept open."""
    kept, closed = _long_take(tmp_path / "long-kept.wav", 2.5), _long_take(tmp_path / "long-closed.wav", 2.6)
    assert 50 <= wav_seconds(kept) <= 120 and 50 <= wav_seconds(closed) <= 120
    browser = launch(pw)

    # negative control: with the tab kept open, the analysis finishes
    page = open_page(browser, server.url)
    page.get_by_test_id("stFileUploader").wait_for()
    t0 = time.monotonic()
    upload(page, kept)
    wait_for_result(page)
    open_s = time.monotonic() - t0
    take = _newest(server.home)
    assert take.original_name == kept.name and take.status == "done"
    page.context.close()

    # the same length of analysis, its tab closed while the progress shows the transcription
    page = open_page(browser, server.url)
    page.get_by_test_id("stFileUploader").wait_for()
    upload(page, closed)
    page.get_by_test_id("stProgress").get_by_text("Writing down your words").wait_for(timeout=60_000)
    take = _newest(server.home)
    assert take.original_name == closed.name and take.status == "pending"
    page.context.close()
    closed_at = time.monotonic()
    browser.close()
    while time.monotonic() < closed_at + 2 * open_s + 30 and TakeStore(server.home).get(take.id).status == "pending":
        time.sleep(1)
    take = TakeStore(server.home).get(take.id)
    done_s = time.monotonic() - closed_at
    time.sleep(2)
    cpu0 = _cpu_s(server.proc.pid)
    time.sleep(3)
    idle_cpu_s = _cpu_s(server.proc.pid) - cpu0
    print(f"analysis with the tab open: {open_s:.1f} s; tab closed: {take.status} {done_s:.1f} s later; "
          f"server CPU 3 s after that: {idle_cpu_s:.2f} s")
    assert take.status == "done" and take.analysis["transcript"], (take.status, take.error)
    assert idle_cpu_s < 0.5  # and the server is not still working on it
