"""Load: 50 analyses in a row in one process (one loaded model, as the studio runs) leave resident
memory flat. Peak memory of long takes is measured by ``bench/bench_speed.py`` and the closing
note of issue 10 (``/usr/bin/time -v voicecoach analyse``)."""
import gc
import os

import numpy as np

from synth import Silence, Speech, build_take, to_wav_bytes
from voicecoach.analysis import analyse

RUNS = 50
WARM_RUNS = 5
#: Growth allowed from the 5th to the 50th analysis (MB). Keeping the decoded samples of every
#: run (10 s x 16 kHz float32 = 0.64 MB) would add 45 x 0.64 = 29 MB, and keeping an utterance's
#: Whisper features (80 x 3000 float32 = 0.96 MB) more: either fails. What malloc keeps in its
#: arenas after the first runs is reused; the series measured here grew 0.7 MB (303 -> 314 MB
#: over the first five runs, then flat).
MAX_GROWTH_MB = 15.0


def _rss_mb() -> float:
    """Resident memory of this process now (MB), from /proc/self/statm."""
    with open("/proc/self/statm") as fh:
        resident_pages = int(fh.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_fifty_analyses_in_a_row_keep_memory_flat(whisper):
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(2.5)])
    data = to_wav_bytes(y)  # decoded every time, as an upload is
    assert 9.0 <= len(y) / 16_000 <= 12.0
    series = []
    for k in range(RUNS):
        a = analyse(data)
        assert a.request is not None
        del a
        gc.collect()
        series.append(_rss_mb())
    print("resident memory after each analysis (MB):", " ".join(f"{m:.0f}" for m in series))
    growth = series[-1] - series[WARM_RUNS - 1]
    print(f"growth from analysis {WARM_RUNS} to {RUNS}: {growth:+.1f} MB; largest after {WARM_RUNS}: "
          f"{max(series[WARM_RUNS - 1:]) - series[WARM_RUNS - 1]:+.1f} MB")
    assert growth < MAX_GROWTH_MB
    # and no steady climb: the last ten runs are no higher than the ten before them, give or take
    assert np.median(series[-10:]) - np.median(series[-20:-10]) < MAX_GROWTH_MB / 3
