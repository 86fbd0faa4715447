"""The package's layers (issue 16, item 4), read from the source: each subpackage imports only
the layers below it, and nothing in ``voicecoach`` imports streamlit (the studio is ``studio/``).

- ``types``, ``config``, ``format``: plain data, the environment, how numbers are written;
- ``speech``: decoding, voice activity, pitch, the speech model, words placed, delivery measures;
- ``wording``: what the words say (Push / Pull / Move Away, the request, fillers, moves);
- ``coaching``: each check's verdict and tip; ``result``: the one result type of a take;
- ``store``: the recordings and the database;
- ``rehearsal``: a whole conversation; ``display``: what the pages and reports show;
- ``analysis``, ``practice``, ``live``, ``cli``, ``warm``: the paths that wire them.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "voicecoach"
BASE = {"types", "config", "format"}
#: what each layer may import from voicecoach (besides itself)
ALLOWED = {
    "speech": BASE,
    "wording": BASE,
    "coaching": BASE | {"speech", "wording", "result"},
    "result": BASE | {"speech", "wording", "coaching"},
    "store": BASE | {"result"},
    "rehearsal": BASE | {"speech", "wording", "coaching", "result", "store", "analysis"},
    "display": BASE | {"speech", "wording", "coaching", "result", "store", "rehearsal"},
}
ALLOWED.update({name: set() for name in BASE})


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(path: Path, source: str | None = None) -> list[tuple[str, int]]:
    """(layer imported, line) for every voicecoach import in ``path``, lazy ones included; a
    top-level module is its own layer; ``streamlit`` is reported as the layer ``streamlit``."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    here = ["voicecoach", *path.relative_to(PACKAGE).parts[:-1]]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods = [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            mods = [(mod, [a.name for a in node.names])]
        else:
            continue
        for mod, names in mods:
            parts = mod.split(".")
            if parts[0] == "streamlit":
                found.append(("streamlit", node.lineno))
            elif parts[0] == "voicecoach":
                for layer in ([parts[1]] if len(parts) > 1 else names):
                    found.append((layer, node.lineno))
    return found


def violations(path: Path, source: str | None = None) -> list[str]:
    layer = _layer(path)
    allowed = ALLOWED.get(layer)
    out = []
    for imported, line in imports(path, source):
        if imported == "streamlit":
            out.append(f"{path.relative_to(PACKAGE)}:{line} imports streamlit")
        elif allowed is not None and imported != layer and imported not in allowed:
            out.append(f"{path.relative_to(PACKAGE)}:{line} ({layer}) imports {imported}")
    return out


def test_every_module_is_in_a_layer():
    files = sorted(PACKAGE.rglob("*.py"))
    subpackages = {p.relative_to(PACKAGE).parts[0] for p in files if len(p.relative_to(PACKAGE).parts) > 1}
    assert subpackages == {"speech", "wording", "coaching", "store", "rehearsal", "display"}, subpackages
    assert len(files) > 40


def test_each_layer_imports_only_those_below_it():
    found = [v for p in sorted(PACKAGE.rglob("*.py")) for v in violations(p)]
    assert found == []


@pytest.mark.parametrize("path, source, expected", [
    ("speech/delivery.py", "from ..wording import tag_sentence\n", "(speech) imports wording"),
    ("wording/markers.py", "def f():\n    from ..store.takes import TakeStore\n", "(wording) imports store"),
    ("store/takes.py", "from voicecoach.display import explain\n", "(store) imports display"),
    ("analysis.py", "import streamlit as st\n", "imports streamlit"),
    ("coaching/coach.py", "from .. import live\n", "(coaching) imports live"),
])
def test_a_wrong_import_is_found(path, source, expected):
    """Negative controls: an import against the layers, lazy or not, relative or absolute."""
    found = violations(PACKAGE / path, source)
    assert len(found) == 1 and expected in found[0], found


def readme_names() -> list[str]:
    """Every dotted name in the README's "Where things are" table (its second column)."""
    import re

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Where things are", 1)[1].split("\n\n", 1)[0]
    cells = [line.rsplit("|", 2)[-2] for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [n for cell in cells[1:] for n in re.findall(r"`([\w.]+)`", cell) if "." in n]


def resolve(name: str):
    """The object a README name points at (``speech.delivery.end_drop_db``, ``TakeResult.summary``
    after a name of the same module), or raise."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module("voicecoach." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise LookupError(name)


def test_the_readme_names_functions_that_exist():
    """Each measurement's "defined in" names a function a newcomer can open; negative control: a
    name that does not exist is not found."""
    import voicecoach.result

    names = readme_names()
    assert len(names) >= 25
    missing = []
    for n in names:
        try:
            resolve(n if not n.startswith("TakeResult.") else "result." + n)
        except (LookupError, AttributeError):
            missing.append(n)
    assert missing == []
    with pytest.raises(AttributeError):
        resolve("speech.delivery.end_drop_decibels")
    assert voicecoach.result.TakeResult.summary
