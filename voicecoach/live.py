"""Live rehearsal: a take analysed while it is being spoken.

Audio arrives in small blocks (:meth:`LiveSession.feed`, from the capture thread, never
blocking it). A listener thread runs the voice activity block by block
(:class:`~voicecoach.speech.live_vad.StreamingVad`: the same regions as
:func:`voicecoach.speech.prosody.speech_regions` on the whole take) and plans utterances with
:func:`voicecoach.speech.transcribe.plan_utterances` on the speech so far; a decoder thread transcribes
each utterance as soon as it has ended, that is once ``2 x pad_s`` of silence follows it (from
then on its clip is the one the batch plan gives it, unless more speech joins it later: then the
longer utterance is transcribed again when it ends). Sentences, their tags and the request are
updated after every utterance; the wait after the request is counted on the samples received
(:meth:`LiveSession.snapshot`).

:meth:`LiveSession.stop` runs the batch definitions over the whole take: voice activity
(:func:`~voicecoach.speech.prosody.find_speech` with the streamed Silero regions), the utterance plan,
then :func:`~voicecoach.analysis.conclude` (contours, measures, cautions, coaching), reusing
every utterance already transcribed with the clip the batch plan gives it; only the rest is
transcribed then, and the cuts are mended as the batch path mends them
(:func:`~voicecoach.speech.transcribe.mend_cuts`, on the same utterances and words). The result is
:func:`voicecoach.analysis.analyse` of the same audio: a clip is reused only if it is exactly the
one the batch plan gives (``reuse_tolerance_s`` = 0), and the samples kept are those a 16-bit
WAV holds, so the take saved from :meth:`LiveSession.end_input` analyses to the same words and
fillers. ``bench/bench_live.py`` measures both.
"""
from __future__ import annotations

import collections
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from .speech import delivery as _delivery
from .speech import prosody as _prosody
from .speech import transcribe as _transcribe
from . import wording as _wording
from .analysis import MIN_SPEECH_S, Settings, conclude
from .speech.audio import MAX_DURATION_S, SR, Audio, AudioError
from .speech.live_vad import StreamingVad
from .speech.placement import snap_words
from .result import TakeResult
from .speech.transcribe import Transcriber, Utterance, plan_utterances
from .types import Region, Word

__all__ = ["LiveSettings", "LiveSentence", "LiveSnapshot", "LiveSession", "StreamingVad", "stop_saved"]

log = logging.getLogger("voicecoach")
_SENTENCE_END = re.compile(r"[.?!][\"')\]]*$")


@dataclass(frozen=True)
class LiveSettings:
    """How the live path schedules its work.

    Attributes
    ----------
    utterance_end_s : float or None
        Silence after an utterance's speech before it is transcribed (seconds). None: twice the
        transcription's ``pad_s`` (0.4 s), the shortest silence after which the batch plan's
        clip for the utterance is known.
    reuse_tolerance_s : float
        At :meth:`LiveSession.stop`, a transcribed clip is reused for a batch-plan utterance
        whose edges (and speech regions) are within this many seconds of its own; otherwise
        that utterance is transcribed again. 0 (the default): only the identical clip is
        reused, so the words are those of the batch analysis; a clip a frame longer can be
        heard differently (an "um" kept or lost), which is why no tolerance is the default.
    """

    utterance_end_s: float | None = None
    reuse_tolerance_s: float = 0.0


# ---- what the page shows while the take goes on ----------------------------------------------

@dataclass(frozen=True)
class LiveSentence:
    text: str
    start_s: float
    end_s: float
    tag: str  # push | pull | move_away | neutral
    is_request: bool


