"""`proxydocs render` (and `--check`) when nothing changed, in the time Python takes to start.

A render writes into the record a digest of everything its output depends on: the settings
file's bytes, the --set arguments, the templates and manifest, and the code that renders
(generator/model and generator/render). When a later render has the
same digest and every file still has the bytes the record names, there is nothing to do, and
this module says so without importing click, Jinja2 or the rest of proxydocs. Anything else
(another option, a missing or odd record, one byte of difference) falls through to the full
render, which decides and reports. This module only reads; it never writes or deletes.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

from .paths import safe_relpath
from .render.stamp import inputs_digest, sealed

RECORD = ".proxydocs-record.json"


def _parse(argv: list[str]) -> tuple[bool, bool, str | None, list[str]] | None:
    """(check, quiet, --settings, --set values) for a plain site render, else None."""
    if not argv or argv[0] != "render":
        return None
    check = quiet = False
    settings_file, sets = None, []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--check":
            check = True
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("--settings", "--set"):
            value = next(args, None)
            if value is None:
                return None
            if arg == "--set":
                sets.append(value)
            else:
                settings_file = value
        else:
            return None  # --out, --diff, --force, --page, --help, --settings=FILE ...: the full CLI
    return check, quiet, settings_file, sets


def _read_regular(path: str) -> bytes:
    """The bytes of a regular file; never blocks (a FIFO where a file was) and never follows a
    link (one swapped in meanwhile too): OSError or ValueError, and the full render decides."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path} is not a regular file")
        return fh.read()


def try_noop(argv: list[str]) -> int | None:
    """Exit code 0 if this render (or check) has nothing to do, else None."""
    parsed = _parse(argv)
    if parsed is None:
        return None
    check, quiet, settings_file, sets = parsed
    try:
        cwd = Path.cwd()
        if settings_file is not None:
            path: Path | None = cwd / settings_file
            root = path.parent
        else:
            path = cwd / "proxy.toml"
            root = cwd
            if not path.is_file():
                return None
        docs = root / "docs"
        record = json.loads(_read_regular(str(docs / RECORD)).decode("utf-8"))  # as write/record.read decodes it
        files = record["files"]
        if not isinstance(files, dict) or not files or record.get("inputs") != sealed(inputs_digest(path, sets), files):
            return None
        base = str(docs)
        prefixes = set()  # every folder and file a record entry passes through, each checked once
        for rel, digest in files.items():  # as the writer takes them, else the full render decides
            if not isinstance(digest, str) or safe_relpath(rel) != rel:
                return None
            parts = rel.split("/")
            prefixes.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        if any(os.path.islink(os.path.join(base, p)) for p in prefixes):
            return None  # the full render refuses links, with its message
        for rel, digest in files.items():
            if hashlib.sha256(_read_regular(os.path.join(base, rel))).hexdigest() != digest:
                return None
        folders = {os.path.dirname(os.path.join(base, rel)) for rel in files}
        for folder in folders | {base}:  # an interrupted render's leftovers: the full render removes them
            if any(e.name.startswith(".") and e.name.endswith(".tmp") for e in os.scandir(folder)):
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if not quiet:
        shown = os.path.relpath(docs, cwd) if docs.is_relative_to(cwd) else str(docs)
        verb = "check" if check else "render"
        print(f"{verb}: {len(files)} files in {shown} ({len(files)} unchanged)", file=sys.stderr)
    return 0


def entry() -> None:
    """The `proxydocs` command: the fast path when it applies, else the full CLI."""
    code = try_noop(sys.argv[1:])
    if code is None:
        from .cli import main

        code = main()
    sys.exit(code)
