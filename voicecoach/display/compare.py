"""Comparing takes: trends over the analysed takes, the change between two of them, and the
best take so far by a score anyone can check (one point per coaching target met).

Pure functions over stored takes (:class:`voicecoach.store.takes.Take`), read through their result
(``Take.result``, a :class:`voicecoach.result.TakeResult`): the numbers are the result's
take-level numbers (:meth:`TakeResult.summary`, each defined once there; the end drop is the
weakest sentence end, as on the Practise headline) and whether a target was met is the coach's
verdict (``TakeResult.verdicts``), never decided here again. A take whose result carries a
warning (clipping, a cut-off file, words not trusted) is marked, and ranks after the takes
without one.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..coaching.coach import CoachSettings, hedges_in_request
from ..format import END_DROP_NAME, fmt_db, fmt_num, fmt_when
from ..store.takes import Take

__all__ = ["Metric", "METRICS", "METRIC_CHECKS", "Change", "change", "met_target", "Point", "Score", "done_takes", "target_of", "trend_rows",
           "changes", "WITHIN", "POINT_SHORT_NAMES", "point_names", "score", "ranking", "best", "fmt_value", "value_of",
           "conversation_rows"]


@dataclass(frozen=True)
class Metric:
    """One number followed across takes: a summary column of :class:`Take`."""

    key: str  # the Take column
    name: str  # as the page says it
    unit: str  # "wpm", "dB", "s", "%", "per 100 words"
    better: str | None  # "higher" | "lower" | "in_range" | None (no better direction)
    same_within: float  # a change smaller than this (in the shown unit) reads "about the same"
    digits: int = 0  # decimals shown
    scale: float = 1.0  # stored value × scale = shown value (shares 0..1 are shown in %)
    delta_unit: str | None = None  # unit of a change, if not ``unit`` ("percentage points" for shares)
    signed: bool = False  # show "+" on positive values (a change in level: the end drop)


METRICS: tuple[Metric, ...] = (
    Metric("speaking_wpm", "speaking pace", "wpm", "in_range", same_within=5.0),
    Metric("end_drop_db", END_DROP_NAME.lower(), "dB", "lower", same_within=1.0, digits=1, signed=True),
    Metric("pause_after_s", "wait after the request", "s", "higher", same_within=0.2, digits=1),
    Metric("push_share", "Push share", "%", None, same_within=5.0, scale=100.0, delta_unit="percentage points"),
    Metric("fillers_per_100", "fillers", "per 100 words", "lower", same_within=0.5, digits=1),
)
_BY_KEY = {m.key: m for m in METRICS}
WITHIN = "both within the target"


def target_of(metric: Metric | str, settings: CoachSettings | None = None) -> tuple[float | None, float | None]:
    """The coach's target for ``metric`` as (lowest, highest) in the shown unit; None for an open side.

    Pace: ``pace_min_wpm``..``pace_max_wpm``; end drop: below ``end_drop_db``; wait: at least
    ``wait_target_s``; fillers: below ``fillers_per_100``; Push share: no target (what counts is
    having both Push and Pull, see :func:`score`).
    """
    s = settings or CoachSettings()
    key = metric if isinstance(metric, str) else metric.key
    return {"speaking_wpm": (s.pace_min_wpm, s.pace_max_wpm), "end_drop_db": (None, s.end_drop_db),
            "pause_after_s": (s.wait_target_s, None), "push_share": (None, None),
            "fillers_per_100": (None, s.fillers_per_100)}[key]


def done_takes(takes) -> list[Take]:
    """The analysed takes whose result can be read, oldest first (the order of a trend)."""
    return sorted((t for t in takes if t.status == "done" and t.analysis_json and _readable(t)), key=lambda t: t.id)


def _readable(take: Take) -> bool:
    try:
        return take.result is not None
    except (ValueError, KeyError, TypeError, IndexError):
        return False


def value_of(metric: Metric, take: Take) -> float | None:
    """The take's value of ``metric`` in the shown unit (None when not measured): the result's
    take-level number (:meth:`voicecoach.result.TakeResult.summary`)."""
    r = take.result
    v = None if r is None else getattr(r, metric.key)
    return None if v is None else v * metric.scale


def fmt_value(metric: Metric, value: float | None) -> str:
    """``value`` (already in the shown unit) with its unit: "2.6 s", "45%", "−0.3 dB", "–" when
    not measured."""
    sep = "" if metric.unit == "%" else " "
    return fmt_num(value, metric.digits, sep + metric.unit, signed=metric.signed)


def trend_rows(takes) -> list[dict]:
    """One row per analysed take and metric, oldest take first (a chart's long-form table):
    ``n`` (1 = the first analysed take), ``take_id``, ``label``, ``recorded`` (local time),
    ``metric`` (its name), ``unit``, ``value`` (shown unit; None when not measured), ``warnings``
    (the take's cautions, "" for none)."""
    return [{"n": n, "take_id": t.id, "label": t.label or "", "recorded": fmt_when(t.created_at),
             "metric": m.name, "unit": m.unit, "value": value_of(m, t),
             "warnings": " ".join(c.message for c in t.result.warnings)}
            for n, t in enumerate(done_takes(takes), start=1) for m in METRICS]


# ---- two takes side by side ----------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """How one number moved from one take to another (values in the metric's shown unit)."""

    metric: Metric
    before: float | None
    after: float | None
    verdict: str | None  # "better" | "worse" | "about the same" | "both within the target";
    # None: no direction or not measured

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def text(self) -> str:
        """E.g. "wait after the request 0.8 s → 2.6 s (+1.8 s, better)", "Push share 70% → 75%
        (+5 percentage points)", "Push share 70% → 70% (no change)"; the change shown is that of
        the rounded values shown, so the sum adds up on the page."""
        m = self.metric
        head = f"{m.name} {fmt_value(m, self.before)} → {fmt_value(m, self.after)}"
        if self.delta is None:
            return head + " (not measured in both)"
        d = round(self.after, m.digits) - round(self.before, m.digits)
        step = "no change" if round(d, m.digits) == 0 else \
            fmt_num(d, m.digits, " " + (m.delta_unit or m.unit), signed=True)
        return head + f" ({step}{', ' + self.verdict if self.verdict else ''})"


#: The coach's checks behind each metric's target (voicecoach.coaching.coach.CHECKS): a take is within the
#: target when they are all met. Push share has none.
METRIC_CHECKS = {"speaking_wpm": ("pace_fast", "pace_slow"), "end_drop_db": ("end_drop",),
                 "pause_after_s": ("short_wait",), "fillers_per_100": ("fillers",), "push_share": ()}


def met_target(metric: Metric | str, take: Take) -> bool | None:
    """Whether ``take`` met the coach's target for ``metric``: its verdicts (:data:`METRIC_CHECKS`)
    all met; None when the metric has no target or a verdict was not judged."""
    key = metric if isinstance(metric, str) else metric.key
    codes, t = METRIC_CHECKS[key], take.result
    if not codes or t is None:
        return None
    vs = [t.verdict(c) for c in codes]
    if any(v is None or v.met is None for v in vs):
        return None
    return all(v.met for v in vs)


def change(metric: Metric, before: float | None, after: float | None, *, within: bool | None = None,
           settings: CoachSettings | None = None) -> Change:
    """One metric's change. ``within``: both takes met the target (their verdicts, as
    :func:`changes` passes it); when not given, it is read from the numbers and the coach's
    thresholds (for numbers without a take)."""
    if before is None or after is None:
        return Change(metric, before, after, None)
    s = settings or CoachSettings()
    if within is None:
        lo, hi = target_of(metric, s)
        within = (lo is not None or hi is not None) and all(
            _outside(v, lo, hi) == 0 and not _on_edge(metric, v, lo, hi) for v in (before, after))
    return Change(metric, before, after, _verdict(metric, before, after, s, within))


def _verdict(metric: Metric, before: float, after: float, settings: CoachSettings, within: bool) -> str | None:
    if metric.better is None:
        return None
    if within:
        return WITHIN  # both on the good side of the coach's target: the change does not matter
    if metric.better == "in_range":  # the distance outside the target range shrinks or grows
        lo, hi = target_of(metric, settings)
        before, after = -_outside(before, lo, hi), -_outside(after, lo, hi)
    gain = after - before if metric.better in ("higher", "in_range") else before - after
    return "better" if gain >= metric.same_within else "worse" if gain <= -metric.same_within else "about the same"


def _on_edge(metric: Metric, v: float, lo: float | None, hi: float | None) -> bool:
    """``v`` sits on a strict upper bound (the coach flags an end drop or a filler rate *at*
    its threshold), so it is not within the target."""
    return metric.better == "lower" and hi is not None and v >= hi


def _outside(v: float, lo: float | None, hi: float | None) -> float:
    return max(0.0, (lo - v) if lo is not None else 0.0, (v - hi) if hi is not None else 0.0)


def changes(before: Take, after: Take, settings: CoachSettings | None = None) -> tuple[Change, ...]:
    """Each metric of :data:`METRICS` from ``before`` to ``after``, with whether it got better.

    When both takes met the coach's target (their verdicts: pace inside its range, wait at least
    the target, no sentence end fading, fillers below their threshold) the verdict is
    :data:`WITHIN`, whichever way they moved. Otherwise: wait after the request: longer is
    better; end drop and fillers: lower is better; speaking pace: closer to the coach's range is
    better; a change smaller than the metric's ``same_within`` is "about the same"; Push share has
    no better direction.
    """
    return tuple(change(m, value_of(m, before), value_of(m, after), settings=settings,
                        within=bool(met_target(m, before) and met_target(m, after)))
                 for m in METRICS)


# ---- the best take: one point per target met --------------------------------------------------

@dataclass(frozen=True)
class Point:
    """One coaching target and whether the take met it."""

    short: str  # a column heading: one of POINT_SHORT_NAMES
    name: str
    met: bool | None  # None: not judged (the verdicts behind it were not judged): no point, and not counted
    detail: str  # what was measured, in words

    @property
    def mark(self) -> str:
        """✓ met, ✗ missed, – not judged."""
        return "✓" if self.met else "–" if self.met is None else "✗"


@dataclass(frozen=True)
class Score:
    take_id: int
    points: tuple[Point, ...]
    cautions: tuple[str, ...] = ()  # the take's warnings (their messages): its numbers may not hold

    @property
    def total(self) -> int:
        return sum(p.met is True for p in self.points)

    @property
    def out_of(self) -> int:
        """The targets judged: one that could not be judged (too few sentences to judge Push and
        Pull, no request) is neither a point nor a miss."""
        return sum(p.met is not None for p in self.points)

    @property
    def summary(self) -> str:
        """"4 of 5 targets met (1 not judged)"."""
        unjudged = len(self.points) - self.out_of
        return f"{self.total} of {self.out_of} targets met" + (f" ({unjudged} not judged)" if unjudged else "")

    @property
    def trusted(self) -> bool:
        return not self.cautions


POINT_SHORT_NAMES = ("request", "wait", "pace", "end drop", "fillers and hedges", "Push and Pull")
#: The coach's checks (voicecoach.coaching.coach.CHECKS) behind each point: met when all of them are met.
POINT_CHECKS = (("no_request", "vague_request"), ("short_wait",), ("pace_fast", "pace_slow"), ("end_drop",),
                ("fillers", "hedges"), ("push_only", "pull_only"))


def point_names(settings: CoachSettings | None = None) -> tuple[str, ...]:
    """The targets :func:`score` counts, in words with their thresholds (what the page explains)."""
    s = settings or CoachSettings()
    return (
        "a request that is stated and specific (an action, what exactly, and by when)",
        f"a wait after the request of at least {s.wait_target_s:g} s",
        f"a speaking pace of {s.pace_min_wpm:.0f}–{s.pace_max_wpm:.0f} wpm",
        f"an end drop below {s.end_drop_db:g} dB in every sentence (no sentence fades at its end)",
        f"fewer than {s.fillers_per_100:g} fillers and {s.hedges_per_100:g} hedges per 100 words, "
        "and no hedge inside the request",
        "both Push and Pull in the take",
    )


def score(take: Take, settings: CoachSettings | None = None) -> Score:
    """One point for each target of :func:`point_names` the take meets: met when the coach's
    verdicts behind it (:data:`POINT_CHECKS`) are all met; not judged (no point, and out of the
    total) when none of them is missed and one was not judged. ``settings`` only words the targets."""
    t = take.result
    if t is None:
        return Score(take.id, tuple(Point(short, name, False, "not analysed")
                                    for short, name in zip(POINT_SHORT_NAMES, point_names(settings))))
    verdicts = {v.code: v for v in t.verdicts}
    req, spec = t.request, t.request.specificity if t.request else None
    missing = " and ".join({"action": "an action", "object": "what exactly", "time": "a time"}.get(k, k)
                           for k in (spec.missing if spec else ()))
    vague = verdicts.get("vague_request")
    fil, hed, in_req = t.fillers_per_100, t.hedges_per_100, len(hedges_in_request(t))
    worst = t.end_drop_db
    details = (
        "no request found" if req is None else "specific" if spec is not None and spec.is_specific
        else "may have misheard" if vague is not None and vague.met is None and t.words_trusted
        else f"missing {missing}" if missing else "vague",
        "no request" if req is None else fmt_num(req.pause_after_s, 1, " s"),
        fmt_num(t.speaking_wpm, 0, " wpm", missing="not measured"),
        "not measured" if worst is None else f"largest end drop {fmt_db(worst)}",
        f"{fmt_num(fil or 0.0, 1)} fillers, {fmt_num(hed or 0.0, 1)} hedges"
        + (f", {in_req} in the request" if in_req else ""),
        f"Push {fmt_num(100 * (t.push_share or 0.0))}%, Pull {fmt_num(100 * (t.pull_share or 0.0))}%",
    )
    points = []
    for short, name, codes, detail in zip(POINT_SHORT_NAMES, point_names(settings), POINT_CHECKS, details):
        vs = [verdicts.get(c) for c in codes]
        met = all(v is not None and v.met is True for v in vs)
        if not met and any(v is not None and v.met is None for v in vs) and not any(
                v is None or v.met is False for v in vs):
            met = None  # as the verdict says: not judged, so neither a point nor a miss
            why = next(v.explanation for v in vs if v is not None and v.met is None)
            detail += (" (not judged: the words could not be trusted)" if not t.words_trusted
                       else f" (not judged: {why.rstrip('.')})" if why else " (not judged)")
        points.append(Point(short, name, met, detail))
    return Score(take.id, tuple(points), tuple(c.message for c in t.warnings))


def ranking(takes, settings: CoachSettings | None = None) -> tuple[Score, ...]:
    """Scores of the analysed takes, best first: the takes without a warning before those with
    one (a clipped take's numbers may not hold), then by points; a tie goes to the more recent take."""
    return tuple(sorted((score(t, settings) for t in done_takes(takes)),
                        key=lambda x: (not x.trusted, -x.total, -x.take_id)))


def best(takes, settings: CoachSettings | None = None) -> Score | None:
    """The best analysed take so far (see :func:`ranking`), None when there is none. It has a
    warning only when every take has one (the page then says so)."""
    r = ranking(takes, settings)
    return r[0] if r else None


def conversation_rows(conversations) -> list[dict]:
    """Checks met per moment, one row per finished conversation, oldest first: ``when``, ``id``,
    ``title``, ``outcome`` and, for each moment of :data:`voicecoach.rehearsal.rehearse.MOMENTS`, "met/total"
    over its judged verdicts ("–": no judged check at that moment). Read from the saved
    :class:`~voicecoach.rehearsal.conversation.ConversationResult` (``Conversation.result_json``); nothing is
    judged again. A conversation not finished, or whose result cannot be read, is left out."""
    import json

    from ..rehearsal.conversation import ConversationResult
    from ..rehearsal.rehearse import MOMENTS

    rows = []
    for c in sorted(conversations, key=lambda c: (c.created_at, c.id)):
        if not c.result_json:
            continue
        try:
            r = ConversationResult.from_dict(json.loads(c.result_json))
        except (ValueError, KeyError, TypeError):
            continue
        row = {"id": c.id, "when": c.created_at, "title": c.title, "outcome": r.outcome or "not finished"}
        for m in MOMENTS:
            judged = [v for t in r.turns if t.moment == m for v in t.checks if v.met is not None]
            row[m] = f"{sum(1 for v in judged if v.met)}/{len(judged)}" if judged else "–"
        rows.append(row)
    return rows
