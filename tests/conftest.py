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


@pytest.fixture(scope="session")
def real_analysis(whisper, tmp_path_factory):
    """``real_analysis(name)``: ``analyse(FIXTURES / name)`` of a real recording, made once in the
    whole run and shared by every test (and every worker) that reads the same file: kept as its
    JSON contract, which ``TakeResult.from_dict`` gives back equal (``tests/test_one_result.py``)."""
    import fcntl
    import json
    import os

    from voicecoach.analysis import analyse
    from voicecoach.result import TakeResult

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "real-analyses"  # this run's
    shared.mkdir(exist_ok=True)
    made = {}

    def get(name: str) -> TakeResult:
        if name not in made:
            saved = shared / f"{name}.json"
            with open(shared / f"{name}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another worker analysing it: wait for its result
                if saved.is_file():
                    made[name] = TakeResult.from_dict(json.loads(saved.read_text()))
                else:
                    made[name] = analyse(FIXTURES / name)
                    saved.write_text(json.dumps(made[name].to_dict()))
        return made[name]
    return get


def run_cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    """``voicecoach ARGV`` in this process (``cli.main``; the model stays loaded): exit status,
    stdout, stderr. An exception other than argparse's exit is not caught: it fails the test with
    its traceback."""
    from voicecoach import cli

    capsys.readouterr()
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's usage error
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def pytest_report_header():
    """Pure tests (wording, checks, the store, the pages' logic) run without espeak-ng and sox; the
    tests that make speech need them, and say so (``synth``) when they are missing."""
    missing = [t for t in ("espeak-ng", "sox") if not shutil.which(t)]
    if missing:
        return f"voicecoach: {', '.join(missing)} not installed: the tests that make speech will fail; `make test` installs them"


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


#: ``make test`` runs the suite on three workers (pytest-xdist). Every test in a real browser goes to one
#: of them, one after another: they mostly wait on real time (chromium's fake microphone plays its file
#: as it would be spoken, the manager's line is heard out) and their timing is real time too. The other
#: two take whole files (each file's fixtures made once), the longest first, at a lower priority
#: (nice 10), so that they use the cores the browser tests leave and never slow those down.
IN_A_BROWSER = "in-a-browser"
LONGEST_FIRST = ("test_rehearse.py", "test_privacy.py", "test_honest.py", "test_bad_input.py", "test_live.py",
                 "test_ask_eval.py", "test_memory.py", "test_models.py")


def _scope(path: str) -> str:
    return IN_A_BROWSER if Path(path).name.startswith("test_browser") else path


def pytest_collection_modifyitems(items):
    def rank(item):
        if _scope(item.nodeid.split("::", 1)[0]) == IN_A_BROWSER:
            return -1  # the longest chain, started first
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


def pytest_xdist_make_scheduler(config, log):
    """Whole files to each worker, and all the browser tests as one unit (``--no-loadscope-reorder``
    keeps the order above)."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid.split("::", 1)[0])

    return Scheduling(config, log)


_NICED: list[int] = []


@pytest.fixture(autouse=True)
def _browser_tests_first_on_the_cores(request):
    """A worker's first test outside a browser lowers that worker's priority, for good."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER") and not _NICED and _scope(str(request.node.path)) != IN_A_BROWSER:
        _NICED.append(os.nice(10))
