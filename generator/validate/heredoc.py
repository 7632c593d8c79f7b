"""The systemd drop-ins that a shell script writes through a heredoc: where they are, and
their text (validate/shell.py checks each as the drop-in itself)."""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"^cat <<'?(\w+)'? >(/etc/systemd/system/([\w@.-]+)\.service\.d/[\w.-]+\.conf)\s*$")


def heredoc_dropins(text: str):
    """(line index of `cat <<...`, index of its end or None, the match) for each heredoc that
    writes a systemd drop-in."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _HEREDOC.match(line)
        if m:
            yield i, next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == m.group(1)), None), m


def heredoc_body(text: str, start: int, end: int) -> str:
    return "\n".join(text.splitlines()[start + 1:end]) + "\n"
