"""A take from the user's voice to its stored result: checked, saved, then analysed.

The one place where the take store and the analysis meet, shared by the studio and the CLI:

- :func:`check_analysable` refuses, before anything is saved, a recording that no analysis could
  ever use (not audio, announced or decoded longer than 30 minutes, shorter than 1 s, silent, no
  speech heard), with a message that says what is wrong and what to do;
- the audio is on disk (and in the database, ``pending``) before analysis starts, so a failed or
  interrupted analysis never loses a recording;
- :func:`analyse_saved` finishes and stores an analysis it has started even when the caller's
  progress display is interrupted (the studio reruns its page at the next progress update when
  the user uploads another file), then lets the interruption go on;
- :func:`finish_pending` analyses the takes a session saved but never got to analyse.

A recording that cannot be analysed is marked so (``analysable`` 0): retrying would fail again.
"""
from __future__ import annotations

from collections.abc import Iterable

from .analysis import MIN_SPEECH_S, Progress, Settings, analyse
from .speech.audio import SR, Audio, AudioError, load
from .result import TakeResult
from .store.takes import StoreError, Take, TakeStore
from .speech.transcribe import ModelError

__all__ = ["analyse_saved", "check_analysable", "finish_pending", "recording_name"]


def recording_name(take: Take) -> str:
    """How messages about ``take``'s audio name it: the user's own file name for an upload,
    "your recording" otherwise (never the stored copy's name, such as ``5.wav``)."""
    if take.source == "upload" and take.original_name and take.original_name.strip():
        return " ".join(take.original_name.split())
    return "your recording"


def check_analysable(data: bytes, *, name: str = "the recording", settings: Settings | None = None) -> Audio:
    """Decode ``data`` and check it can be analysed, before it is saved: the checks the analysis
    makes before it listens for words (:func:`voicecoach.speech.audio.load`: audio at all, at most 30
    minutes by the container's stated length or by decoding, at least 1 s, not silent; then some
    speech heard by the voice activity detector, as :func:`voicecoach.analysis.analyse` requires).
    A WAV file whose header promises more than it holds (cut off, or streamed with a placeholder
    length) is analysed as far as it goes, with a caution, so it is not refused here.

    Returns the decoded audio (pass it on to :func:`analyse_saved` to decode only once).

    Raises
    ------
    AudioError
        Naming ``name``, saying what is wrong and what to do.
    """
    from .speech import prosody

    audio = load(data, name=name)
    speech = prosody.find_speech(audio.y, sr=SR, settings=(settings or Settings()).vad)
    if sum(r.duration_s for r in speech.regions) < MIN_SPEECH_S:
        raise AudioError(f"No speech was heard in {name} (only noise, music or silence); check the microphone and "
                         "record your ask again")
    return audio


def analyse_saved(store: TakeStore, take: Take, *, model: str | None = None,
                  settings: Settings | None = None, progress: Progress | None = None,
                  name: str | None = None, audio: Audio | None = None) -> TakeResult:
    """Analyse a saved take and store its result (``done``); ``progress`` as in
    :func:`voicecoach.analysis.analyse`. ``name``: how messages call the recording (default
    :func:`recording_name`). ``audio``: the take's recording already decoded (else it is read
    from the store).

    If ``progress`` raises (a page interrupted by the user's next action), it is not called
    again, the analysis runs to its end and is stored, and then that exception is raised: a take
    whose analysis started is never left ``pending`` by its display.

    Raises
    ------
    AudioError
        After marking the take ``failed`` and not analysable, with the message (its audio is kept).
    ModelError
        After marking the take ``failed`` with the message (a retry may succeed).
    """
    interrupted: list[BaseException] = []

    def report(stage: str, done: float) -> None:
        if progress is not None and not interrupted:
            try:
                progress(stage, done)
            except BaseException as exc:  # noqa: BLE001 - raised again once the take is stored
                interrupted.append(exc)

    try:
        if audio is None:
            audio = load(store.audio_path(take), name=name or recording_name(take))
        result = analyse(audio, model=model, settings=settings, progress=report, objective=take.objective or None,
                         request_sentence=take.request_sentence)
    except AudioError as exc:
        store.fail(take.id, str(exc), analysable=False)
        raise
    except ModelError as exc:
        store.fail(take.id, str(exc))
        raise
    store.complete(take.id, analysis=result.to_dict(), model=result.model, duration_s=result.duration_s)
    if interrupted:
        raise interrupted[0]
    return result


def finish_pending(store: TakeStore, take_ids: Iterable[int], *, model: str | None = None,
                   settings: Settings | None = None) -> list[int]:
    """Analyse those of ``take_ids`` still ``pending`` (saved by a page that was interrupted
    before it analysed them); each ends ``done`` or ``failed``. Returns the ids whose take is
    no longer pending (analysed now or before, failed, or deleted), to forget."""
    settled = []
    for tid in take_ids:
        try:
            take = store.get(tid)
            if take.status == "pending":
                analyse_saved(store, take, model=model, settings=settings)
        except (AudioError, ModelError, StoreError):
            pass  # marked failed with its reason (or deleted meanwhile): nothing is left pending
        settled.append(tid)
    return settled
