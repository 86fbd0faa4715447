"""Accuracy of the delivery measurements against takes of known truth (espeak-ng + silences
of known length + final words scaled by a known gain), through the real model. Prints the
errors side by side with the issue's tolerances."""
import sys
from pathlib import Path

import numpy as np

from voicecoach.analysis import analyse
from voicecoach.speech.audio import Audio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from synth import Silence, Speech, build_take  # noqa: E402  (test support: espeak-ng takes)

LEAD = "I have really enjoyed leading the data migration this year."
ASK = "Please enrol me on the leadership course before the March intake."
FINALS = ["I would like to present my proposal at the next leadership meeting",
          "Could you send the invitation to the conference by Friday afternoon",
          "I am asking for a promotion to senior engineer this spring",
          "Can you approve my place at the data conference in June"]


def main() -> None:
    errs = []
    for wait in (0.5, 1.0, 1.5, 2.5, 4.0):
        for tail in ("next", "end"):
            parts = [Speech(LEAD), Silence(0.6), Speech(ASK), Silence(wait)]
            if tail == "next":
                parts.append(Speech("What do you think?"))
            a = analyse(Audio(build_take(parts)[0]))
            r = a.request
            errs.append(abs(r.pause_after_s - wait) if r else np.inf)
    print(f"pause after request: max error {max(errs):.3f} s, mean {np.mean(errs):.3f} s over {len(errs)} takes (tolerance 0.15 s)")

    gaps = [0.3, 0.45, 0.6, 0.8, 1.0, 1.5, 2.0]
    texts = ["I want to grow as a leader", "The migration went well", "I ran the team of six", "We shipped early",
             "Please enrol me on the course", "It starts in March", "What do you think", "Thank you"]
    parts = [Speech(texts[0])]
    for g, t in zip(gaps, texts[1:]):
        parts += [Silence(g), Speech(t)]
    a = analyse(Audio(build_take(parts)[0]))
    got = [p.duration_s for p in a.pauses]
    perr = [abs(x - g) for x, g in zip(got, gaps)] if len(got) == len(gaps) else [np.inf]
    print(f"pause lengths: {len(got)}/{len(gaps)} found, max error {max(perr):.3f} s (tolerance 0.12 s)")

    for rate in (110, 150, 190, 230):
        y, truth = build_take([Speech(LEAD, wpm=rate), Silence(0.5), Speech(ASK, wpm=rate)])
        a = analyse(Audio(y))
        true = truth.n_words / (truth.parts[-1][2] - truth.parts[0][1]) * 60
        print(f"wpm at espeak -s {rate}: measured {a.pace.wpm:.0f}, true {true:.0f}, error {abs(a.pace.wpm / true - 1):.1%} (tolerance 12%)")

    for text in FINALS:
        drops, flags = {}, {}
        for gain in (0.0, -6.0, -12.0):
            y, _ = build_take([Speech(LEAD), Silence(0.6), Speech(text, final_gain_db=gain), Silence(2.5)])
            a = analyse(Audio(y))
            drops[gain] = max(a.sentences, key=lambda s: s.n_words).end_drop_db
            flags[gain] = "end_drop" in [f.code for f in a.feedback]
        print(f"end_drop '{text.split()[-1]}': shift at -6 dB {drops[-6.0] - drops[0.0]:+.1f}, at -12 dB "
              f"{drops[-12.0] - drops[0.0]:+.1f} (target 6/12 ±3); end_drop raised at 0/-6/-12: "
              f"{flags[0.0]}/{flags[-6.0]}/{flags[-12.0]}")


if __name__ == "__main__":
    main()