@dataclass(frozen=True)
class LiveSnapshot:
    """The take so far, as the page shows it. Times are seconds from the start of the take.

    ``wait_s`` runs from the end of the request's speech while the silence after it lasts
    (None before the request is recognised and once the speaker speaks again, when
    ``pause_after_request_s`` holds the silence they kept); ``wait_held`` says whether that
    silence reached ``wait_target_s`` (``CoachSettings.wait_target_s``).
    """

    heard_s: float  # audio received
    speaking: bool  # the voice activity hears speech at the end of the audio analysed
    words: tuple[Word, ...]
    sentences: tuple[LiveSentence, ...]
    request: LiveSentence | None
    request_end_s: float | None  # where the request's speech ends
    wait_s: float | None
    pause_after_request_s: float | None
    wait_held: bool
    wait_target_s: float
    pending_utterances: int  # ended utterances not transcribed yet

    @property
    def transcript(self) -> str:
        return " ".join(w.text for w in self.words)


# ---- the session ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Job:
    key: tuple
    utterance: Utterance
    inside: tuple[Region, ...]
    clip: np.ndarray = field(repr=False, compare=False)


def _inside(u: Utterance, regions: Sequence[Region]) -> tuple[Region, ...]:
    """The speech regions of an utterance (as :func:`voicecoach.speech.transcribe.transcribe` passes them)."""
    return tuple(r for r in regions if r.end_s > u.start_s and r.start_s < u.end_s)


def _key(u: Utterance, inside: Sequence[Region]) -> tuple:
    return (u.start_s, u.end_s, u.clip_start_s, u.clip_end_s,
            tuple((round(r.start_s, 3), round(r.end_s, 3)) for r in inside))


def _close(a: tuple, b: tuple, tol: float) -> bool:
    """Two utterance keys within ``tol`` seconds of each other, edge by edge."""
    if len(a[4]) != len(b[4]):
        return False
    ea = list(a[:4]) + [x for r in a[4] for x in r]
    eb = list(b[:4]) + [x for r in b[4] for x in r]
    return all(abs(x - y) <= tol + 1e-9 for x, y in zip(ea, eb))


def _pcm16(y: np.ndarray) -> np.ndarray:
    """Samples on the 16-bit grid (k / 32768, as :func:`voicecoach.speech.audio.load` decodes a 16-bit
    WAV), float32; int16 samples are taken as they are."""
    if y.dtype == np.int16:
        return y.astype(np.float32) / np.float32(32768.0)
    q = np.clip(np.rint(np.asarray(y, dtype=np.float64) * 32768.0), -32768, 32767)
    return (q / 32768.0).astype(np.float32)


class _Buffer:
    """The take's samples, growing (capacity doubles); appended by one thread."""

    def __init__(self):
        self._y = np.zeros(SR * 8, np.float32)
        self.n = 0

    def append(self, y: np.ndarray) -> None:
        if self.n + len(y) > len(self._y):
            grown = np.zeros(max(2 * len(self._y), self.n + len(y)), np.float32)
            grown[: self.n] = self._y[: self.n]
            self._y = grown
        self._y[self.n : self.n + len(y)] = y
        self.n += len(y)

    def view(self, n: int | None = None) -> np.ndarray:
        """The first ``n`` samples (all by default); written once, never changed after."""
        return self._y[: self.n if n is None else min(n, self.n)]


