"""voicecoach: rehearse the ask in a career conversation, measured locally.

The core is pure functions over plain data; audio decoding (``audio``), the speech model
(``transcribe``) and storage sit at the edges.
"""
import os as _os

# Nothing leaves the machine: switch off what our dependencies would send, before they are imported
# (setdefault: a value the user set wins). tests/test_privacy.py proves it.
for _name in (
    "ORT_DISABLE_TELEMETRY",  # onnxruntime (Silero VAD): no 1DS telemetry uploader, events or device id
    "HF_HUB_OFFLINE",  # huggingface_hub (under faster-whisper): no HTTP request, no model download
    "HF_HUB_DISABLE_TELEMETRY",  # huggingface_hub and hf_xet: no usage telemetry even if not offline
):
    _os.environ.setdefault(_name, "1")
del _name
# CTranslate2's OpenMP threads sleep when idle instead of spinning: with another Whisper job on the
# machine (a second take, a second session) spinning threads made one utterance take up to 7 s
# instead of 0.5-0.7 s; a lone analysis is no slower (measured by the live work, voicecoach.live).
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .speech.audio import AudioError, load  # noqa: E402
from .speech.transcribe import ModelError  # noqa: E402

__all__ = ["AudioError", "ModelError", "load", "analyse", "__version__"]
__version__ = "0.1.0"


def analyse(source, **kwargs):
    """Analyse one take (path, bytes or :class:`voicecoach.speech.audio.Audio`); see ``analysis.analyse``."""
    from .analysis import analyse as _analyse

    return _analyse(source, **kwargs)
