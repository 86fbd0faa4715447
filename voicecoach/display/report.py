"""A plain-text report of one analysed take (what ``voicecoach analyse`` prints)."""
from __future__ import annotations

from ..format import fmt_time
from ..result import TakeResult

__all__ = ["render_text"]


def _num(x, fmt: str, none: str = "–") -> str:
    return none if x is None else format(x, fmt)


def render_text(t: TakeResult, *, label: str = "take") -> str:
    p, b, r = t.pace, t.balance, t.request
    out = [f"voicecoach — {label} ({t.duration_s:.1f} s, model {t.model}; analysed on this machine)", ""]
    if t.warnings:
        out += ["Warnings:", *(f"  ! {c.message}" for c in t.warnings), ""]
    out.append(f"Transcript: {t.transcript}")
    out.append(f"Pace: {_num(p.speaking_wpm, '.0f')} words/min while speaking ({_num(p.wpm, '.0f')} over the "
               f"whole take, {_num(p.articulation_wpm, '.0f')} without any pause); pitch range "
               f"{_num(t.pitch_range_st, '.1f')} semitones")
    if r is None:
        out.append("Request: none found")
    else:
        wait = ("none: you went straight on" if r.carried_on else f"{r.pause_after_s:.1f} s"
                + (" (still waiting when the recording stopped)" if r.still_waiting else ""))
        out.append(f"Request: “{r.text}” at {fmt_time(r.start_s)}; silence after it: {wait}")
    out.append(f"Push {b.push_share:.0%} · Pull {b.pull_share:.0%} · Move Away {b.move_away_share:.0%} "
               f"of speaking time; {b.switches} switch{'es' if b.switches != 1 else ''} between Push and Pull")
    out += ["", "Sentences:"]
    for s in t.sentences:
        label_ = s.tag.replace("_", " ") + (f"/{s.behaviour.replace('_', ' ')}" if s.behaviour else "")
        req = " ← request" if r is not None and s.index == r.sentence_index else ""
        out.append(f"  {fmt_time(s.start_s)}  {label_:<28} {_num(s.wpm, '4.0f', '   –')} wpm  "
                   f"end {_num(s.end_drop_db, '+5.1f', '    –')} dB  pitch {_num(s.end_pitch_st, '+5.1f', '    –')} st  "
                   f"{s.text}{req}")
    if t.pauses:
        out.append("Pauses: " + ", ".join(f"{x.duration_s:.2f} s at {fmt_time(x.start_s)}" for x in t.pauses))
    if t.fillers:
        out.append("Fillers: " + ", ".join(f"{f.text} ({fmt_time(f.start_s)})" for f in t.fillers))
    if t.hedges:
        out.append("Hedges: " + ", ".join(f"{h.text} ({fmt_time(h.start_s)})" for h in t.hedges))
    out += ["", "Coaching:"]
    if not t.words_trusted:
        out.append("  (No tips on your wording, your request or your pace: the words could not be trusted; "
                   "see the warnings above.)")
    if not t.feedback and t.words_trusted:
        out.append("  Nothing to flag in this take: well done. Try it again to make it a habit.")
    for f in t.feedback:
        when = f"{fmt_time(f.start_s)}" if f.start_s is not None else "take"
        out.append(f"  [{f.severity}] {when:>5}  {f.message}")
    return "\n".join(out)
