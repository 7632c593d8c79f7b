"""Kinds that no program reads as configuration (captured logs, diagrams and tables shown as
text, the prose substitutions),
and the checks every kind gets: whitespace and control characters."""

from __future__ import annotations

import re

from .core import EVERY_KIND, Finding, Target, register

# C0 controls less tab, line feed and carriage return (each kind's reader judges those), DEL,
# C1 controls (U+009B starts an escape sequence in some terminals) and Unicode's bidi controls
# (a line then reads in another order than the one its reader runs)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


@register(EVERY_KIND)
def check_whitespace(t: Target) -> list[Finding]:
    """Trailing spaces end up inside heredocs, unit files and pasted shells (captured output
    is kept as it was captured)."""
    if t.snippet.kind == "log":
        return []
    findings = [t.finding(n, "trailing whitespace") for n, line in enumerate(t.text.splitlines(), 1)
                if line != line.rstrip()]
    if t.text and not t.text.endswith("\n"):
        findings.append(t.finding(0, "no newline at the end of the file"))
    return findings


@register(EVERY_KIND)
def check_control_characters(t: Target) -> list[Finding]:
    """A snippet is text a reader copies, saves or prints: a control character in it may not
    show on the page, in a terminal an escape sequence can change what is shown, and a bidi
    control shows a line in another order than the one that runs. None is ever generated.
    (/etc/environment's own reader explains a NUL byte there.)"""
    findings = []
    for n, line in enumerate(t.text.split("\n"), 1):
        for m in _CONTROL.finditer(line):
            if m[0] == "\0" and t.snippet.kind == "environment":
                continue
            findings.append(t.finding(n, f"a control character (U+{ord(m[0]):04X}) at column {m.start() + 1}: "
                                         "a snippet is plain text, and none is ever generated"))
            break
    return findings
