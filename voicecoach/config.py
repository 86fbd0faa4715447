"""Everything voicecoach reads from the environment, in one place.

- ``VOICECOACH_HOME``: the data folder (takes, the database, assembled models); default the
  platform's user data folder (``~/.local/share/voicecoach`` on Linux).
- ``VOICECOACH_MODEL``: the speech model (``tiny.en``, ``base`` or a folder); default tiny.en.
- ``VOICECOACH_MODELS_DIR``: where assembled models live; default ``<data folder>/models``.

(``voicecoach/__init__.py`` also *sets* a few variables, to switch telemetry off.)
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_home", "model_name", "models_dir"]


def data_home() -> Path:
    """The folder holding the user's takes (``VOICECOACH_HOME``, else the platform's)."""
    if os.environ.get("VOICECOACH_HOME"):
        return Path(os.environ["VOICECOACH_HOME"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("voicecoach", appauthor=False))


def model_name() -> str | None:
    """The model chosen in the environment (``VOICECOACH_MODEL``), or None for the default."""
    return os.environ.get("VOICECOACH_MODEL") or None


def models_dir() -> Path:
    """Where assembled model folders live (``VOICECOACH_MODELS_DIR``, else ``<data>/models``):
    outside the installed package, so it works however voicecoach was installed."""
    if os.environ.get("VOICECOACH_MODELS_DIR"):
        return Path(os.environ["VOICECOACH_MODELS_DIR"]).expanduser()
    return data_home() / "models"
