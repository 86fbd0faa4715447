"""A take from the user's voice to its stored result: saved first, then analysed.

The one place where the take store and the analysis meet, shared by the studio and the CLI:
the audio is on disk (and in the database, ``pending``) before analysis starts, so a failed or
interrupted analysis never loses a recording; a user error marks the take ``failed`` with its
message, and the take can be analysed again.
"""
from __future__ import annotations

from .analysis import Progress, Settings, analyse
from .audio import AudioError
from .result import TakeResult
from .takes import Take, TakeStore
from .transcribe import ModelError

__all__ = ["analyse_saved"]


def analyse_saved(store: TakeStore, take: Take, *, model: str | None = None,
                  settings: Settings | None = None, progress: Progress | None = None) -> TakeResult:
    """Analyse a saved take and store its result (``done``); ``progress`` as in
    :func:`voicecoach.analysis.analyse`.

    Raises
    ------
    AudioError, ModelError
        After marking the take ``failed`` with the message (its audio is kept).
    """
    try:
        result = analyse(store.audio_path(take), model=model, settings=settings, progress=progress)
    except (AudioError, ModelError) as exc:
        store.fail(take.id, str(exc))
        raise
    store.complete(take.id, analysis=result.to_dict(), model=result.model, duration_s=result.duration_s)
    return result
