"""One verdict per check: the single answer to "was this target met?", computed once.

Every check of a take (:mod:`voicecoach.coaching.coach`) and of a rehearsed conversation returns a
:class:`Verdict`; the tips, the headline and its colours, Compare's score and best take,
Reflect's "what worked" and the exported report read verdicts and never decide again.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Verdict", "SEVERITIES"]

SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    Attributes
    ----------
    code : str
        The check's code, stable in the JSON ("short_wait", "end_drop", "wait_held", ...).
    met : bool or None
        True: the target is met; False: missed (the tip is ``explanation``); None: it could not
        be judged (no request heard, words not trusted, too little speech), said in ``explanation``.
    value : float, str or None
        What was measured, in ``unit`` (None when nothing could be measured).
    target : str
        The target in words ("at least 2 s", "100–160 wpm").
    unit : str
        The unit of ``value`` ("s", "dB", "wpm", "per 100 words", "" for none).
    start_s, end_s : float or None
        The moment the verdict rests on, seconds in the recording (None: the whole take).
    explanation : str
        Why, in plain words: the tip when missed, the praise or the reason when met or not judged.
    severity : str
        high | medium | low: how much a miss matters (tips are ranked by it).
    """

    code: str
    met: bool | None
    value: float | str | None
    target: str
    unit: str = ""
    start_s: float | None = None
    end_s: float | None = None
    explanation: str = ""
    severity: str = "medium"

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Verdict":
        return cls(**{k: d.get(k) for k in ("code", "met", "value", "target")},
                   **{k: d[k] for k in ("unit", "start_s", "end_s", "explanation", "severity") if k in d})
