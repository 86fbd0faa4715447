"""Where user data lives: ``VOICECOACH_HOME``, else the platform's user data folder."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_home"]


def data_home() -> Path:
    """The folder holding recordings (and, from issue 4, ``takes.db``)."""
    if os.environ.get("VOICECOACH_HOME"):
        return Path(os.environ["VOICECOACH_HOME"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("voicecoach", appauthor=False))
