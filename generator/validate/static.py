"""Kinds that no program reads as configuration (captured logs, diagrams and tables shown as
text, the prose substitutions), and the checks of the text every file gets, a counter-example
too: trailing whitespace and characters a reader cannot see."""

from __future__ import annotations

from ..render.guard import forbidden
from .core import TEXT, Finding, Target, register

NAMES = {"\r": "a carriage return (U+000D; Windows line ends?)", "\t": "a tab (U+0009)",
         "\x1b": "an escape (U+001B)", "\x00": "a NUL byte (U+0000)"}


@register("log", "diagram")
def check_log(t: Target) -> list[Finding]:
    return [] if t.text.strip() else [t.finding(0, "captured output is empty")]


@register("rst_substitutions")
def check_substitutions(t: Target) -> list[Finding]:
    findings = []
    for n, line in enumerate(t.text.splitlines(), 1):
        if line.strip() and not line.startswith(".. "):
            findings.append(t.finding(n, "not an RST comment or substitution definition"))
    return findings


@register(TEXT)
def check_whitespace(t: Target) -> list[Finding]:
    """Trailing spaces end up inside heredocs, unit files and pasted shells (captured output
    is kept as it was captured). Lines are counted at line feeds, as every check counts them;
    a carriage return is the next check's."""
    if t.snippet.kind == "log":
        return []
    found = [t.finding(n, "trailing whitespace") for n, line in enumerate(t.text.split("\n"), 1)
             if line.rstrip("\r") != line.rstrip("\r").rstrip()]
    if t.text and not t.text.endswith("\n"):
        found.append(t.finding(0, "no newline at the end of the file"))
    return found


@register(TEXT)
def check_characters(t: Target) -> list[Finding]:
    """A snippet is text a reader copies, saves or prints, and the page shows: a control,
    separator or invisible character in it may not show there, in a terminal an escape
    sequence can change what is shown, a bidi control shows a line in another order than the
    one that runs, and a zero-width or tag character makes a word another word. The set is the
    one render refuses to write (generator/render/guard.py); in a file render does not write
    (a captured log), a tab is allowed. Columns count characters, from 1."""
    pattern = forbidden(t.snippet.kind if t.snippet.generated else None)
    found = []
    for n, line in enumerate(t.text.split("\n"), 1):
        m = pattern.search(line)
        if m:
            name = NAMES.get(m[0], f"an invisible or control character (U+{ord(m[0]):04X})")
            found.append(t.finding(n, f"{name} at column {m.start() + 1}: the page may not show it and a terminal "
                                      "may act on it; render never writes one"))
    return found
