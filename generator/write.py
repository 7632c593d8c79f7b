"""Write rendered snippets: only changed files, all or nothing, never over a hand edit.

The record of what was rendered (a sha256 per file) lives in RECORD inside the output
directory and is committed with the docs. A file whose bytes match neither the record nor
the new rendering was edited by hand; it is never overwritten without `force`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import HandEditError, WriteError

RECORD = ".proxydocs-record.json"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Change:
    path: str  # relative to the output directory
    status: str  # "created", "changed", "unchanged", "edited" (by hand), "removed"
    old: str | None
    new: str | None

    @property
    def writes(self) -> bool:
        return self.status in ("created", "changed", "removed")


def read_record(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise WriteError(f"{out_dir / RECORD}: cannot be read ({exc}); delete it to start afresh") from None
    return dict(data.get("files", {}))


def record_text(rendered: dict[str, str]) -> str:
    files = {path: digest(text) for path, text in sorted(rendered.items())}
    return json.dumps({"generator": "proxydocs", "files": files}, indent=2, sort_keys=True) + "\n"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return path.read_bytes().decode("utf-8", "replace")


def plan(out_dir: Path, rendered: dict[str, str]) -> list[Change]:
    """Compare the rendering with what is on disk; writes nothing."""
    record = read_record(out_dir)
    changes = []
    for path, new in rendered.items():
        old = _read(out_dir / path)
        if old is None:
            status = "created"
        elif old == new:
            status = "unchanged"
        elif record.get(path) == digest(old):
            status = "changed"
        else:
            status = "edited"
        changes.append(Change(path, status, old, new))
    for path, recorded in sorted(record.items()):
        if path in rendered:
            continue
        old = _read(out_dir / path)
        if old is None:
            continue
        # a snippet dropped from the manifest: remove it only if nobody touched it
        changes.append(Change(path, "removed" if digest(old) == recorded else "edited", old, None))
    return changes


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """One render at a time per output directory (flock on the directory itself)."""
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def apply(out_dir: Path, changes: list[Change], rendered: dict[str, str], force: bool = False) -> None:
    """Write every change, or none: each new file goes to a temporary file beside its
    target first, and only when all are written are they renamed into place."""
    edited = [c.path for c in changes if c.status == "edited"]
    if edited and not force:
        raise HandEditError(edited)
    to_write = [c for c in changes if c.new is not None and (c.writes or (force and c.status == "edited"))]
    to_remove = [c for c in changes if c.status == "removed" or (force and c.status == "edited" and c.new is None)]
    record_path = out_dir / RECORD
    new_record = record_text(rendered)
    old_record = _read(record_path)
    staged: list[tuple[str, Path]] = []
    try:
        for c in to_write:
            staged.append((_stage(out_dir / c.path, c.new), out_dir / c.path))
        if new_record != old_record:
            staged.append((_stage(record_path, new_record), record_path))
    except BaseException as exc:  # disk full, permissions, Ctrl-C: leave every file as it was
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            reason = os.strerror(exc.errno or errno.EIO)
            raise WriteError(f"{exc.filename or out_dir}: {reason}; nothing was changed") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    for c in to_remove:
        with contextlib.suppress(FileNotFoundError):
            (out_dir / c.path).unlink()


def _stage(target: Path, text: str) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp
