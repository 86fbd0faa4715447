"""Live mode for Practise: the microphone streams to this server while you speak (WebRTC,
streamlit-webrtc, send-only audio); the words appear as they are recognised and, once the request
has been said, a counter shows the silence held after it, turning to "held" at the target.
Stopping gives the full feedback at once (voicecoach.live) and saves the take like any other.

Privacy: no STUN or TURN server is configured on either side (``iceServers: []``), so no other
machine is asked for anything and the only ICE candidates are this machine's own addresses. The
server offers 127.0.0.1 only (:func:`_loopback_candidates_only`); the browser offers its host
addresses (Chrome never offers loopback), so the server's packets go to this machine's own
interface address, which the kernel delivers locally (``ip route get`` says ``local ... dev lo``):
the audio never leaves the machine.

``render(store, objective)`` is called by the Practise page. While a take runs it does not
return (it redraws the words and the counter until the recorder's Stop reruns the page): call it
last on the page.
"""
from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from studio.result_view import TIMELINES, show_result
from studio.resources import speech_model
from voicecoach import AudioError, ModelError, config
from voicecoach.speech.audio import SR, to_wav_bytes
from voicecoach.display.export import take_timeline
from voicecoach.live import LiveSession, LiveSnapshot, stop_saved
from voicecoach.store.takes import StoreError, TakeStore

__all__ = ["render"]

log = logging.getLogger("voicecoach")

RTC_CONFIGURATION = {"iceServers": []}  # no STUN/TURN: nothing is asked of any other machine
MEDIA = {"audio": True, "video": False}
LATE_FRAMES_S = 1.0  # audio frames arriving this soon after a take ended are its tail, not a new take
KEY = "live-take"  # the recorder's key (its context in st.session_state)
SPEAK_NOW = "Speak now:"  # the cue; the other texts name it without the colon
CONNECTING = "Connecting to your microphone… wait for **Speak now** before you start: words said before it are not heard."


class _Live:
    """What the audio thread (streamlit-webrtc's) and the page share for one browser session:
    the take being spoken. The audio thread creates it at the first frame the WebRTC track gives
    and feeds it every frame from then on, before and independently of any page rerun: the take
    starts with the first sound the browser sent. (Chrome sends nothing until the connection is
    made, 1-2 s after the microphone opens; what is said before that never reaches this machine,
    which is why the page says "Speak now" only once audio arrives.)"""

    def __init__(self, model: str | None):
        self.model = model
        self.lock = threading.Lock()
        self.session: LiveSession | None = None
        self._resampler = None
        self._ended_at = 0.0
        self.first_frame_at: float | None = None  # time.time() of the take's first frame
        self.received_s = 0.0  # audio the WebRTC track gave for this take (seconds)

    async def on_frames(self, frames):
        """streamlit-webrtc's queued audio callback (a coroutine, run in its audio thread): every
        frame, resampled to 16 kHz mono 16-bit (the samples the saved WAV holds), fed to the take;
        returns quickly, never waits on analysis."""
        import av

        with self.lock:
            if self.session is None:
                if time.monotonic() - self._ended_at < LATE_FRAMES_S:
                    return frames[-1:]
                self.first_frame_at, self.received_s = time.time(), 0.0
                self.session = LiveSession(model=self.model)
                self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SR)
                log.info("live: first audio frame at %.3f (%d queued, pts %s); take ready %.3f s later",
                         self.first_frame_at, len(frames), frames[0].pts, time.time() - self.first_frame_at)
            for frame in frames:
                self.received_s += frame.samples / frame.sample_rate
                for out in self._resampler.resample(frame):
                    self.session.feed(out.to_ndarray().reshape(-1))
        return frames[-1:]  # sent nowhere (send-only); one frame keeps the output queue in step

    def take(self) -> LiveSession | None:
        """The take just spoken, handed over once (the stream has stopped)."""
        with self.lock:
            session, self.session, self._resampler = self.session, None, None
            self._ended_at = time.monotonic()
        if session is not None:
            log.info("live: take of %.3f s received from the browser, %.3f s fed to the analysis",
                     self.received_s, session.snapshot().heard_s)
        return session


def _loopback_candidates_only() -> None:
    """aiortc gathers ICE host candidates on every interface but loopback; offer loopback only,
    so the browser on this machine reaches this process over 127.0.0.1."""
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: (["127.0.0.1"] if use_ipv4 else [])


def _keep_running_stream(key: str) -> None:
    """streamlit-webrtc (0.79) stops a stream whose component "was not rendered" in the previous
    script run, judged by Streamlit's run counter; that counter is raised when a run's
    "finished" message is flushed, so two quick reruns on a busy machine look like a skipped run
    and the take is stopped as it connects (seen in about one start in three here: "ICE
    completed", then "Context for key=live-take was not rendered for 1 script runs; resetting
    stale state"). While a take is connecting or running, this panel renders the component on
    every run, so that check is switched off for it; when idle, it stays on (it is there for a
    page left and revisited)."""
    context = st.session_state.get(key)
    if context is not None and hasattr(context, "_last_rendered_run_count") and (
            context.state.playing or context.state.signalling):
        context._last_rendered_run_count = None


