#!/usr/bin/env python3
"""The ask, heard whole and judged right: voicecoach beside plain faster-whisper on the same audio.

Part 1, asks (audio built in each run by ``tests/voices.py``; every sentence's place and every
silence's length known):
  ask       24 takes: a short lead-in (a reason, what you enjoyed), a request that ends in a time
            ("... in March.", "... from the first of July."), a wait of 1-4 s, a Pull question.
            Voices: espeak-ng en-gb, espeak-ng en-us, Piper joe (8 each); per voice half over
            digital silence (a browser's noise suppression) and half over sox pink room noise at
            -45/-48/-50 dBFS RMS (sentences peak at -3 dBFS).
  follow-up 6 takes: lead-in, request, a wait of 2-3 s, then a follow-up question that is itself a
            request with a time ("Could you let me know by Friday?").
Each take goes through ``voicecoach.analysis.analyse`` (the public path) and through plain
faster-whisper (``WhisperModel`` on the same tiny.en folder, int8, greedy, language en, word
timestamps, no VAD filter: ``PLAIN``).

Judged per take:
  found     the sentence analyse() picked as the request overlaps, in time, the request we wrote
            more than any other sentence we wrote.
  whole     every word of the request (its time included) is in the transcript: the normalised
            transcript is aligned to the normalised script (jiwer) and each request word must be
            matched or substituted by a spelling variant (similarity >= 0.8: enrol/enroll);
            judged the same way for voicecoach and plain. ``heard`` shows what stood there.
  sentence  the request sentence analyse() picked holds the whole request (not cut in two).
  tip       a vague_request or no_request tip on a take whose request was heard whole (false).
  wait      ``request.pause_after_s`` against the silence we put after the request (within 0.2 s;
            counted only when the request was found).
  first     (follow-up) the request found is the first one, not the follow-up question.

Part 2, real voices (``../shared/fixtures/speech``, read in place): the final word's true onset
per clip is read from ``data/final_word_onsets.tsv`` (``--derive-onsets`` rebuilds it; method in
:func:`derive_onset`). Each clip whose final word is at least 0.25 s long (onset to the end of
its voice by energy) is faded by exactly 12 dB from that onset to the end of the file (a 10 ms
ramp from the onset); original and faded go through analyse(); ``end_drop_db`` of the last
sentence must move by 12 +- 4 dB. JFK's original must get neither an ``uptalk`` nor an
``end_drop`` tip.

    python scripts/eval_ask.py [--only asks|fades] [--derive-onsets] [-v]

Exit status 0 (the numbers are the result; nothing is gated here), 2 when tools or fixtures
are missing.
"""
from __future__ import annotations

import argparse
import csv
import difflib
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # tests/voices.py: asks of known truth

from scripts.eval_wer import normalise, read_clips  # noqa: E402
from voicecoach.speech import audio, transcribe as vc_transcribe  # noqa: E402
from voicecoach.analysis import analyse  # noqa: E402
from voices import SR, Silence, Speech, build_ask  # noqa: E402

