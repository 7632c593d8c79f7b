"""The record of what was rendered: a sha256 per generated file, kept in RECORD inside the
output folder (committed with the docs). A file whose bytes match neither the record nor the
new rendering was edited by hand.

While a render moves its files into place, the record lists both the old and the new digest
of each file it is replacing, so that a render interrupted at any point (Ctrl-C, kill -9,
power loss) leaves a tree the next render recognises as its own, whichever settings it uses.

The record is input from disk, so it is checked like any other input: a key must be a plain
relative path (no `..`, no absolute path, no link out of the tree) and a value a digest. A
record that is not one proxydocs wrote is refused and nothing is touched.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Mapping

from ..errors import RecordError
from ..paths import safe_relpath
from ..render.stamp import sealed
from .tree import Tree

RECORD = ".proxydocs-record.json"
_DIGEST = re.compile(r"[0-9a-f]{64}")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tampered(tree: Tree, what: str) -> RecordError:
    return RecordError(f"{tree.root / RECORD}: {what}, so proxydocs did not write this record; nothing was "
                       "changed: restore it from version control, or delete it to start afresh (files edited by "
                       "hand are then no longer recognised: check them with `git diff` first)")


def read(tree: Tree) -> dict[str, frozenset[str]]:
    """{path: the digests the file may have} from the record; {} when there is none."""
    raw = tree.read(RECORD)
    if raw is None:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _tampered(tree, f"is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise _tampered(tree, 'has no "files" table')
    files: dict[str, frozenset[str]] = {}
    for key, value in data["files"].items():
        rel = safe_relpath(key)
        if rel is None or rel != key or rel == RECORD:
            raise _tampered(tree, f"names {key!a}, which is not a plain path inside the output folder")
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and _DIGEST.fullmatch(v) for v in values):
            raise _tampered(tree, f"gives {key!a} a value that is not a sha256 digest")
        files[key] = frozenset(values)
    return files


def text(files: Mapping[str, str | frozenset[str]], inputs: str | None = None) -> bytes:
    """The record's bytes: one digest per file, or (during a render) every digest it may have;
    `inputs` is the digest of what the render depended on, kept sealed with the file names
    (render/stamp.py, generator/fastpath.py)."""
    out = {path: v if isinstance(v, str) else (next(iter(v)) if len(v) == 1 else sorted(v))
           for path, v in sorted(files.items())}
    data = {"files": out, "generator": "proxydocs", **({"inputs": sealed(inputs, out)} if inputs else {})}
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