@st.cache_resource(show_spinner="Getting live transcription ready…")
def _warm(model: str | None) -> bool:
    """Load the speech model and transcribe a second of quiet once per server: the first
    transcription in a process is the slowest (0.8 s against 0.5 s here), and in a live take it
    would hold back the first words and the wait counter."""
    import numpy as np

    from voicecoach.speech.transcribe import Transcriber

    speech_model(model)
    quiet = np.random.default_rng(0).normal(0, 0.01, SR).astype(np.float32)
    Transcriber(model).utterance(quiet, clip_start_s=0.0)
    return True


def render(store: TakeStore, objective: str) -> None:
    """The live recorder, the words and the wait counter while it runs (not returning until
    Stop), the feedback after; the take is saved in ``store`` with ``objective``."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    _loopback_candidates_only()
    model = config.model_name()
    try:
        _warm(model)  # the model loaded and run once before the first frame arrives
    except ModelError as exc:
        st.error(str(exc))
        return
    live = st.session_state.setdefault("live", _Live(model))
    _keep_running_stream(KEY)
    ctx = webrtc_streamer(key=KEY, mode=WebRtcMode.SENDONLY, rtc_configuration=RTC_CONFIGURATION,
                          media_stream_constraints=MEDIA, queued_audio_frames_callback=live.on_frames,
                          translations={"start": "Start live take", "stop": "Stop"})
    if ctx.state.playing:
        _follow(live)
        return
    if ctx.state.signalling:
        st.warning(CONNECTING)
        return
    session = live.take()
    if session is not None:
        _finish(session, store, objective)
    shown = st.session_state.get("live_result")
    if shown is None:
        st.info("Press **Start live take** and wait until the page says **Speak now**. Then state your ask and "
                "stay silent: the counter shows how long you held the silence after your request. Press Stop "
                "to see the feedback.")
        return
    _feedback(store, *shown, objective)


def _follow(live: _Live) -> None:
    """Redraw the words and the counter every 0.25 s until the recorder's Stop reruns the page
    (which ends this loop). One long run, not a fragment on a timer: Streamlit collects garbage
    after every run, fragment runs too, and four collections a second over the model's heap
    held the transcription back by seconds (seen with py-spy: half the server's samples in
    ``ScriptRunner._on_script_finished``)."""
    box = st.empty()
    while True:
        with box.container():
            _show_live(live)
        time.sleep(0.25)


def _show_live(live: _Live) -> None:
    session = live.session
    snap = session.snapshot() if session is not None else None
    if snap is None or snap.heard_s == 0:  # connected, but no sound has arrived yet
        st.warning(CONNECTING)
        return
    if not snap.words:  # the cue to start, until the first words are recognised
        st.success(f"**{SPEAK_NOW}** voicecoach is hearing your microphone.", icon=":material/mic:")
    else:
        st.caption(f"Recording: {snap.heard_s:.0f} s so far. Press Stop when you have finished.")
    st.markdown("**Live transcript**")
    st.text(snap.transcript or "…")
    if snap.request is not None:
        st.markdown("**Your request**")
        st.text(snap.request.text)
    _wait_counter(snap)


def _wait_counter(snap: LiveSnapshot) -> None:
    if snap.wait_s is not None:
        held = " — held" if snap.wait_held else f" (hold {snap.wait_target_s:g} s)"
        colour = "green" if snap.wait_held else "orange"
        st.markdown(f"### :{colour}[Waiting {snap.wait_s:.1f} s{held}]")
    elif snap.pause_after_request_s is not None:
        held = " — held" if snap.wait_held else ""
        st.markdown(f"You held the silence after your request for {snap.pause_after_request_s:.1f} s{held}.")
    elif snap.request is None:
        st.caption("The counter starts once your request has been said.")


def _finish(session: LiveSession, store: TakeStore, objective: str) -> None:
    """Save the take (before its final analysis), then store the live result with it."""
    y = session.end_input()
    if len(y) < SR // 2:
        session.close()
        st.warning("The live take was too short to keep; start it again and speak for a few seconds.")
        return
    try:
        take = store.add(to_wav_bytes(y), source="microphone", objective=objective, dedupe=False)
    except StoreError as exc:
        session.close()
        st.error(str(exc))
        return
    try:
        result = stop_saved(session, store, take)
    except AudioError as exc:
        st.error(f"{exc} (the recording is kept as take {take.id})")
        return
    st.session_state["live_result"] = (take.id, result)


def _feedback(store: TakeStore, take_id: int, a, objective: str) -> None:
    """The live take's result: the same view as an uploaded or recorded take on Practise."""
    st.caption(f"Live take {take_id}, saved in your history. Analysed on this machine "
               f"{a.timings_s.get('stop', 0):.1f} s after you stopped.")
    try:
        take = store.get(take_id)
        audio = store.audio_path(take).read_bytes()
    except (StoreError, OSError) as exc:
        st.error(f"Live take {take_id} cannot be shown: {exc}")
        return
    timelines = st.session_state.setdefault(TIMELINES, {})
    if take_id not in timelines:
        try:
            timelines[take_id] = take_timeline(store, take)
        except StoreError:
            timelines[take_id] = None
    show_result(store, take, a, objective=objective.strip() or take.objective, name="your live take", audio=audio,
                timeline=timelines[take_id])
