"""Write example takes (espeak-ng, our own text) into samples/: one ask delivered well, one badly."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from synth import Silence, Speech, build_take, to_wav_bytes  # noqa: E402  (test support: espeak-ng takes)

OUT = Path(__file__).resolve().parent.parent / "samples"

TAKES = {
    "ask_good.wav": [
        Speech("Thanks for making time today.", wpm=125), Silence(0.6),
        Speech("I have really enjoyed leading the data migration this year.", wpm=125), Silence(0.6),
        Speech("How do you see my role developing next year?", wpm=125), Silence(0.8),
        Speech("Please enrol me on the leadership course this March.", wpm=120), Silence(3.0),
    ],
    "ask_rushed.wav": [
        Speech("So um I was just wondering, you know, if maybe you could think about", wpm=220), Silence(0.3),
        Speech("I would really like your support with my development", wpm=220, final_gain_db=-14), Silence(0.5),
        Speech("Anyway it is just an idea", wpm=220),
    ],
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, parts in TAKES.items():
        y, truth = build_take(parts)
        (OUT / name).write_bytes(to_wav_bytes(y))
        print(f"{OUT / name}: {truth.duration_s:.1f} s, {truth.n_words} words, silences {truth.silences}")


if __name__ == "__main__":
    main()
