"""A take from the user's voice to its stored result: saved first, then analysed.

The one place where the take store and the analysis meet, shared by the studio and the CLI:
the audio is on disk (and in the database, ``pending``) before analysis starts, so a failed or
interrupted analysis never loses a recording; a user error marks the take ``failed`` with its
message, and the take can be analysed again.
"""
from __future__ import annotations

from .analysis import Progress, Settings, analyse
from .audio import AudioError, load
from .result import TakeResult
from .takes import Take, TakeStore
from .transcribe import ModelError

__all__ = ["analyse_saved", "recording_name"]


def recording_name(take: Take) -> str:
    """How messages about ``take``'s audio name it: the user's own file name for an upload,
    "your recording" otherwise (never the stored copy's name, such as ``5.wav``)."""
    if take.source == "upload" and take.original_name and take.original_name.strip():
        return " ".join(take.original_name.split())
    return "your recording"


def analyse_saved(store: TakeStore, take: Take, *, model: str | None = None,
                  settings: Settings | None = None, progress: Progress | None = None,
                  name: str | None = None) -> TakeResult:
    """Analyse a saved take and store its result (``done``); ``progress`` as in
    :func:`voicecoach.analysis.analyse`. ``name``: how messages call the recording (default
    :func:`recording_name`).

    Raises
    ------
    AudioError, ModelError
        After marking the take ``failed`` with the message (its audio is kept).
    """
    try:
        audio = load(store.audio_path(take), name=name or recording_name(take))
        result = analyse(audio, model=model, settings=settings, progress=progress)
    except (AudioError, ModelError) as exc:
        store.fail(take.id, str(exc))
        raise
    store.complete(take.id, analysis=result.to_dict(), model=result.model, duration_s=result.duration_s)
    return result
