"""Plain data shared by the core modules (no I/O, no heavy imports)."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Word", "Region", "Caution", "ABBREVIATIONS"]

#: Words ending in a full stop that do not end a sentence, for both sentence splitters: the words
#: heard (``speech.delivery.split_sentences``) and a typed paragraph (``wording.split_text``).
#: Not "no.": "She said no." ends a sentence.
ABBREVIATIONS = frozenset("mr. mrs. ms. dr. prof. st. mt. jr. sr. vs. e.g. i.e. etc. approx.".split())


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


@dataclass(frozen=True)
class Caution:
    """Why part of a take's result cannot be trusted (a cut-off file, clipping, words the
    speech model was unsure of): ``message`` says what is wrong and what to do. Made by
    :func:`voicecoach.speech.cautions.cautions`; named ``Caution`` so as not to shadow ``Warning``."""

    code: str  # truncated | clipping | not_english | low_confidence | repeated_words
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}

    @classmethod
    def from_dict(cls, d: dict) -> "Caution":
        return cls(d["code"], d["message"])
