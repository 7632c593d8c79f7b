"""Validators: each snippet kind is checked by the program that reads it.

A validator takes a Target (the file, its manifest entry, the settings it was rendered
from) and returns Findings (file, line, message). The registry maps kind -> validators;
`validate_tree` runs them over a rendered tree. Programs are found on PATH; a missing one
raises ToolMissing, never a silent pass.
"""

from __future__ import annotations

from .core import Finding, Target, ToolMissing, kinds, register, validate_file, validate_tree, validators_for
from . import apt, buildkit, colima, dialect, docker, environment, launchd, privoxy, shell, ssh, static, systemd  # noqa: F401 (registration)

__all__ = ["Finding", "Target", "ToolMissing", "kinds", "register", "validate_file", "validate_tree", "validators_for"]
