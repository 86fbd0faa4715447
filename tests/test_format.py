"""How numbers and times are written: a real minus sign, local clock times, m:ss as a player counts."""
import os
import time

import pytest

from voicecoach.format import MINUS, end_drop_help, fmt_db, fmt_num, fmt_shares, fmt_time, fmt_when


@pytest.mark.parametrize("t, text", [(None, "?"), (0.0, "0:00"), (10.4, "0:10"), (10.6, "0:10"), (59.99, "0:59"),
                                     (60.0, "1:00"), (125.0, "2:05")],
                         ids=["none", "zero", "10.4", "10.6-as-a-player", "59.99", "60", "125"])
def test_fmt_time_counts_whole_seconds_like_a_player(t, text):
    assert fmt_time(t) == text


@pytest.mark.parametrize("args, kwargs, text", [
    ((-0.3, 1, " dB"), {}, f"{MINUS}0.3 dB"),
    ((1.66, 1, " dB"), {"signed": True}, "+1.7 dB"),
    ((-0.04, 1), {"signed": True}, "0.0"),  # rounds to zero: no sign
    ((212.4, 0, " wpm"), {}, "212 wpm"),
    ((None, 1, " s"), {"missing": "no request"}, "no request"),
], ids=["minus", "plus", "zero-unsigned", "integer", "missing"])
def test_fmt_num(args, kwargs, text):
    assert fmt_num(*args, **kwargs) == text


def test_end_drop_and_shares():
    assert fmt_db(-0.3) == "−0.3 dB" and fmt_db(2.0) == "+2.0 dB" and fmt_db(None) == "–"
    assert "-" not in fmt_db(-12.25)
    assert fmt_shares(0.55, 0.45, 0.0) == "55% / 45% / 0%"
    assert end_drop_help(9.5).startswith("End drop: how much quieter") and "below 9.5 dB" in end_drop_help(9.5)


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_fmt_when_is_local_time_with_seconds(berlin):
    assert os.environ["TZ"] == "Europe/Berlin"
    assert fmt_when("2026-11-26T15:13:05.123+00:00") == "26 Nov 2026, 16:13:05"  # CET is UTC+1
    assert fmt_when("2026-07-01T15:13:05+00:00", seconds=False) == "1 Jul 2026, 17:13"  # CEST, UTC+2
    assert fmt_when(None) == "–" and fmt_when("not a time") == "not a time"
