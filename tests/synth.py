"""Test support (not shipped): takes whose truth we know: espeak-ng speech joined with silences of known length (sox for
resampling), optionally with the final word attenuated by a known number of dB.

Used by the tests, the benchmarks, the evaluations and ``make samples`` (scripts put ``tests/``
on their path). Needs the ``espeak-ng`` and ``sox``
programs (``make test`` installs them).
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

__all__ = ["Speech", "Silence", "Truth", "speak", "build_take", "to_wav_bytes", "SR"]

from voicecoach.speech.audio import to_wav_bytes  # noqa: E402  (re-exported for the tests)

SR = 16_000


@dataclass(frozen=True)
class Speech:
    text: str
    wpm: int = 150
    final_gain_db: float | None = None  # spoken apart and scaled: the last word (e.g. -12)
    voice: str = "en-us"


@dataclass(frozen=True)
class Silence:
    seconds: float


@dataclass(frozen=True)
class Truth:
    """Where each spoken part starts and ends (seconds), and the silences between them."""

    parts: tuple[tuple[str, float, float], ...]  # (text, start_s, end_s)
    silences: tuple[tuple[float, float], ...]  # (start_s, end_s) between parts and at the end
    duration_s: float

    @property
    def n_words(self) -> int:
        return sum(len(t.split()) for t, _, _ in self.parts)


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise RuntimeError(f"{tool} is not installed; run `make test` (it installs espeak-ng and sox)")
    return path


def _trim(y: np.ndarray, *, rel_db: float = -50.0) -> np.ndarray:
    frame = SR // 200  # 5 ms
    n = len(y) // frame * frame
    rms = np.sqrt(np.mean(y[:n].reshape(-1, frame) ** 2, axis=1))
    on = np.flatnonzero(20 * np.log10(np.maximum(rms, 1e-9) / rms.max()) > rel_db)
    return y[on[0] * frame : (on[-1] + 1) * frame]


def speak(text: str, *, wpm: int = 150, voice: str = "en-us", gain_db: float = 0.0) -> np.ndarray:
    """espeak-ng speech as 16 kHz float32, leading and trailing silence trimmed."""
    wav = subprocess.run([_need("espeak-ng"), "-v", voice, "-s", str(wpm), "--stdout", text],
                         check=True, capture_output=True).stdout
    # -R: sox's dither is seeded the same way every time, so the same text gives the same take
    raw = subprocess.run([_need("sox"), "-R", "-t", "wav", "-", "-r", str(SR), "-c", "1", "-b", "16",
                          "-e", "signed-integer", "-t", "raw", "-"],
                         input=wav, check=True, capture_output=True).stdout
    y = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return (_trim(y) * 10 ** (gain_db / 20)).astype(np.float32)


def build_take(parts, *, lead_s: float = 0.3) -> tuple[np.ndarray, Truth]:
    """Join :class:`Speech` and :class:`Silence` parts; returns samples and their truth.

    A ``Speech`` with ``final_gain_db`` is spoken as its body and its last word, joined with
    no gap, the last word scaled by that gain.
    """
    chunks = [np.zeros(int(round(lead_s * SR)), np.float32)]
    t = lead_s
    spoken, silent = [], []
    for p in parts:
        if isinstance(p, Silence):
            chunks.append(np.zeros(int(round(p.seconds * SR)), np.float32))
            silent.append((t, t + p.seconds))
            t += p.seconds
            continue
        if p.final_gain_db is not None:
            body, last = p.text.rsplit(" ", 1)
            y = np.concatenate([speak(body, wpm=p.wpm, voice=p.voice),
                                np.zeros(int(0.03 * SR), np.float32),
                                speak(last, wpm=p.wpm, voice=p.voice, gain_db=p.final_gain_db)])
        else:
            y = speak(p.text, wpm=p.wpm, voice=p.voice)
        chunks.append(y)
        spoken.append((p.text, t, t + len(y) / SR))
        t += len(y) / SR
    y = np.concatenate(chunks)
    return y, Truth(tuple(spoken), tuple(silent), len(y) / SR)


#: A seven-sentence ask with the gaps (s) between its sentences; the 3 s gap follows the request
#: (sentence 4). Shared by the transcription and the live tests.
LONG_ASK = (
    "Thanks for making time for this today.",
    "I have really enjoyed leading the data migration this year.",
    "The team shipped two weeks early.",
    "I would like to grow as a leader next.",
    "Please enrol me on the leadership course before the March intake.",
    "What do you think?",
    "I can share the plan by Friday.",
)
LONG_ASK_GAPS_S = (0.3, 0.8, 0.5, 1.2, 3.0, 0.6)
