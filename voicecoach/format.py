"""How numbers, times and quotations are written on every page, in tips and in reports (plain
text, no markup): one place, so the studio, the export and the reflection agree.

Negative numbers get a real minus sign ("−0.3 dB", not "-0.3 dB"); clock times are the
machine's local time; lengths and moments are ``m:ss`` counted the way a media player counts
(whole seconds elapsed, so a 10.6 s take is "0:10" here and in the player).
"""
from __future__ import annotations

import math
from datetime import datetime

__all__ = ["MINUS", "END_DROP_NAME", "END_DROP_MEANING", "fmt_time", "fmt_num", "fmt_db", "fmt_shares",
           "fmt_balance", "fmt_when", "end_drop_help", "quote"]

MINUS = "\u2212"

#: The one name and sign convention for how much a sentence's last word fades (dB).
END_DROP_NAME = "End drop"
END_DROP_MEANING = "how much quieter your sentence ends are than the rest of the sentence; + = quieter, − = louder"


def end_drop_help(threshold_db: float) -> str:
    """"End drop: how much quieter …; + = quieter, − = louder. Target: below 9.5 dB.\""""
    return f"{END_DROP_NAME}: {END_DROP_MEANING}. Target: below {threshold_db:g} dB."


def fmt_time(t: float | None) -> str:
    """``m:ss`` for a time in seconds ("?" for None), whole seconds elapsed as a player shows them."""
    if t is None:
        return "?"
    m, s = divmod(max(0, math.floor(t + 1e-6)), 60)
    return f"{m}:{s:02d}"


def fmt_num(value: float | None, digits: int = 0, unit: str = "", *, signed: bool = False,
            missing: str = "–") -> str:
    """``value`` with ``digits`` decimals, a real minus sign, an optional "+" (``signed``) and
    ``unit`` appended as given (include its space: " dB"); ``missing`` for None."""
    if value is None:
        return missing
    text = f"{value:{'+' if signed else ''}.{digits}f}"
    if text.lstrip("+-").strip("0.") == "":  # rounds to zero: no sign ("0.0", not "−0.0")
        text = text.lstrip("+-")
    return text.replace("-", MINUS) + unit


def fmt_db(value: float | None, digits: int = 1) -> str:
    """A level change in dB, always signed: "+3.1 dB", "−0.3 dB", "0.0 dB"."""
    return fmt_num(value, digits, " dB", signed=True)


def fmt_shares(*shares: float | None) -> str:
    """Shares 0..1 as "55% / 45% / 0%"."""
    return " / ".join(fmt_num(None if s is None else 100 * s, 0, "%") for s in shares)


def fmt_balance(push: float | None, pull: float | None, move_away: float | None) -> str:
    """The Push / Pull / Move Away shares (0..1) with the rest of the speaking time, in neutral
    sentences, so that the numbers add up: "70% / 10% / 0% · 20% neutral" (no neutral part when
    it rounds to 0%; "–" when nothing was measured)."""
    if push is None and pull is None and move_away is None:
        return "–"
    neutral = 100 * max(0.0, 1.0 - sum(s or 0.0 for s in (push, pull, move_away)))
    return fmt_shares(push, pull, move_away) + (f" · {neutral:.0f}% neutral" if round(neutral) else "")


def fmt_when(iso: str | None, *, seconds: bool = True) -> str:
    """A stored ISO 8601 time (UTC) in the machine's local time: "26 Nov 2026, 16:13:05"."""
    if not iso:
        return "–"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    local = when.astimezone() if when.tzinfo else when
    return f"{local.day} " + local.strftime("%b %Y, %H:%M" + (":%S" if seconds else ""))


def quote(text: str, n: int = 8) -> str:
    """The last ``n`` words of ``text`` in curly quotes, with "…" when some were left out."""
    words = text.split()
    return "“" + ("…" if len(words) > n else "") + " ".join(words[-n:]) + "”"
