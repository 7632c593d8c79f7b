"""The digest of everything a site render's bytes depend on: the settings file's bytes, the
--set arguments, the templates and manifest, the code that renders (generator/model and
generator/render); not the Python version, since the bytes do not depend on it (a test on
3.11 and 3.13 holds this). A render keeps it in its record, and the next
render with the same digest and untouched files has nothing to do (generator/fastpath.py).
Standard library only: the fast path imports it before anything else."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_RENDERING_CODE = ("model", "render")  # what the bytes of a render depend on


def _templates() -> Path:
    from importlib.resources import files

    return Path(str(files("generator.snippets")))


def inputs_digest(settings_file: Path | None, sets: list[str]) -> str:
    """The digest of everything a site render depends on."""
    h = hashlib.sha256(b"proxydocs render inputs v1\0")
    folders = [(d, str(_PACKAGE / d), ".py") for d in _RENDERING_CODE] + [("snippets", str(_templates()), "")]
    files = []
    for label, folder, suffix in folders:  # os.scandir, not pathlib: this runs on every no-op render
        files += [(f"{label}/{e.name}", e.path) for e in os.scandir(folder)
                  if e.is_file() and e.name.endswith(suffix) and not e.name.endswith(".pyc")]
    for name, path in sorted(files):
        with open(path, "rb") as fh:
            h.update(name.encode() + b"\0" + fh.read() + b"\0")
    h.update(settings_file.read_bytes() if settings_file is not None else b"<defaults>")
    for item in sets:
        h.update(b"\0--set\0" + item.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def sealed(inputs: str, outputs) -> str:
    """The record's "inputs": the inputs' digest bound to the names of the files the render
    wrote, so a record that lost or gained an entry (a bad merge) no longer passes for the
    render's own, and the no-op check hands over to the full render."""
    return hashlib.sha256((inputs + "\0" + "\0".join(sorted(outputs))).encode()).hexdigest()
