"""What a relative path in an output tree may look like: shared by the writer (write/tree.py,
write/record.py) and the no-op check (fastpath.py), which must take a record's keys exactly
as the full render does. Standard library only: the fast path imports it."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

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
