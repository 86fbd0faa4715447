"""A plain-text report of one analysed take (what ``voicecoach analyse`` prints)."""
from __future__ import annotations

from .coach import fmt_time

__all__ = ["render_text"]


def _num(x, fmt: str, none: str = "–") -> str:
    return none if x is None else format(x, fmt)


def render_text(a, *, label: str = "take") -> str:
    m, d = a.m, a.m.delivery
    out = [f"voicecoach — {label} ({m.duration_s:.1f} s, model {a.model}; analysed on this machine)", ""]
    out.append(f"Transcript: {a.transcript}")
    out.append(f"Pace: {_num(d.wpm, '.0f')} words/min ({_num(d.articulation_wpm, '.0f')} without pauses); "
               f"pitch range {_num(d.pitch_range_st, '.1f')} semitones")
    if m.request_index is None:
        out.append("Request: none found")
    else:
        rs, rp = d.sentences[m.request_index], m.request_pause
        wait = f"{rp.pause_after_s:.1f} s" + (" (still waiting when the recording stopped)" if rp.still_waiting else "")
        out.append(f"Request: “{rs.text}” at {fmt_time(rs.start_s)}; silence after it: {wait}")
    b = m.balance
    out.append(f"Push {b.push_share:.0%} · Pull {b.pull_share:.0%} · Move Away {b.move_away_share:.0%} "
               f"of speaking time; {b.switches} switch{'es' if b.switches != 1 else ''} between Push and Pull")
    out += ["", "Sentences:"]
    for s, t in zip(d.sentences, m.tags):
        label_ = t.tag.replace("_", " ") + (f"/{t.behaviour.replace('_', ' ')}" if t.behaviour else "")
        req = " ← request" if s.index == m.request_index else ""
        out.append(f"  {fmt_time(s.start_s)}  {label_:<28} {_num(s.wpm, '4.0f', '   –')} wpm  "
                   f"end {_num(s.end_drop_db, '+5.1f', '    –')} dB  pitch {_num(s.end_pitch_st, '+5.1f', '    –')} st  "
                   f"{s.text}{req}")
    if d.pauses:
        out.append("Pauses: " + ", ".join(f"{p.duration_s:.2f} s at {fmt_time(p.start_s)}" for p in d.pauses))
    if m.fillers:
        out.append("Fillers: " + ", ".join(f"{f.text} ({fmt_time(f.start_s)})" for f in m.fillers))
    if m.hedges:
        out.append("Hedges: " + ", ".join(f"{h.text} ({fmt_time(h.start_s)})" for h in m.hedges))
    out += ["", "Coaching:"]
    if not a.feedback:
        out.append("  Nothing to flag in this take: well done. Try it again to make it a habit.")
    for f in a.feedback:
        when = f"{fmt_time(f.start_s)}" if f.start_s is not None else "take"
        out.append(f"  [{f.severity}] {when:>5}  {f.message}")
    return "\n".join(out)
