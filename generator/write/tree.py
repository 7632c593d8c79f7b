"""Paths under an output root that never leave it.

Every path proxydocs reads or writes in an output tree is relative to the root, normalised,
and walked component by component with lstat: a symbolic link anywhere below the root (to a
folder or to a file) is refused, so a render never writes, reads or deletes through one. The
root itself may be a link: the user chose it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import WriteError


def _reason(exc: OSError) -> str:
    return os.strerror(exc.errno or errno.EIO)


class Tree:
    """An output root and the files under it."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Tree({str(self.root)!r})"

    def _refuse(self, rel: str, what: str) -> WriteError:
        return WriteError(f"{self.root / rel}: {what}; nothing was changed")

    def check(self, rel: str) -> Path:
        """The path of `rel` after making sure that no existing component below the root is
        a symbolic link, that its folders are folders and that it is not itself a folder."""
        what = self.problem(rel)
        if what:
            raise self._refuse(rel, what)
        return self.root / rel

    def problem(self, rel: str) -> str | None:
        """Why `rel` cannot be written or read (see check), or None: for the writer and for
        validate, which take a tree alike."""
        parts = rel.split("/")
        current = str(self.root)  # strings, not Path: this runs for every file of every render
        for i, part in enumerate(parts):
            current = os.path.join(current, part)
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                return None
            except OSError as exc:
                return f"cannot be examined ({_reason(exc)})"
            last = i == len(parts) - 1
            where = "/".join(parts[: i + 1])
            if stat.S_ISLNK(st.st_mode):
                return (f"{where} is a symbolic link, and proxydocs never writes or reads through one (it could "
                        "lead out of the output folder); remove the link")
            if not last and not stat.S_ISDIR(st.st_mode):
                return f"{where} is a file where a folder is needed"
            if last and stat.S_ISDIR(st.st_mode):
                return "is a folder where a generated file goes"
            if last and not stat.S_ISREG(st.st_mode):
                return "is not a regular file"
        return None

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None if it does not exist."""
        self.check(rel)
        try:
            folder = self.folder(rel, make=False)
        except FileNotFoundError:
            return None
        try:
            fd = os.open(rel.rsplit("/", 1)[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                         | getattr(os, "O_CLOEXEC", 0), dir_fd=folder)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._refuse(rel, f"cannot be read ({_reason(exc)})") from None
        finally:
            os.close(folder)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise self._refuse(rel, "is not a regular file")
            return fh.read()

    def mode(self, rel: str) -> int | None:
        try:
            return os.lstat(self.root / rel).st_mode & 0o777
        except OSError:
            return None

    def folder(self, rel: str, make: bool = True) -> int:
        """An open handle on the folder `rel` goes into, reached (and, with `make`, made where
        missing: else FileNotFoundError) one component at a time without following a link. What
        is then read or written through it stays in that folder even if a component of the path
        is swapped for a link meanwhile; the caller closes it."""
        self.check(rel)
        flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.root, flags)  # the root may be a link: the user chose it
        except OSError as exc:
            if not make and isinstance(exc, FileNotFoundError):
                raise
            raise self._refuse(rel, f"its folder cannot be opened ({_reason(exc)})") from None
        try:
            for part in rel.split("/")[:-1]:
                if make:
                    try:
                        os.mkdir(part, dir_fd=fd)
                    except FileExistsError:
                        pass
                inner = os.open(part, flags | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
        except FileNotFoundError:
            os.close(fd)
            if make:
                raise self._refuse(rel, "its folder vanished while it was made") from None
            raise
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise self._refuse(rel, "a folder on its way is a symbolic link or a file, and proxydocs never "
                                        "writes or reads through one") from None
            raise self._refuse(rel, f"its folder cannot be created ({_reason(exc)})") from None
        return fd

    def ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise WriteError(f"{self.root}: is a file, not a folder; nothing was changed") from None
        except OSError as exc:
            raise WriteError(f"{self.root}: cannot be created ({_reason(exc)}); nothing was changed") from None
        if not self.root.is_dir():
            raise WriteError(f"{self.root}: is not a folder; nothing was changed")
