"""Kinds that no program reads as configuration (captured logs, diagrams and tables shown as
text, the prose substitutions),
and the whitespace check every kind gets."""

from __future__ import annotations

from .core import EVERY_KIND, Finding, Target, register


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