FIXTURES = REPO.parent / "shared" / "fixtures" / "speech"
ONSETS = REPO / "data" / "final_word_onsets.tsv"
WAIT_TOL_S, FADE_DB, FADE_TOL_DB, MIN_FINAL_S, RAMP_S = 0.2, 12.0, 4.0, 0.25, 0.010
NOISE_DBFS = (-45.0, -48.0, -50.0)
VOICE_ORDER = ("en-gb", "en-us", "joe")
#: (lead-in, request, Pull question); voice, background and wait are assigned by position
ASKS = (
    ('I have really enjoyed mentoring the two new analysts this spring.',
     'Please enrol me on the coaching skills course in March.', 'What do you think?'),
    ('I enjoyed presenting our results to the board last quarter.',
     'Please give me a slot at the leadership meeting by the end of next week.',
     'What would you need from me to make that happen?'),
    ('The data migration finished two weeks early.',
     'I would like you to put me forward for the senior engineer role from the first of July.',
     'How does that fit with your plans for the team?'),
    ('Our customers keep asking for better training.',
     'Please enrol me on the product management course before the March intake.', 'What do you think?'),
    ('Working with the design team has been the best part of my year.',
     'I am asking you to fund my place at the user research conference in October.',
     'What concerns would you have?'),
    ('I led the office move without a single day of downtime.',
     'Please confirm my transfer to the London office from the first of September.',
     'How do you see that working for the team?'),
    ('The support queue is half the size it was in January.',
     'Please send me the invitation to the architecture review by Friday.', 'How does that sound to you?'),
    ('I have enjoyed running the weekly planning sessions.',
     'I would like to lead the next release in April.', 'What would you need to see from me?'),
    ('I really liked pairing with the platform team last month.',
     'Please approve my move to the platform team from the first of July.',
     'How does that fit with your plans for the team?'),
    ('Our audit passed with no findings for the first time.',
     'Please put my name forward for the risk committee before the summer break.',
     'What do you think about the timing?'),
    ('Two of our biggest clients renewed early this year.',
     'I want you to sign off the budget for the sales summit before June.', 'What would make that easier for you?'),
    ('I have grown a lot from leading the onboarding project.',
     'Please enrol me on the negotiation course in March.', 'What do you think?'),
    ('The new reporting tool saves the finance team a day each week.',
     'Please let me present it at the company meeting in June.', 'How would you like me to prepare?'),
    ('Mentoring the graduates has been the highlight of my year.',
     'I would like you to make me the graduate programme lead from January.',
     'How does that fit with your plans for the team?'),
    ('We closed the security review three weeks ahead of plan.',
     'Please book me on the cloud security certification before the end of the quarter.', 'What do you think?'),
    ('I enjoyed speaking at the local meetup in the autumn.',
     'Please approve my travel to the design conference in November.', 'Is there anything that would stop that?'),
    ('The team has asked me to coach them on testing.',
     'Please give me two days a month for coaching from next Monday.', 'How would that work for you?'),
    ('I have learned a lot from shadowing the product director.',
     'Please make my shadowing placement permanent from the first of October.', 'How do you feel about that?'),
    ('Our costs fell by a tenth after the vendor review.',
     'I am asking you to add me to the procurement board by the end of next week.', 'What would you need from me?'),
    ('The customer survey scores are the highest we have had.',
     'Please nominate me for the service excellence award before the March deadline.', 'What do you think?'),
    ('Running the hackathon was hard work but I loved it.',
     'I would like you to fund the next hackathon in the spring.', 'How does that fit with your budget?'),
    ('The new starters say the handbook helped them most.',
     'Please give me one day a week to update the handbook until September.', 'What would you change about it?'),
    ('I have covered the team lead role for three months now.',
     'Please confirm me as the team lead from the start of next month.', 'How do you see it?'),
    ('I enjoyed writing the quarterly report for the directors.',
     'Please let me write the annual report before the December board meeting.', 'What do you think about that?'),
)
WAITS_S = (2.0, 1.0, 3.0, 1.5, 4.0, 2.5, 3.5, 1.2, 2.2, 2.5, 1.8, 3.2,
           2.8, 1.4, 3.8, 2.0, 1.1, 3.0, 2.6, 1.6, 4.0, 2.4, 3.4, 1.3)
#: (lead-in, request, follow-up question that is itself a request with a time)
FOLLOW_UPS = (
    ("I have enjoyed leading the billing migration.",
     "Please enrol me on the leadership course before the March intake.", "Could you let me know by Friday?"),
    ("Our team shipped the new app on time.",
     "Please approve my place on the design sprint workshop in May.", "Can you tell me by Monday?"),
    ("I want to grow into people management.",
     "Please put me forward for the team lead role from the first of July.",
     "Could you let me know by the end of the week?"),
    ("The client workshop went really well.",
     "Please send me the invitation to the partner summit on Thursday.", "Could you confirm it by Friday?"),
    ("I have been covering the on call rota for months.",
     "I would like you to approve my leadership training in April.", "Could you let me know by Wednesday?"),
    ("Presenting to the directors taught me a lot.",
     "Please give me a slot at the next strategy day in June.", "Can you let me know by tomorrow?"),
)
FOLLOW_UP_WAITS_S = (3.0, 2.0, 2.5, 3.0, 2.2, 2.8)
_CONTRACTIONS = {"im": "i am", "ive": "i have", "id": "i would", "youre": "you are", "dont": "do not",
                 "cant": "can not", "cannot": "can not", "wont": "will not", "its": "it is"}
_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
             "10th": "tenth", "15th": "fifteenth", "20th": "twentieth", "30th": "thirtieth", "31st": "thirty first"}


