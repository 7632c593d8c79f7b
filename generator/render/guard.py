"""The render boundary's guard, in two parts: no settings value may carry a line break or an
invisible or control character, and no rendered file may carry a character (other than its
own line breaks) that a reader could take for syntax or that a person pasting it cannot see.
The settings types refuse such values first; this guard is independent of them, so a gap in a
type (or a template) cannot reach a root shell, a unit file or a pasted config. Both parts run
before anything is written."""

from __future__ import annotations

import re

from ..chars import CONTROLS, INVISIBLE, SPACES
from ..errors import UnsafeOutputError

# Every control character but the line feed (and the tab where a format allows it), every
# space but U+0020, and every invisible character (generator/chars.py)
_FORBIDDEN = f"{CONTROLS}{SPACES}{INVISIBLE}"
_UNSAFE = re.compile(f"[{_FORBIDDEN}]")
_UNSAFE_WITHOUT_TAB = re.compile(f"[\\t{_FORBIDDEN}]")
TAB_KINDS = frozenset()  # kinds whose format allows tabs (none of today's snippets uses one)


_VALUE_UNSAFE = re.compile(f"[\\t\\n{_FORBIDDEN}]")


def forbidden(kind: str | None) -> re.Pattern:
    """The characters a file of this kind may not hold (validate asks the same of a file on
    disk; `None`: the tab allowed, for files render does not write)."""
    return _UNSAFE if kind is None or kind in TAB_KINDS else _UNSAFE_WITHOUT_TAB


def check_values(values: dict[str, object]) -> None:
    """No settings value, and no item of a list value, may carry a line break, a tab or any
    character the files may not: a line break in a value would start a new line of syntax in
    the file (a new ssh keyword, a heredoc's end, a unit file's next key), and no check of the
    rendered text alone can tell it from the template's own line breaks."""
    problems = []
    for key, value in values.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            m = _VALUE_UNSAFE.search(item) if isinstance(item, str) else None
            if m:
                problems.append(f"{key}: {item!a} contains {m.group()!a}")
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        raise UnsafeOutputError(f"refusing to render values that carry a line break, control, separator or "
                                f"invisible character (they got past the settings checks; nothing was written):"
                                f"\n{listing}")


def check(rendered: dict[str, str], kinds: dict[str, str]) -> None:
    """Raise UnsafeOutputError naming the first file, line and column that would carry a
    forbidden character; `kinds` gives each output's snippet kind."""
    problems = []
    for path, text in rendered.items():
        m = forbidden(kinds.get(path, "")).search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            problems.append(f"{path}:{line}:{column}: would contain {m.group()!a}")
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        raise UnsafeOutputError(f"refusing to write a rendering that carries a control, separator or invisible "
                                f"character (a settings value got past the checks; nothing was written):\n{listing}")
