"""Compare a rendering with the tree, then write it: only changed files, all or nothing,
never over a hand edit, recoverable after an interruption at any step.

The steps of `apply`, each of which may be interrupted:
1. every new file is written to a temporary file beside its target (invisible to readers);
2. the record is replaced by one that accepts the old and the new bytes of each file;
3. the temporary files are renamed over their targets, one by one;
4. the record is replaced by the final one.
The next render removes temporary files left by step 1 or 3, and step 2's record makes every
file, old or new, its own: it finishes the job instead of calling the files hand edits.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandEditError, WriteError
from . import record
from .record import RECORD, digest
from .tree import Tree, _reason


@dataclass(frozen=True)
class Change:
    path: str  # relative to the output folder
    status: str  # "created", "changed", "unchanged", "edited" (by hand), "stale" (no longer generated)
    old: bytes | None
    new: bytes | None

    @property
    def writes(self) -> bool:
        return self.status in ("created", "changed")


def plan(tree: Tree, rendered: dict[str, bytes]) -> list[Change]:
    """Compare the rendering with the tree, byte for byte; writes nothing."""
    recorded = record.read(tree)
    changes = []
    for path, new in rendered.items():
        old = tree.read(path)
        if old is None:
            status = "created"
        elif old == new:
            status = "unchanged"
        elif digest(old) in recorded.get(path, ()) or _same_but_line_endings(old, new, recorded.get(path, ())):
            status = "changed"  # ours (or ours with CRLF line endings, as a Windows checkout makes them)
        else:
            status = "edited"
        changes.append(Change(path, status, old, new))
    # a snippet no longer in the manifest: never deleted (the record could have been
    # tampered with), only reported and dropped from the record
    for path in sorted(set(recorded) - set(rendered)):
        if tree.read(path) is not None:
            changes.append(Change(path, "stale", None, None))
    return changes


def _same_but_line_endings(old: bytes, new: bytes, recorded: frozenset[str]) -> bool:
    lf = old.replace(b"\r\n", b"\n")
    return lf != old and (lf == new or digest(lf) in recorded)


_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, which earlier versions used


def _temp_pattern(name: str) -> re.Pattern:
    return re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")


def remove_leftovers(tree: Tree, paths: list[str]) -> None:
    """Temporary files an interrupted render left beside its targets (only this naming)."""
    folders: dict[Path, set[str]] = {}
    for rel in [*paths, RECORD]:
        try:
            target = tree.check(rel)  # no folder on the way is a link: nothing is deleted through one
        except WriteError:
            continue  # plan() refuses this path, with its reason
        folders.setdefault(target.parent, set()).add(target.name)
    for folder, names in folders.items():
        patterns = [_temp_pattern(n) for n in names]
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if entry.is_file(follow_symlinks=False) and any(p.fullmatch(entry.name) for p in patterns):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


Staged = tuple[int, str, str]  # (handle of the target's folder, temporary name, target name)


def _stage(tree: Tree, rel: str, data: bytes, mode: int) -> Staged:
    """`data` in a new temporary file beside `rel`, synced, with its final mode; created through
    the folder's handle (tree.folder), so it cannot land outside the tree."""
    folder, name = tree.folder(rel), rel.rsplit("/", 1)[-1]
    tmp = None
    try:
        while tmp is None:
            candidate = f".{name}.{''.join(random.choices(_TEMP_CHARS, k=8))}.tmp"
            try:
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=folder)
                tmp = candidate
            except FileExistsError:
                continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder)
        os.close(folder)
        raise
    return folder, tmp, name


def _replace(staged: Staged) -> None:
    folder, tmp, name = staged
    try:
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        os.close(folder)


def _make_private(tree: Tree, rel: str) -> None:
    """Mode 0600 for a file already there, through its folder's handle, never through a link."""
    folder = tree.folder(rel)
    try:
        fd = os.open(rel.rsplit("/", 1)[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    finally:
        os.close(folder)


def _discard(staged: Staged) -> None:
    folder, tmp, _ = staged
    with contextlib.suppress(OSError):
        os.unlink(tmp, dir_fd=folder)
    os.close(folder)


def apply(tree: Tree, changes: list[Change], rendered: dict[str, bytes], *,
          force: bool = False, private: bool = False, inputs: str | None = None) -> None:
    """Write every change, or none (see the module's steps). `private`: the files carry
    credentials, so they are readable by their owner only (0600), whatever the umask.
    `inputs`: the digest of what this render depended on, kept in the record."""
    edited = [c.path for c in changes if c.status == "edited"]
    if edited and not force:
        raise HandEditError(edited)
    to_write = [c for c in changes if c.writes or c.status == "edited"]
    new_files = {path: digest(data) for path, data in rendered.items()}
    umask = _umask()
    staged: list[Staged] = []
    try:
        for c in to_write:
            mode = 0o600 if private else (tree.mode(c.path) if c.old is not None else 0o666 & ~umask)
            staged.append(_stage(tree, c.path, c.new, mode))
        if staged:
            # step 2: during the renames, a file is ours with its old bytes or its new ones
            journal = {c.path: frozenset({new_files[c.path], *([digest(c.old)] if c.old is not None else [])})
                       for c in to_write}
            _replace(_stage(tree, RECORD, record.text({**new_files, **journal}), _record_mode(tree, umask, private)))
    except BaseException as exc:  # disk full, permissions, Ctrl-C: leave every file as it was
        for item in staged:
            _discard(item)
        if isinstance(exc, OSError):
            raise WriteError(f"{exc.filename or tree.root}: {_reason(exc)}; nothing was changed") from None
        raise
    for item in staged:  # step 3
        _replace(item)
    if private:
        for path in [c.path for c in changes if c.status == "unchanged"] + [RECORD]:
            with contextlib.suppress(OSError, WriteError):
                _make_private(tree, path)
    final = record.text(new_files, inputs)
    if tree.read(RECORD) != final:  # step 4
        try:
            _replace(_stage(tree, RECORD, final, _record_mode(tree, umask, private)))
        except OSError as exc:
            raise WriteError(f"{exc.filename or tree.root}: {_reason(exc)}; the files are written, and the "
                             "next render completes the record") from None


def _record_mode(tree: Tree, umask: int, private: bool) -> int:
    """The record of files with credentials is private too: its digests of those files would
    let anyone who can read it test guesses of the password."""
    return 0o600 if private else tree.mode(RECORD) or 0o666 & ~umask