@dataclass(frozen=True)
class Ask:
    name: str
    kind: str  # "ask" or "follow-up"
    voice: str
    noise_dbfs: float | None  # None: digital silence
    lead: str
    request: str
    wait_s: float
    after: str  # the Pull question, or the follow-up question

    @property
    def background(self) -> str:
        return "silence" if self.noise_dbfs is None else f"noise {self.noise_dbfs:.0f}"

    def parts(self):
        return [Speech(self.lead), Silence(0.6), Speech(self.request), Silence(self.wait_s), Speech(self.after),
                Silence(0.8)]


def asks() -> list[Ask]:
    """24 asks (8 per voice, per voice 4 over digital silence, 4 over room noise) and 6 follow-ups."""
    out = []
    for i, (lead, request, pull) in enumerate(ASKS):
        noisy = (i // 3) % 2 == 1
        out.append(Ask(f"ask{i + 1:02d}", "ask", VOICE_ORDER[i % 3], NOISE_DBFS[i % 3] if noisy else None,
                       lead, request, WAITS_S[i], pull))
    for i, (lead, request, follow) in enumerate(FOLLOW_UPS):
        out.append(Ask(f"follow{i + 1}", "follow-up", VOICE_ORDER[i % 3], NOISE_DBFS[i % 3] if i >= 3 else None,
                       lead, request, FOLLOW_UP_WAITS_S[i], follow))
    return out


def build(a: Ask, *, seed: int = 0):
    """Samples and truth (``synth.Truth``) of one ask; part 1 is the request, silence 1 the wait."""
    return build_ask(a.parts(), voice=a.voice, noise_dbfs=a.noise_dbfs, seed=seed)


# ---- judging -------------------------------------------------------------------------------

def words_of(text: str) -> list[str]:
    """normalise() (eval_wer) with ordinals spelled out (1st -> first) and contractions undone
    (I'm -> i am), so the script and either transcript are compared alike."""
    out = []
    for w in normalise(text).split():
        out.extend(_CONTRACTIONS.get(w, _ORDINALS.get(w, w)).split())
    return out


def _same(ref: str, hyp: str) -> bool:
    return ref == hyp or difflib.SequenceMatcher(None, ref, hyp).ratio() >= 0.8


def span_heard(script: list[str], span: range, heard: list[str]) -> tuple[bool, str]:
    """Whether every script word in ``span`` (indices into ``script``) is in ``heard``, aligned
    word by word (a spelling variant passes: similarity >= 0.8; two heard words that join into a
    script word count as it); and the heard words that stand where the span is."""
    if not heard:
        return False, ""
    ref_words, merged = set(script), []
    for w in heard:  # "work shop" heard for "workshop": one word
        if merged and merged[-1] + w in ref_words and w not in ref_words:
            merged[-1] += w
        else:
            merged.append(w)
    heard = merged
    chunks = jiwer.process_words(" ".join(script), " ".join(heard)).alignments[0]
    ok, hyp_idx = True, []
    for c in chunks:
        lo, hi = max(c.ref_start_idx, span.start), min(c.ref_end_idx, span.stop)
        if c.type == "insert":
            if span.start < c.ref_start_idx < span.stop:
                hyp_idx += list(range(c.hyp_start_idx, c.hyp_end_idx))
            continue
        if lo >= hi:
            continue
        if c.type == "delete":
            ok = False
            continue
        for r in range(lo, hi):
            h = c.hyp_start_idx + (r - c.ref_start_idx)
            hyp_idx.append(h)
            ok &= _same(script[r], heard[h])
    return ok, " ".join(heard[i] for i in sorted(set(hyp_idx)))


def judge(a: Ask, truth, result, plain_text: str | None) -> dict:
    """One take's verdicts (see the module docstring); ``result`` a TakeResult or an exception."""
    texts = [t for t, _, _ in truth.parts]
    script = [words_of(t) for t in texts]
    flat = sum(script, [])
    span = range(len(script[0]), len(script[0]) + len(script[1]))
    out = dict(name=a.name, kind=a.kind, voice=a.voice, background=a.background, wait_true=a.wait_s,
               request=a.request, error=None, found=False, whole=False, heard="", sentence_whole=False,
               picked="", tips=[], false_tip=False, wait=None, wait_ok=False, plain_whole=None, plain_heard="")
    if plain_text is not None:
        out["plain_whole"], out["plain_heard"] = span_heard(flat, span, words_of(plain_text))
    if isinstance(result, Exception):
        out["error"] = f"{type(result).__name__}: {result}"
        return out
    out["whole"], out["heard"] = span_heard(flat, span, words_of(result.transcript))
    out["tips"] = [f.code for f in result.feedback]
    out["false_tip"] = out["whole"] and bool({"vague_request", "no_request"} & set(out["tips"]))
    out["tip_text"] = " / ".join(f.message for f in result.feedback if f.code in ("vague_request", "no_request"))
    r = result.request
    if r is None:
        return out
    out["picked"] = r.text
    overlap = [min(r.end_s, e) - max(r.start_s, s) for _, s, e in truth.parts]
    out["found"] = int(np.argmax(overlap)) == 1 and overlap[1] > 0
    out["sentence_whole"] = out["found"] and span_heard(script[1], range(len(script[1])), words_of(r.text))[0]
    out["wait"] = r.pause_after_s
    out["wait_ok"] = out["found"] and abs(r.pause_after_s - a.wait_s) <= WAIT_TOL_S
    return out


# ---- the two systems -----------------------------------------------------------------------

def plain_model():
    """Plain faster-whisper on the same tiny.en folder voicecoach resolves."""
    from faster_whisper import WhisperModel

    return WhisperModel(str(vc_transcribe.resolve_model(None).path), device="cpu", compute_type="int8")


PLAIN = dict(language="en", beam_size=1, temperature=0.0, word_timestamps=True, vad_filter=False)


def plain_text(model, y: np.ndarray) -> str:
    segments, _ = model.transcribe(y, **PLAIN)
    return "".join(s.text for s in segments).strip()


def run_voicecoach(y: np.ndarray):
    try:
        return analyse(audio.Audio(y))
    except Exception as exc:  # noqa: BLE001 - the analysis is being changed by others: report, go on
        return exc


def eval_asks(model, verbose: bool) -> list[dict]:
    rows = []
    for a in asks():
        y, truth = build(a)
        t0 = time.perf_counter()
        rows.append(judge(a, truth, run_voicecoach(y), plain_text(model, y)))
        rows[-1]["seconds"] = time.perf_counter() - t0
        print_row(rows[-1], verbose)
    return rows


def _yn(x) -> str:
    return "-" if x is None else ("yes" if x else "NO")


def print_row(r: dict, verbose: bool) -> None:
    wait = "-" if r["wait"] is None else f"{r['wait']:.2f}"
    print(f"{r['name']:<8} {r['voice']:<5} {r['background']:<9} found {_yn(r['found']):<3} whole {_yn(r['whole']):<3} "
          f"plain {_yn(r['plain_whole']):<3} sentence {_yn(r['sentence_whole']):<3} false tip {_yn(r['false_tip']):<3} "
          f"wait {wait}/{r['wait_true']:.1f} {'ok' if r['wait_ok'] else 'NO'}")
    if r["error"]:
        print(f"    analysis failed: {r['error']}")
        return
    if verbose or not (r["found"] and r["whole"] and r["sentence_whole"] and r["wait_ok"]) or r["false_tip"]:
        print(f"    said     {r['request']}\n    heard    {r['heard']}\n    picked   {r['picked'] or '(no request)'}"
              f"\n    plain    {r['plain_heard']}\n    tips     {', '.join(r['tips']) or '-'}")
        if r["false_tip"]:
            print(f"    tip says {r['tip_text']}")


def summarise_asks(rows: list[dict]) -> list[str]:
    m = [r for r in rows if r["kind"] == "ask"]
    f = [r for r in rows if r["kind"] == "follow-up"]
    n = len(m)
    heard_whole = [r for r in m if r["whole"]]
    where_plain = [r for r in m if r["plain_whole"]]
    waits = [abs(r["wait"] - r["wait_true"]) for r in m if r["found"] and r["wait"] is not None]
    lines = ["", "by voice and background (found / whole / plain whole / wait ok):"]
    for v in VOICE_ORDER:
        for bg in ("silence", "noise"):
            g = [r for r in m if r["voice"] == v and r["background"].startswith(bg)]
            n_g = len(g)
            lines.append(f"  {v:<5} {bg:<7} {sum(r['found'] for r in g)}/{n_g} {sum(r['whole'] for r in g)}/{n_g} "
                         f"{sum(bool(r['plain_whole']) for r in g)}/{n_g} {sum(r['wait_ok'] for r in g)}/{n_g}")
    lines += [
        "",
        f"ASK requests found: voicecoach {sum(r['found'] for r in m)}/{n}",
        f"ASK requests kept whole: voicecoach {len(heard_whole)}/{n} | plain {len(where_plain)}/{n}",
        f"ASK kept whole where plain keeps it: voicecoach {sum(r['whole'] for r in where_plain)}/{len(where_plain)}",
        f"ASK request sentence whole (as the analysis split it): voicecoach {sum(r['sentence_whole'] for r in m)}/{n}",
        "ASK false vague/no-request tips on a request heard whole: "
        f"{sum(r['false_tip'] for r in m)}/{len(heard_whole)}",
        f"ASK waits within {WAIT_TOL_S} s: {sum(r['wait_ok'] for r in m)}/{n}"
        + (f" (max error {max(waits):.2f} s where found)" if waits else ""),
        f"FOLLOW-UP request still the first one: {sum(r['found'] for r in f)}/{len(f)}; kept whole: voicecoach "
        f"{sum(r['whole'] for r in f)}/{len(f)} | plain {sum(bool(r['plain_whole']) for r in f)}/{len(f)}; "
        f"waits within {WAIT_TOL_S} s: {sum(r['wait_ok'] for r in f)}/{len(f)}; false vague/no-request tips: "
        f"{sum(r['false_tip'] for r in f)}",
        f"ASK analysis errors: {sum(bool(r['error']) for r in rows)}",
    ]
    return lines


# ---- part 2: real voices, the final word faded by 12 dB from its true onset ---------------

def _frame_db(y: np.ndarray, *, hop_s: float = 0.005, win_s: float = 0.010) -> np.ndarray:
    hop, win = round(hop_s * SR), round(win_s * SR)
    n = max(1 + (len(y) - win) // hop, 1)
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    return 10 * np.log10(np.maximum(np.mean(y[np.minimum(idx, len(y) - 1)] ** 2, axis=1), 1e-12))


def voice_end_s(y: np.ndarray) -> float:
    """End of the voice: the last 10 ms frame above max(peak - 50 dB, 10th percentile + 6 dB), so
    a soft final nasal counts (a clip whose noise never falls ends at the file's end)."""
    db = _frame_db(y, hop_s=0.01, win_s=0.01)
    on = np.flatnonzero(db > max(db.max() - 50, np.percentile(db, 10) + 6))
    return (on[-1] + 1) * 0.01


def _valleys(y: np.ndarray, t0: float, t1: float) -> list[tuple[float, float]]:
    """(right edge s, depth dB, bottom s) of each energy valley between t0 and t1 (see derive_onset)."""
    db = np.convolve(_frame_db(y), np.ones(3) / 3, mode="same")
    times = np.arange(len(db)) * 0.005 + 0.005
    out = []
    for k in np.flatnonzero((times >= t0) & (times <= t1)):
        if not (0 < k < len(db) - 1 and db[k] <= db[k - 1] and db[k] < db[k + 1]):
            continue
        depth = min(db[max(k - 12, 0):k].max(), db[k + 1:k + 13].max()) - db[k]
        if depth >= 4:
            j = k
            while j + 1 < len(db) and db[j + 1] <= db[k] + 3:
                j += 1
            out.append((float(times[j]), float(depth), float(times[k])))
    return out


def fade_from(y: np.ndarray, onset_s: float, gain_db: float = -FADE_DB) -> np.ndarray:
    """Everything from ``onset_s`` to the end scaled by ``gain_db``: a 10 ms linear ramp from the
    onset, then the full gain."""
    g = np.ones(len(y), np.float32)
    i, r, k = round(onset_s * SR), round(RAMP_S * SR), 10 ** (gain_db / 20)
    g[i:i + r] = np.linspace(1.0, k, r, endpoint=False)[: len(g[i:i + r])]
    g[i + r:] = k
    return (y * g).astype(np.float32)


def _tail_words(model, y: np.ndarray, cut_s: float) -> list[str]:
    """Plain faster-whisper on the clip from ``cut_s`` on (a 5 ms ramp in, 0.2 s of silence before)."""
    tail = y[round(cut_s * SR):].copy()
    r = min(len(tail), round(0.005 * SR))
    tail[:r] *= np.linspace(0, 1, r)
    segments, _ = model.transcribe(np.concatenate([np.zeros(SR // 5, np.float32), tail]), language="en",
                                   beam_size=1, temperature=0.0, vad_filter=False,
                                   condition_on_previous_text=False)
    return words_of("".join(s.text for s in segments))


def _head_words(model, y: np.ndarray, cut_s: float) -> list[str]:
    """Plain faster-whisper on the clip up to ``cut_s`` (a 5 ms ramp out, 0.3 s of silence after)."""
    head = y[:round(cut_s * SR)].copy()
    r = min(len(head), round(0.005 * SR))
    head[len(head) - r:] *= np.linspace(1, 0, r)
    segments, _ = model.transcribe(np.concatenate([head, np.zeros(SR * 3 // 10, np.float32)]), language="en",
                                   beam_size=1, temperature=0.0, vad_filter=False,
                                   condition_on_previous_text=False)
    return words_of("".join(s.text for s in segments))


def _final_whole(words: list[str], final: list[str]) -> bool:
    """The tail ends with the final word, whole (spelling variants allowed, e.g. for ever/forever)."""
    return any(len(words) >= k and _same("".join(final), "".join(words[-k:])) for k in (len(final), len(final) + 1))


def _prev_heard(words: list[str], final: list[str], prev: str) -> bool:
    body = words[:-len(final)] if words and _same(final[-1], words[-1]) else words
    return any(_same(prev, w) for w in body[-3:])


def _bisect(pred, lo: float, hi: float, *, step_s: float = 0.02) -> tuple[float, float]:
    """pred(lo) true, pred(hi) false: the last true and first false cut, ``step_s`` apart."""
    while hi - lo > step_s:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if pred(mid) else (lo, mid)
    return lo, hi


def derive_onset(model, y: np.ndarray, reference: str) -> dict:
    """Ground truth for the onset of the reference's final word, by cutting the clip and asking
    plain faster-whisper what each side holds.

    1. Two edges by bisection to 20 ms, on the tail from a cut c transcribed alone:
       ``whole_until`` = the latest cut whose tail still ends with the final word, whole;
       ``prev_gone`` = the earliest cut where the previous word is no longer heard. The onset lies
       near them, but neither is exact: Whisper's language model completes a word from a fragment
       ("...try" heard as "country", the end of "for them" as "done"), so ``whole_until`` can lie
       well inside the final word, and ``prev_gone`` inside the previous one.
    2. A clean split at a cut c: the tail (the clip from c, transcribed alone) holds the final word
       and nothing else, and the head (the clip up to c, alone) does not end with the final word.
       The candidates are the energy valleys (10 ms frames every 5 ms; dips of 4 dB or more below
       both sides within 60 ms: a closure, a pause, a dip between words) from 0.3 s before the
       earlier edge to ``whole_until``, each at its right edge (the last frame within 3 dB of the
       bottom). The latest valley that splits cleanly is the onset: method "split at energy
       valley", uncertainty 20 ms + the valley's half-width (bottom to edge).
    3. With no such valley: the cuts on a 20 ms grid from 0.15 s before the earlier edge to
       ``whole_until`` that split cleanly; their longest run starts where Whisper first hears the
       final word alone, which (word completion again) can be inside the word, so the onset is the
       latest energy valley up to 0.15 s before the run whose head ends with the previous word
       ("energy valley before the clean split", uncertainty 20 ms + the valley's half-width + half
       its distance to the run); with none, the run's middle ("clean split", 20 ms + half the
       run); with no clean cut at all, the middle of the two edges ("whisper edges", 20 ms + half
       their distance).
    Checked against four onsets read off the energy and pitch by hand in
    tests/test_real_voices.py (country 9.83, cried 2.92, door 3.11, outside 3.20 s).
    """
    written = [w for w in reference.split() if words_of(w)]
    final, prev = words_of(written[-1]), words_of(written[-2])[-1]
    end = voice_end_s(y)
    A = lambda c: _final_whole(_tail_words(model, y, c), final)  # noqa: E731
    B = lambda c: _prev_heard(_tail_words(model, y, c), final, prev)  # noqa: E731
    segments, _ = model.transcribe(y, **PLAIN)
    ws = [w for s in segments for w in s.words]
    guess = ws[-1].start if ws else end - 0.5
    lo, hi = max(0.0, guess - 0.6), min(end - 0.06, guess + 0.4)
    while lo > 0 and not (A(lo) and B(lo)):
        lo = max(0.0, lo - 0.3)
    while hi < end - 0.02 and A(hi):
        hi = min(end - 0.02, hi + 0.1)
    whole_until = _bisect(A, lo, hi)[0]
    top = min(hi, whole_until + 0.3)
    prev_gone = _bisect(B, lo, top)[1] if B(lo) and not B(top) else float("nan")
    early = min(whole_until, prev_gone) if np.isfinite(prev_gone) else whole_until - 0.3

    def clean(c: float) -> bool:
        tail, head = _tail_words(model, y, c), _head_words(model, y, c)
        return (_final_whole(tail, final) and len("".join(tail)) <= len("".join(final)) + 1
                and not (head and _final_whole(head, final)))

    valley, run = float("nan"), None
    for edge, _depth, bottom in sorted(_valleys(y, early - 0.3, whole_until + 0.01), reverse=True):
        if edge <= whole_until + 0.01 and clean(edge):
            valley, onset, method, unc = edge, edge, "split at energy valley", 0.02 + (edge - bottom)
            break
    else:
        grid = [round(c, 3) for c in np.arange(max(early - 0.15, 0.0), whole_until + 0.021, 0.02)]
        runs = []
        for c in (c for c in grid if clean(c)):
            if runs and c - runs[-1][-1] <= 0.021:
                runs[-1].append(c)
            else:
                runs.append([c])
        run = max(runs, key=len, default=None)
        before = [(e, b) for e, _d, b in sorted(_valleys(y, run[0] - 0.2, run[0] + 0.02), reverse=True)
                  if run[0] - 0.15 <= e <= run[0] + 0.02] if run else []
        for edge, bottom in before:  # Whisper heard the final word alone from run[0]: its onset is earlier
            head = _head_words(model, y, edge)
            if head and _same(prev, head[-1]) and not _final_whole(head, final):
                valley, onset, method = edge, edge, "energy valley before the clean split"
                unc = 0.02 + (edge - bottom) + (run[0] - edge) / 2
                break
        else:
            if run:
                onset, method, unc = (run[0] + run[-1]) / 2, "clean split", 0.02 + (run[-1] - run[0]) / 2
        if run is None:
            onset, method, unc = (early + whole_until) / 2, "whisper edges", 0.02 + (whole_until - early) / 2
    return dict(final_word=written[-1].strip(".,?!;:").lower(), onset_s=round(float(onset), 3), method=method,
                uncertainty_s=round(float(unc), 3), whole_until_s=round(float(whole_until), 3),
                prev_gone_s=round(float(prev_gone), 3),
                clean_split_s=f"{run[0]:.2f}-{run[-1]:.2f}" if run else "-",
                energy_valley_s=round(float(valley), 3), voice_end_s=round(float(end), 3),
                final_duration_s=round(float(end - onset), 3))


FIELDS = ("clip", "final_word", "onset_s", "method", "uncertainty_s", "whole_until_s", "prev_gone_s",
          "clean_split_s", "energy_valley_s", "voice_end_s", "final_duration_s")


def derive_onsets(model, fixtures: Path = FIXTURES, out: Path = ONSETS) -> list[dict]:
    rows = []
    for path, ref in read_clips(fixtures):
        t0 = time.perf_counter()
        rows.append(dict(clip=path.name, **derive_onset(model, audio.load(path).y, ref)))
        print(f"  {path.name}: {rows[-1]} ({time.perf_counter() - t0:.0f} s)")
    with open(out, "w", newline="", encoding="utf-8") as fh:
        fh.write("# The onset of each shared clip's final word: derived by scripts/eval_ask.py --derive-onsets\n"
                 "# (eval_ask.derive_onset: cut the clip, transcribe the tail alone with plain faster-whisper,\n"
                 "# bisect to 20 ms the latest cut that keeps the final word whole (whole_until_s) and the\n"
                 "# earliest cut where the previous word is gone (prev_gone_s); onset = the latest energy\n"
                 "# valley where the tail alone is the final word and nothing else and the head alone does not\n"
                 "# end with it; else the latest energy valley up to 0.15 s before the run of 20 ms grid cuts that\n"
                 "# split so (clean_split_s) whose head ends with the previous word, else that run's middle, else\n"
                 "# the middle of the two edges; uncertainty_s is +-). Agrees within 0.03 s with the four onsets\n"
                 "# read off by hand in tests/test_real_voices.py. Times in seconds from the clip's start;\n"
                 "# final_duration_s = voice_end_s (energy) - onset_s; faded when >= 0.25 s.\n")
        w = csv.DictWriter(fh, FIELDS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def read_onsets(path: Path = ONSETS) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    for r in rows:
        for k in FIELDS[2:]:
            if k not in ("method", "clean_split_s"):
                r[k] = float(r[k])
    return rows


def fade_result(clip: str, onset_s: float, fixtures: Path = FIXTURES) -> dict:
    """end_drop_db of the last sentence before and after the 12 dB fade, and the tips of both."""
    y = audio.load(fixtures / clip).y
    before, after = run_voicecoach(y), run_voicecoach(fade_from(y, onset_s))
    out = dict(clip=clip, error=None)
    for label, a in (("before", before), ("after", after)):
        if isinstance(a, Exception):
            out["error"] = f"{label}: {type(a).__name__}: {a}"
            return out
        s = a.sentences[-1]
        w = a.words[s.last_word]
        out[label] = dict(end_drop_db=s.end_drop_db, text=s.text, last_word=(w.text, w.start_s, w.end_s),
                          tips=[f.code for f in a.feedback])
    b, f = out["before"]["end_drop_db"], out["after"]["end_drop_db"]
    out["moved_db"] = None if b is None or f is None else f - b
    out["ok"] = out["moved_db"] is not None and abs(out["moved_db"] - FADE_DB) <= FADE_TOL_DB
    return out


def eval_fades(fixtures: Path) -> list[str]:
    onsets = read_onsets()
    rows = [r for r in onsets if r["final_duration_s"] >= MIN_FINAL_S]
    print(f"\nREAL-VOICE FADES: final word faded by {FADE_DB:.0f} dB from its onset (data/final_word_onsets.tsv); "
          f"{len(rows)} of {len(onsets)} clips have a final word >= {MIN_FINAL_S} s")
    results = []
    for r in rows:
        res = fade_result(r["clip"], r["onset_s"], fixtures)
        results.append(res)
        if res["error"]:
            print(f"  {r['clip']:<42} analysis failed: {res['error']}")
            continue
        b, a = res["before"], res["after"]
        fmt = lambda x: "None" if x is None else f"{x:5.1f}"  # noqa: E731
        print(f"  {r['clip']:<42} '{r['final_word']}' onset {r['onset_s']:.3f}+-{r['uncertainty_s']:.3f} s: "
              f"end_drop {fmt(b['end_drop_db'])} -> {fmt(a['end_drop_db'])} dB, moved "
              f"{fmt(res['moved_db'])} {'ok' if res['ok'] else 'NO'}; last word {b['last_word'][0]!r} "
              f"{b['last_word'][1]:.2f}-{b['last_word'][2]:.2f} s")
    jfk = fade_result("jfk_inaugural_1961.wav", 0.0, fixtures) if not any(
        r["clip"] == "jfk_inaugural_1961.wav" for r in results) else next(
        r for r in results if r["clip"] == "jfk_inaugural_1961.wav")
    jfk_tips = [] if jfk["error"] else [t for t in jfk["before"]["tips"] if t in ("uptalk", "end_drop")]
    ok = [r for r in results if r.get("ok")]
    moved = [r["moved_db"] for r in results if r.get("moved_db") is not None]
    return ["",
            f"FADE real final words moved 12 +- 4 dB: {len(ok)}/{len(results)}"
            + (f" (moved {min(moved):.1f} to {max(moved):.1f} dB)" if moved else ""),
            "FADE JFK uptalk/end_drop tips: " + (", ".join(jfk_tips) if jfk_tips else "none")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("asks", "fades"), help="run one part only")
    parser.add_argument("--derive-onsets", action="store_true",
                        help=f"rebuild {ONSETS.relative_to(REPO)} from the clips (a few minutes) first")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the speech fixtures folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the heard text of every take")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing or not (args.fixtures / "MANIFEST.tsv").exists():
        print(f"eval_ask: missing {missing or args.fixtures / 'MANIFEST.tsv'} (make sysdeps-test)", file=sys.stderr)
        return 2
    model = plain_model()
    run_voicecoach(build(asks()[0])[0])  # loads and warms voicecoach's model
    lines = []
    if args.derive_onsets:
        print(f"deriving the final words' onsets into {ONSETS}")
        derive_onsets(model, args.fixtures)
    if args.only in (None, "asks"):
        print(f"ASK EVAL: {len(ASKS)} asks in {'/'.join(VOICE_ORDER)} (half over digital silence, half over pink "
              f"room noise at {'/'.join(f'{x:.0f}' for x in NOISE_DBFS)} dBFS), waits 1-4 s, and "
              f"{len(FOLLOW_UPS)} with a follow-up question after the wait; voicecoach (analyse) beside plain "
              "faster-whisper (tiny.en int8 greedy, no VAD)\n")
        lines += summarise_asks(eval_asks(model, args.verbose))
    if args.only in (None, "fades"):
        lines += eval_fades(args.fixtures)
    print("\n".join(lines))
    print(f"run took {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