class LiveSession:
    """Analyse a take while it is spoken; :meth:`stop` gives its :class:`TakeResult`.

    Parameters
    ----------
    model : str, optional
        The speech model (see :func:`voicecoach.speech.transcribe.resolve_model`); loaded here.
    settings : analysis.Settings, optional
        The analysis settings (the same as the batch path's); ``settings.coach.wait_target_s``
        is the wait the counter turns to "held" at.
    live : LiveSettings, optional

    ``feed`` is called from the capture thread; ``snapshot`` from any thread; ``stop`` once.
    """

    def __init__(self, *, model: str | None = None, settings: Settings | None = None,
                 live: LiveSettings | None = None):
        self.settings = settings or Settings()
        self.live = live or LiveSettings()
        ts = self.settings.transcribe
        self._end_s = 2 * ts.pad_s if self.live.utterance_end_s is None else self.live.utterance_end_s
        self._tr = Transcriber(model, ts)
        self.model_name = self._tr.model_name
        self._vad = StreamingVad(settings=self.settings.vad)
        self._buf = _Buffer()
        self._inbox: collections.deque[np.ndarray] = collections.deque()
        self._new = threading.Event()
        self._lock = threading.Lock()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._fed = 0  # samples accepted by feed (written by the capture thread only)
        self._consumed = 0  # samples the listener has taken in
        self._closed = False  # no more audio accepted
        self._stopping = False
        self._full = False
        self._error: BaseException | None = None
        self._deadline_s: float | None = None  # when the last utterance will have ended
        self._queued: set[tuple] = set()
        self._done: dict[tuple, tuple[Utterance, tuple[Word, ...]]] = {}
        self._plan_keys: set[tuple] = set()
        self._failure: BaseException | None = None
        self._regions: tuple[Region, ...] = ()
        self._words: tuple[Word, ...] = ()
        self._sentences: tuple[LiveSentence, ...] = ()
        self._request: tuple[_delivery.Sentence, LiveSentence] | None = None
        self._tags: dict[str, _wording.SentenceTag] = {}
        self._last_mend: tuple[tuple, list[tuple[Word, ...]]] | None = None
        self._result: TakeResult | None = None
        self._listener = threading.Thread(target=self._guard, args=(self._listen,), name="voicecoach-live-vad",
                                          daemon=True)
        self._decoder = threading.Thread(target=self._guard, args=(self._decode_loop,),
                                         name="voicecoach-live-decode", daemon=True)
        self._listener.start()
        self._decoder.start()

    # -- the capture side ----------------------------------------------------------------------
    def feed(self, block: np.ndarray) -> None:
        """Take a block of samples (mono 16 kHz, shape (n,) or (n, 1): float in -1..1, or
        int16). Returns at once: the work happens in the session's threads. Audio past
        ``MAX_DURATION_S`` is dropped (``snapshot().heard_s`` stops growing).

        The take is kept as a 16-bit recording holds it (float samples are rounded to the
        nearest of the 65,536 levels): the WAV saved from :meth:`end_input`
        (:func:`voicecoach.speech.audio.to_wav_bytes`) decodes to exactly the samples analysed, so
        analysing the saved take again gives the same result."""
        if self._closed:
            raise RuntimeError("this live session has stopped; start a new LiveSession for a new take")
        y = np.asarray(block)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"block has shape {y.shape}; feed mono samples, shape (n,) or (n, 1)")
        y = _pcm16(y)
        room = int(MAX_DURATION_S * SR) - self._fed
        if len(y) > room:
            self._full, y = True, y[: max(room, 0)]
        if len(y):
            self._inbox.append(y)
            self._fed += len(y)
            self._new.set()

    def end_input(self) -> np.ndarray:
        """Stop taking audio; returns every sample received (to save the take before
        :meth:`stop` analyses it)."""
        if not self._closed:
            self._closed = self._stopping = True
            self._new.set()
            self._listener.join()
            self._take_in()  # a block fed while the listener was leaving
        return self._buf.view().copy()

    def close(self) -> None:
        """Abandon the take: stop taking audio and end the session's threads, with no analysis."""
        self.end_input()
        if self._result is None and self._failure is None:
            self._failure = RuntimeError("this live session was closed without an analysis; record the take again")
        if self._decoder.is_alive():
            self._jobs.put(None)
            self._decoder.join()

    # -- what the page shows -----------------------------------------------------------------
    def snapshot(self) -> LiveSnapshot:
        """The words, sentences, request and wait so far (thread-safe)."""
        heard_s = self._fed / SR
        target = self.settings.coach.wait_target_s
        with self._lock:
            words, sentences, request, regions = self._words, self._sentences, self._request, self._regions
            pending = sum(1 for k in self._queued if k not in self._done and self._in_plan(k))
        wait = pause = end = None
        if request is not None:
            p = _delivery.pause_after(request[0], words=words, regions=regions, duration_s=heard_s)
            end = p.speech_end_s
            if p.still_waiting:
                wait = round(max(0.0, heard_s - p.speech_end_s), 2)
            elif not p.carried_on:
                pause = p.pause_after_s
        return LiveSnapshot(
            heard_s=round(heard_s, 3), speaking=self._vad.speaking, words=words, sentences=sentences,
            request=request[1] if request else None, request_end_s=end, wait_s=wait,
            pause_after_request_s=pause, wait_held=max(wait or 0.0, pause or 0.0) >= target,
            wait_target_s=target, pending_utterances=pending)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Block until all audio fed so far has been through the voice activity and every
        utterance that has ended is transcribed (for tests and the benchmark); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._error is not None:
                raise self._error
            with self._lock:
                idle = self._consumed >= self._fed and not self._inbox
            if idle and self._jobs.unfinished_tasks == 0:
                return True
            time.sleep(0.005)
        return False

    # -- the end --------------------------------------------------------------------------------
    def stop(self) -> TakeResult:
        """End the take and return its analysis (the batch definitions over the whole take,
        reusing the utterances transcribed while it was spoken).

        Raises
        ------
        AudioError
            Nothing was recorded, or it holds no speech or no words (as :func:`analyse`).
        """
        if self._result is not None:
            return self._result
        if self._failure is not None:
            raise self._failure
        try:
            self._result = self._finish()
        except BaseException as exc:
            self._failure = exc
            raise
        return self._result

    def _finish(self) -> TakeResult:
        t0 = time.perf_counter()
        y = self.end_input()
        regions_vad = self._vad.finish()
        st = self.settings
        try:
            if len(y) < SR // 10:
                raise AudioError("nothing was recorded; check the microphone and record your ask again")
            speech = _prosody.find_speech(y, sr=SR, settings=st.vad, vad=regions_vad)
            if sum(r.duration_s for r in speech.regions) < MIN_SPEECH_S:
                raise AudioError(
                    "no speech was heard in the recording (only noise or silence); check the microphone "
                    "and record your ask again")
            duration_s = len(y) / SR
            plan = plan_utterances(speech.regions, duration_s=duration_s, settings=st.transcribe)
            final = [_key(u, _inside(u, speech.regions)) for u in plan]
            reused, todo = self._schedule_final(plan, final, speech.regions, y)
        except BaseException:
            self._jobs.put(None)
            self._decoder.join()
            raise
        c = _prosody.contours(y, sr=SR, energy=speech.energy_db, speech=speech.regions, pitch=st.pitch)
        self._decoder.join()  # the rest is transcribed meanwhile
        if self._error is not None:
            raise self._error
        decoded: list[tuple[Word, ...]] = []
        for k in final:
            got = self._match(k)
            if got is None:  # not expected: every unmatched utterance was queued above
                raise RuntimeError(f"the live take's utterance at {k[0]:.2f}-{k[1]:.2f} s was not transcribed")
            decoded.append(got[1])
        # as transcribe.transcribe does after decoding each utterance: batch and live end here
        decoded = _transcribe.mend_cuts(self._tr, y, plan, decoded, regions=speech.regions)
        words = [w for got in decoded for w in got]
        if not words:
            raise AudioError("no words could be recognised in the recording; speak closer to the "
                             "microphone and record again")
        t = conclude(Audio(y), speech=speech, words=words, model=self.model_name, settings=st, contours=c)
        timings = {"stop": round(time.perf_counter() - t0, 3), "utterances": len(plan),
                   "reused": reused, "transcribed_at_stop": todo}
        log.info("live take of %.1f s: %d utterances, %d transcribed at the stop, result %.2f s after it",
                 duration_s, len(plan), todo, timings["stop"])
        return replace(t, timings_s=timings)

    def _schedule_final(self, plan, final, regions, y) -> tuple[int, int]:
        """Queue the batch plan's utterances that no transcribed clip matches, then the end."""
        while True:  # drop speculative work not yet started
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._queued.discard(job.key)
            self._jobs.task_done()
        with self._lock:
            self._plan_keys = set(final)
        todo = 0
        for u, k in zip(plan, final):
            if self._match(k) is None:
                self._enqueue(u, _inside(u, regions), k, y)
                todo += 1
        self._jobs.put(None)
        return len(plan) - todo, todo

    def _match(self, key: tuple):
        """The transcribed clip for utterance ``key``: the same, or one within the tolerance."""
        with self._lock:
            if key in self._done:
                return self._done[key]
            near = [v for k, v in self._done.items() if self._near(k, key)]
        return near[-1] if near else None

    def _near(self, a: tuple, b: tuple) -> bool:
        tol = self.live.reuse_tolerance_s
        return a == b or (tol > 0 and _close(a, b, tol))

    def _in_plan(self, key: tuple) -> bool:
        """Utterance ``key`` (nearly) is in the latest plan (else a longer one replaced it)."""
        return key in self._plan_keys or any(self._near(key, k) for k in self._plan_keys)

    # -- the threads -------------------------------------------------------------------------
    def _guard(self, loop) -> None:
        try:
            loop()
        except BaseException as exc:  # surfaced by wait_idle and stop
            log.exception("live analysis failed")
            self._error = exc

    def _take_in(self) -> bool:
        """Move the blocks fed so far into the take and through the voice activity; replan
        when a speech region started or ended, or the last one has just ended."""
        blocks = []
        while self._inbox:
            blocks.append(self._inbox.popleft())
        if not blocks:
            return False
        y = np.concatenate(blocks)
        self._buf.append(y)
        changed = self._vad.push(y)
        due = self._deadline_s is not None and self._vad.processed_s >= self._deadline_s
        if changed or due:
            self._replan()
        with self._lock:
            self._consumed += len(y)
        return True

    def _listen(self) -> None:
        while True:
            self._new.wait(0.05)
            self._new.clear()
            if not self._take_in() and self._stopping:
                return

    def _replan(self) -> None:
        """Plan utterances over the speech so far and queue each that has ended."""
        n = self._vad.processed_s
        y = self._buf.view(int(round(n * SR)))
        vad = self._vad.regions
        if not vad or not len(y):
            return
        regions = _prosody.find_speech(y, sr=SR, settings=self.settings.vad, vad=vad).regions
        plan = plan_utterances(regions, duration_s=len(y) / SR, settings=self.settings.transcribe)
        insides = [_inside(u, regions) for u in plan]
        keys = [_key(u, inside) for u, inside in zip(plan, insides)]
        with self._lock:  # before queueing: the decoder skips what is not in the plan
            self._regions = regions
            self._plan_keys = set(keys)
        self._deadline_s = None
        for i, (u, inside, k) in enumerate(zip(plan, insides, keys)):
            if i == len(plan) - 1 and (self._vad.speaking or n - u.end_s < self._end_s):
                self._deadline_s = None if self._vad.speaking else u.end_s + self._end_s
                continue
            with self._lock:
                known = k in self._queued or any(self._near(k, q) for q in self._queued)
            if not known:
                self._enqueue(u, inside, k, self._buf.view())

    def _enqueue(self, u: Utterance, inside, key, y: np.ndarray) -> None:
        log.debug("live: %.2f-%.2f s queued; heard %.2f s", u.start_s, u.end_s, self._fed / SR)
        clip = y[int(round(u.clip_start_s * SR)): int(round(u.clip_end_s * SR))].copy()
        with self._lock:
            self._queued.add(key)
        self._jobs.put(_Job(key, u, tuple(inside), clip))

    def _decode_loop(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                with self._lock:
                    stale = not self._in_plan(job.key)  # a longer utterance replaced it
                    if stale:
                        self._queued.discard(job.key)  # queued again if the plan comes back to it
                    skip = stale or job.key in self._done
                if skip:
                    continue
                t0 = time.perf_counter()
                words = self._tr.utterance(job.clip, clip_start_s=job.utterance.clip_start_s, speech=job.inside)
                with self._lock:
                    self._done[job.key] = (job.utterance, words)
                self._update_view()
                log.debug("live: %.2f-%.2f s transcribed in %.2f s; heard %.2f s (%.2f s after its speech)",
                          job.utterance.start_s, job.utterance.end_s, time.perf_counter() - t0, self._fed / SR,
                          self._fed / SR - job.utterance.end_s)
            finally:
                self._jobs.task_done()

    def _update_view(self) -> None:
        """Words, sentences, tags and the request from the utterances transcribed so far."""
        with self._lock:
            decoded = sorted(self._done.values(), key=lambda v: (v[0].start_s, -v[0].end_s))
            regions = self._regions
        picked: list[tuple[Utterance, tuple[Word, ...]]] = []
        covered = -1.0
        for u, got in decoded:  # the longest transcription of each stretch of speech
            if u.start_s >= covered:
                picked.append((u, got))
                covered = u.end_s
        words = [w for _, got in self._mended(picked, regions) for w in got]
        words = snap_words(words, regions)
        ds = self.settings.delivery
        spans = _delivery.split_sentences(words, silences=_prosody.silences(regions, min_s=ds.min_pause_s),
                                          settings=ds)
        texts = [" ".join(w.text for w in words[a: b + 1]) for a, b in spans]
        tags = [self._tag(t) for t in texts]
        sentences = tuple(LiveSentence(t, words[a].start_s, words[b].end_s, g.tag, g.is_request)
                          for t, (a, b), g in zip(texts, spans, tags))
        request = None
        k = _wording.main_request(tags)
        if k is not None:
            a, b = spans[k]
            s = _delivery.Sentence(index=k, text=texts[k], first_word=a, last_word=b, start_s=words[a].start_s,
                                   end_s=words[b].end_s, n_words=_delivery.count_words(words[a: b + 1]), wpm=None,
                                   end_drop_db=None, end_pitch_st=None, end_voiced_fraction=None)
            request = (s, sentences[k])
        with self._lock:
            self._words, self._sentences, self._request = tuple(words), sentences, request

    def _mended(self, picked, regions):
        """The utterances transcribed so far with their cuts mended, as :meth:`_finish` (and
        the batch path) will mend them: :func:`voicecoach.speech.transcribe.mend_cuts` over the last
        utterances since one whose words end a sentence (a cut after a finished sentence is
        never mended), so that a request cut in two is shown whole while the wait runs. The
        last result is kept: only a new utterance mends again."""
        j = len(picked) - 1
        while j > 0 and not _SENTENCE_END.search(picked[j - 1][1][-1].text if picked[j - 1][1] else "."):
            j -= 1
        chain = picked[j:]
        if len(chain) < 2:
            return picked
        key = tuple(u for u, _ in chain) + tuple(tuple(got) for _, got in chain)
        if self._last_mend is None or self._last_mend[0] != key:
            mended = _transcribe.mend_cuts(self._tr, self._buf.view(), [u for u, _ in chain],
                                           [got for _, got in chain], regions=regions)
            self._last_mend = (key, [tuple(m) for m in mended])
        return picked[:j] + list(zip([u for u, _ in chain], self._last_mend[1]))

    def _tag(self, text: str) -> _wording.SentenceTag:
        if text not in self._tags:
            self._tags[text] = _wording.tag_sentence(text, settings=self.settings.wording)
        return self._tags[text]


def stop_saved(session: LiveSession, store, take) -> TakeResult:
    """:meth:`LiveSession.stop` for a take already saved in ``store`` (a
    :class:`voicecoach.store.takes.TakeStore`; save ``session.end_input()`` first): the result is
    stored with the take (``done``), as :func:`voicecoach.practice.analyse_saved` does for a
    recorded file; an :class:`AudioError` marks the take ``failed`` (its audio is kept)."""
    try:
        result = session.stop()
    except AudioError as exc:
        store.fail(take.id, str(exc))
        raise
    store.complete(take.id, analysis=result.to_dict(), model=result.model, duration_s=result.duration_s)
    return result
