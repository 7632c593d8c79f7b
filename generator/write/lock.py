"""One render at a time per output folder: an flock on the folder itself, waited for with a
message and for a bounded time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import Callable, Iterator

from ..errors import WriteError

DEFAULT_TIMEOUT = 60.0  # seconds; PROXYDOCS_LOCK_TIMEOUT changes it


def timeout_from_environment() -> float:
    try:
        return max(0.0, float(os.environ.get("PROXYDOCS_LOCK_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextlib.contextmanager
def locked(root: Path, *, timeout: float | None = None,
           on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    timeout = timeout_from_environment() if timeout is None else timeout
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise WriteError(f"{root}: cannot be opened ({os.strerror(exc.errno or 0)}); nothing was changed") from None
    try:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting and on_wait is not None:
                    on_wait(f"waiting for another proxydocs render of {root} to finish (at most {timeout:g} s)")
                waiting = True
                if time.monotonic() >= deadline:
                    raise WriteError(f"{root}: another proxydocs render has held it for {timeout:g} s; nothing was "
                                     "changed (let it finish, or stop it, then run again)") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
