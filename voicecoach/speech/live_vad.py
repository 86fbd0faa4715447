"""Voice activity on audio as it arrives: Silero (the model bundled in faster-whisper) run
block by block, giving the same speech regions as :func:`voicecoach.speech.prosody.speech_regions`
gives on the whole take (``tests/test_live.py`` checks it). Used by :mod:`voicecoach.live`."""
from __future__ import annotations

import numpy as np

from . import prosody as _prosody
from .audio import SR
from ..types import Region

__all__ = ["StreamingVad"]

_WINDOW = 512  # Silero's window (samples at 16 kHz)
_CONTEXT = 64  # samples of the previous window Silero sees with each window


class StreamingVad:
    """Silero VAD (the model bundled in faster-whisper) run on audio as it arrives.

    Speech probabilities are computed window by window with the model's state carried over,
    exactly as ``faster_whisper.vad.get_speech_timestamps`` computes them over a whole take, and
    the same rules turn them into regions (with the options of
    :func:`voicecoach.speech.prosody.speech_regions`: no padding, no maximum length): after
    :meth:`finish`, :attr:`regions` equals ``speech_regions`` of the whole take.
    """

    def __init__(self, *, settings: _prosody.VadSettings | None = None, sr: int = SR):
        from faster_whisper.vad import get_vad_model

        if sr != SR:
            raise ValueError(f"sr={sr}: the voice activity runs at {SR} Hz; resample the audio first")
        s = settings or _prosody.VadSettings()
        self._session = get_vad_model().session
        self._threshold, self._neg_threshold = s.threshold, max(s.threshold - 0.15, 0.01)
        self._min_silence = sr * s.min_silence_ms / 1000
        self._min_speech = sr * s.min_speech_ms / 1000
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(_CONTEXT, np.float32)
        self._rest = np.zeros(0, np.float32)  # samples not yet a whole window
        self._windows = 0  # windows analysed
        self._samples = 0  # samples received
        self._triggered, self._start, self._temp_end = False, 0, 0
        self._closed: list[tuple[int, int]] = []  # finished regions (samples)
        self._finished = False

    @property
    def processed_s(self) -> float:
        """Seconds of audio the voice activity has decided on."""
        return self._windows * _WINDOW / SR

    @property
    def speaking(self) -> bool:
        """Speech is going on at the end of the audio analysed so far."""
        return self._triggered and not self._finished

    @property
    def regions(self) -> tuple[Region, ...]:
        """Speech regions so far (seconds); one still going on ends at :attr:`processed_s`."""
        spans = list(self._closed)
        if self._triggered and not self._finished:
            spans.append((self._start, self._windows * _WINDOW))
        return tuple(Region(a / SR, b / SR) for a, b in spans)

    def push(self, y: np.ndarray) -> bool:
        """Analyse more samples (16 kHz mono); True if a speech region started or ended."""
        if self._finished:
            raise RuntimeError("the voice activity has finished; start a new StreamingVad")
        y = np.asarray(y, dtype=np.float32).reshape(-1)
        self._samples += len(y)
        y = np.concatenate([self._rest, y]) if len(self._rest) else y
        n = len(y) // _WINDOW * _WINDOW
        self._rest = y[n:].copy()
        return self._step(self._probabilities(y[:n].reshape(-1, _WINDOW))) if n else False

    def finish(self) -> tuple[Region, ...]:
        """Analyse the last, partial window (zero-padded like the batch path) and close the
        region still open; returns the take's speech regions."""
        if not self._finished:
            tail = np.pad(self._rest, (0, _WINDOW - len(self._rest) % _WINDOW))  # a whole window if empty
            self._step(self._probabilities(tail.reshape(-1, _WINDOW)))
            if self._triggered and self._samples - self._start > self._min_speech:
                self._closed.append((self._start, self._samples))
            self._finished = True
        return self.regions

    def _probabilities(self, windows: np.ndarray) -> np.ndarray:
        """Silero's speech probability of each window (``SileroVADModel.__call__``, streamed)."""
        if not len(windows):
            return np.zeros(0, np.float32)
        context = np.vstack([self._context[None, :], windows[:-1, -_CONTEXT:]])
        x = np.ascontiguousarray(np.concatenate([context, windows], axis=1), dtype=np.float32)
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(out, dtype=np.float32).reshape(-1)

    def _step(self, probs: np.ndarray) -> bool:
        """``get_speech_timestamps``' rules, one window at a time."""
        changed = False
        for p in probs:
            pos = self._windows * _WINDOW
            self._windows += 1
            if p >= self._threshold and self._temp_end:
                self._temp_end = 0
            if p >= self._threshold and not self._triggered:
                self._triggered, self._start, changed = True, pos, True
                continue
            if p < self._neg_threshold and self._triggered:
                if not self._temp_end:
                    self._temp_end = pos
                if pos - self._temp_end < self._min_silence:
                    continue
                if self._temp_end - self._start > self._min_speech:
                    self._closed.append((self._start, self._temp_end))
                self._triggered, self._temp_end, changed = False, 0, True
        return changed
