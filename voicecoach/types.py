"""Plain data shared by the core modules (no I/O, no heavy imports)."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Word", "Region"]


@dataclass(frozen=True)
class Word:
    """One transcribed word, times in seconds from the start of the recording."""

    text: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Region:
    """A span of time (speech or silence), seconds from the start of the recording."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s
