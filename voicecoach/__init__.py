"""voicecoach: rehearse the ask in a career conversation, measured locally.

The core is pure functions over plain data; audio decoding (``audio``), the speech model
(``transcribe``) and storage sit at the edges.
"""
from .audio import AudioError, load
from .transcribe import ModelError

__all__ = ["AudioError", "ModelError", "load", "analyse", "__version__"]
__version__ = "0.1.0"


def analyse(source, **kwargs):
    """Analyse one take (path, bytes or :class:`voicecoach.audio.Audio`); see ``analysis.analyse``."""
    from .analysis import analyse as _analyse

    return _analyse(source, **kwargs)
