"""The command line, run as a user runs it (subprocesses), and its error contract."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from voicecoach import cli
from synth import Silence, Speech, build_take, to_wav_bytes

VC = [sys.executable, "-m", "voicecoach"]


def run(*args, stdin=None, env=None, prefix=()):
    return subprocess.run([*prefix, *VC, *args], input=stdin, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def take_path(tmp_path_factory):
    y, _ = build_take([Speech("I have really enjoyed leading the data migration this year."), Silence(0.6),
                       Speech("Please enrol me on the leadership course before the March intake."), Silence(2.5)])
    p = tmp_path_factory.mktemp("takes") / "ask.wav"
    p.write_bytes(to_wav_bytes(y))
    return p


def test_analyse_json(take_path):
    r = run("analyse", str(take_path), "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["schema_version"] == 2 and "enrol" in d["request"]["text"].lower()
    assert d["request"]["pause_after_s"] == pytest.approx(2.5, abs=0.15) and d["request"]["still_waiting"]


def test_analyse_report(take_path):
    r = run("analyse", str(take_path))
    assert r.returncode == 0, r.stderr
    assert "Request: “Please enrol" in r.stdout.replace("enroll", "enrol")  # Whisper spells it US-style
    assert "silence after it: 2.5 s (still waiting" in r.stdout
    assert "analysed on this machine" in r.stdout


@pytest.mark.skipif(not shutil.which("unshare"), reason="unshare (util-linux) not installed")
def test_analyse_runs_with_no_network(take_path):
    """Under a new, empty network namespace (no interfaces but loopback down) nothing can be
    fetched: the analysis must still work."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.decode().strip()}")
    r = run("analyse", str(take_path), "--json", prefix=("unshare", "-n"))
    assert r.returncode == 0, r.stderr
    net = subprocess.run(["unshare", "-n", sys.executable, "-c",
                          "import socket; socket.create_connection(('pypi.org', 443), timeout=3)"],
                         capture_output=True, text=True)
    assert net.returncode != 0  # the namespace really has no network
    assert json.loads(r.stdout)["model"] == "tiny.en"


def _bad_files(tmp):
    (tmp / "empty.wav").write_bytes(b"")
    (tmp / "notes.txt").write_text("not audio at all\n" * 100)
    (tmp / "short.wav").write_bytes(to_wav_bytes(np.zeros(8000, np.float32) + 0.1))
    (tmp / "silent.wav").write_bytes(to_wav_bytes(np.zeros(32000, np.float32)))
    rng = np.random.default_rng(3)
    (tmp / "noise.wav").write_bytes(to_wav_bytes((0.05 * rng.standard_normal(48000)).astype(np.float32)))
    (tmp / "cut.wav").write_bytes(to_wav_bytes(np.zeros(32000, np.float32))[:30])


BAD = [("missing.wav", "does not exist"), ("empty.wav", "is empty"), ("notes.txt", "could not be decoded"),
       ("short.wav", "0.50 s long; record at least 1 s"), ("silent.wav", "is silent"),
       ("noise.wav", "no speech was heard"), ("cut.wav", "could not be decoded|holds no audio|0.00 s long")]


@pytest.mark.parametrize("name,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exit_2_one_line(tmp_path, name, message):
    import re

    _bad_files(tmp_path)
    r = run("analyse", str(tmp_path / name))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("voicecoach: ") and re.search(message, lines[0])


def test_unknown_model_is_a_clear_error(take_path):
    r = run("analyse", str(take_path), "--model", "nonexistent-model")
    assert r.returncode == 3 and "unknown model 'nonexistent-model'" in r.stderr and "Traceback" not in r.stderr


def test_tag_arguments_and_stdin():
    r = run("tag", "Could you put me forward for the role?", "Could you say more about that?")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["tag"], x["is_request"]) for x in rows] == [("push", True), ("pull", False)]
    assert {"text", "tag", "behaviour", "is_request"} <= rows[0].keys()
    r = run("tag", stdin="I'd like to take a short break.\n\nSo what I'm hearing is the budget is tight.\n")
    assert [json.loads(x)["tag"] for x in r.stdout.splitlines()] == ["move_away", "pull"]
    r = run("tag", stdin="")
    assert r.returncode == 2 and "no sentences given" in r.stderr


