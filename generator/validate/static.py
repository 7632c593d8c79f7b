"""Kinds that no program reads as configuration: captured logs and the prose substitutions.
They are registered so that every kind in the manifest has an explicit entry."""

from __future__ import annotations

from .core import Finding, Target, register


@register("log")
def check_log(t: Target) -> list[Finding]:
    return [] if t.text.strip() else [t.finding(0, "captured output is empty")]


@register("rst_substitutions")
def check_substitutions(t: Target) -> list[Finding]:
    findings = []
    for n, line in enumerate(t.text.splitlines(), 1):
        if line.strip() and not line.startswith(".. "):
            findings.append(t.finding(n, "not an RST comment or substitution definition"))
    return findings


@register("ssh_config", "shell", "apt", "environment", "systemd_dropin", "systemctl_show",
          "docker_config", "docker_daemon_json", "colima_yaml", "dockerfile", "rst_substitutions")
def check_whitespace(t: Target) -> list[Finding]:
    """Trailing spaces end up inside heredocs, unit files and pasted shells."""
    findings = [t.finding(n, "trailing whitespace") for n, line in enumerate(t.text.splitlines(), 1)
                if line != line.rstrip()]
    if t.text and not t.text.endswith("\n"):
        findings.append(t.finding(0, "no newline at the end of the file"))
    return findings
