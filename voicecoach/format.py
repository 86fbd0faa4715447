"""How times and quotations are written in tips and reports (plain text, no markup)."""
from __future__ import annotations

__all__ = ["fmt_time", "quote"]


def fmt_time(t: float | None) -> str:
    """``m:ss`` for a time in seconds ("?" for None)."""
    if t is None:
        return "?"
    m, s = divmod(int(round(t)), 60)
    return f"{m}:{s:02d}"


def quote(text: str, n: int = 8) -> str:
    """The last ``n`` words of ``text`` in curly quotes, with "…" when some were left out."""
    words = text.split()
    return "“" + ("…" if len(words) > n else "") + " ".join(words[-n:]) + "”"
