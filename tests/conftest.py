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
    from voicecoach.speech import transcribe

    return transcribe.load_model(None)


@pytest.fixture(scope="session", autouse=True)
def _tools():
    missing = [t for t in ("espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        pytest.exit(f"missing system tools {missing}: run `make test`, which installs them", returncode=1)


@pytest.fixture(scope="session")
def wait_recordings(whisper):
    """(wav bytes, analysis dict) of two asks that differ only in the wait after the request
    (0.8 s and 2.8 s): the Takes and Compare page tests store them."""
    from synth import Silence, Speech, build_take, to_wav_bytes
    from voicecoach.analysis import analyse
    from voicecoach.speech.audio import load

    out = []
    for wait in (0.8, 2.8):
        y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                           Speech("Please enrol me on the leadership course before the March intake."),
                           Silence(wait), Speech("What do you think?"), Silence(0.5)])
        wav = to_wav_bytes(y)
        out.append((wav, analyse(load(wav)).to_dict()))
    return out


#: The longest files (most of their time is a real browser, a spoken conversation or the studio under
#: strace), run first: ``make test`` gives whole files to two workers (pytest-xdist ``--dist
#: loadfile``), and a long file started last would leave one worker running alone at the end.
LONGEST_FIRST = ("test_browser_live.py", "test_browser_rehearse.py", "test_browser_studio.py", "test_rehearse.py",
                 "test_privacy.py", "test_bad_input.py", "test_honest.py", "test_browser_load.py", "test_live.py",
                 "test_ask_eval.py", "test_models.py", "test_memory.py")


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
