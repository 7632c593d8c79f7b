"""Paths under an output root that never leave it.

Every path proxydocs reads or writes in an output tree is relative to the root, normalised,
and walked component by component with lstat: a symbolic link anywhere below the root (to a
folder or to a file) is refused, so a render never writes, reads or deletes through one. The
root itself may be a link: the user chose it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path, PurePosixPath

from ..errors import WriteError

_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_relpath(rel: object) -> str | None:
    """`rel` as a normalised relative POSIX path, or None when it is not one (absolute, `..`,
    `.`, empty parts, backslashes or control characters)."""
    if not isinstance(rel, str) or not rel or _BAD_CHARS.search(rel) or rel.startswith("/"):
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return None
    return str(PurePosixPath(*parts))


def _reason(exc: OSError) -> str:
    return os.strerror(exc.errno or errno.EIO)


class Tree:
    """An output root and the files under it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._made: set[str] = set()  # folders make_parents created or found

    def __repr__(self) -> str:
        return f"Tree({str(self.root)!r})"

    def _refuse(self, rel: str, what: str) -> WriteError:
        return WriteError(f"{self.root / rel}: {what}; nothing was changed")

    def check(self, rel: str) -> Path:
        """The path of `rel` after making sure that no existing component below the root is
        a symbolic link, that its folders are folders and that it is not itself a folder."""
        parts = rel.split("/")
        current = str(self.root)  # strings, not Path: this runs for every file of every render
        for i, part in enumerate(parts):
            current = os.path.join(current, part)
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                return self.root / rel
            except OSError as exc:
                raise self._refuse(rel, f"cannot be examined ({_reason(exc)})") from None
            last = i == len(parts) - 1
            where = "/".join(parts[: i + 1])
            if stat.S_ISLNK(st.st_mode):
                raise self._refuse(rel, f"{where} is a symbolic link, and proxydocs never writes or reads "
                                        "through one (it could lead out of the output folder); remove the link")
            if not last and not stat.S_ISDIR(st.st_mode):
                raise self._refuse(rel, f"{where} is a file where a folder is needed")
            if last and stat.S_ISDIR(st.st_mode):
                raise self._refuse(rel, "is a folder where a generated file goes")
            if last and not stat.S_ISREG(st.st_mode):
                raise self._refuse(rel, "is not a regular file")
        return self.root / rel

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None if it does not exist."""
        path = self.check(rel)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._refuse(rel, f"cannot be read ({_reason(exc)})") from None
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def mode(self, rel: str) -> int | None:
        try:
            return os.lstat(self.root / rel).st_mode & 0o777
        except OSError:
            return None

    def make_parents(self, rel: str) -> Path:
        """Create the folders `rel` needs (each checked as it goes) and return its path."""
        self.check(rel)
        current = str(self.root)
        for part in rel.split("/")[:-1]:
            current = os.path.join(current, part)
            if current in self._made:  # made or found by this render: check() below looks again
                continue
            try:
                os.mkdir(current)
            except FileExistsError:
                pass
            except OSError as exc:
                raise self._refuse(rel, f"its folder cannot be created ({_reason(exc)})") from None
            self._made.add(current)
        return self.check(rel)  # again: a folder may have changed meanwhile

    def ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise WriteError(f"{self.root}: is a file, not a folder; nothing was changed") from None
        except OSError as exc:
            raise WriteError(f"{self.root}: cannot be created ({_reason(exc)}); nothing was changed") from None
        if not self.root.is_dir():
            raise WriteError(f"{self.root}: is not a folder; nothing was changed")