def test_objective_check():
    r = run("objective", "I want my manager's support")
    assert r.returncode == 0 and r.stdout.startswith("Not specific yet") and "“support” is not something" in r.stdout
    r = run("objective", "--json", "My manager agrees to enrol me on the leadership course before the March intake")
    assert json.loads(r.stdout)["is_specific"] is True


def test_record_without_a_microphone_is_a_clear_message(monkeypatch, tmp_path, capsys):
    import sounddevice as sd

    def no_device(*a, **k):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "rec", no_device)
    code = cli.main(["record", "--seconds", "2", "--out", str(tmp_path / "t.wav")])
    err = capsys.readouterr().err
    assert code == 4 and "no microphone could be opened" in err and "voicecoach analyse PATH" in err
    assert not (tmp_path / "t.wav").exists()


def test_record_saves_before_analysing(monkeypatch, tmp_path, capsys):
    """The take is on disk (and in the history) before analysis starts: a silent take fails
    analysis but is kept, marked failed, and listed by `voicecoach takes`."""
    import sounddevice as sd

    from voicecoach.store.takes import TakeStore

    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sd, "rec", lambda n, **k: np.zeros((n, 1), np.float32))
    monkeypatch.setattr(sd, "wait", lambda: None)
    out = tmp_path / "t.wav"
    code = cli.main(["record", "--seconds", "2", "--out", str(out)])
    assert code == 2 and "is silent" in capsys.readouterr().err
    assert out.exists() and out.stat().st_size > 60000
    (take,) = TakeStore(tmp_path / "home").list()
    assert take.status == "failed" and "is silent" in take.error and take.source == "cli"
    assert TakeStore(tmp_path / "home").audio_path(take).read_bytes() == out.read_bytes()
    assert cli.main(["takes"]) == 0
    listing = capsys.readouterr().out
    assert "failed" in listing and f"{take.id:>4}" in listing


def test_record_never_overwrites_a_file(monkeypatch, tmp_path, capsys):
    import sounddevice as sd

    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    recorded = []
    monkeypatch.setattr(sd, "rec", lambda n, **k: recorded.append(n) or np.zeros((n, 1), np.float32))
    existing = tmp_path / "notes.txt"
    existing.write_text("my notes")
    code = cli.main(["record", "--seconds", "2", "--out", str(existing)])
    assert code == 2 and "already exists" in capsys.readouterr().err
    assert existing.read_text() == "my notes" and recorded == []  # refused before recording


def test_tag_splits_a_paragraph_into_sentences():
    r = run("tag", "I led the migration this year. Mr. Jones saw it. Could you put me forward for the role?")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["text"] for x in rows] == ["I led the migration this year.", "Mr. Jones saw it.",
                                         "Could you put me forward for the role?"]
    assert rows[-1]["is_request"] is True


def test_tag_with_the_wording_model_missing_is_one_clear_line(tmp_path):
    code = ("import sys; from voicecoach.wording import model as m; from pathlib import Path; "
            f"m.MODEL_PATH = Path({str(tmp_path / 'gone.npz')!r}); from voicecoach import cli; "
            "sys.exit(cli.main(['tag', 'Could you put me forward for the role?']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "gone.npz" in r.stderr and "reinstall" in r.stderr


def test_output_into_a_closed_pipe_is_not_a_traceback(tmp_path):
    """`voicecoach takes | head -1`: the reader leaves early."""
    env = {**os.environ, "VOICECOACH_HOME": str(tmp_path)}
    p = subprocess.run(f"{sys.executable} -m voicecoach.cli tag " + " ".join(f"'Sentence number {i}.'" for i in range(3000))
                       + " | head -1", shell=True, capture_output=True, text=True, env=env, timeout=120)
    assert p.stdout.count("\n") == 1 and "Traceback" not in p.stderr, p.stderr[-500:]
