import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures" / "speech"


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


@pytest.fixture(scope="session")
def whisper():
    """The real default model, loaded once for the whole session."""
    from voicecoach import transcribe

    return transcribe.load_model(None)


@pytest.fixture(scope="session", autouse=True)
def _tools():
    missing = [t for t in ("espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        pytest.exit(f"missing system tools {missing}: run `make test`, which installs them", returncode=1)
