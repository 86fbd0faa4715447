"""Run once at install time: compile librosa's numba kernels (cached on disk, ~17 s the first
time) and check that the default speech model is present and intact, so the first take a user
records is analysed at full speed."""
from __future__ import annotations

import numpy as np


def main() -> None:
    from . import prosody, transcribe

    t = np.arange(16_000) / 16_000
    y = (0.1 * np.sin(2 * np.pi * 140 * t)).astype(np.float32)
    prosody.contours(y)
    info = transcribe.resolve_model(None)
    transcribe.verify_model(info)
    print(f"voicecoach: kernels compiled; model {info.name} found at {info.path}")


if __name__ == "__main__":
    main()
