"""Shared test helpers: run the CLI in-process, find real programs, copy the project."""

from __future__ import annotations

import io
from collections import Counter
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import Context, main

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "reference"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(*programs: str) -> dict[str, str]:
    """Paths of real programs; a missing one fails in CI and skips (saying why) elsewhere."""
    found = {}
    for program in programs:
        path = shutil.which(program) or next(
            (p for p in (f"/usr/sbin/{program}", f"/usr/lib/apt/{program}", f"/lib/systemd/{program}")
             if os.access(p, os.X_OK)), None)
        if path is None:
            message = f"{program} is not installed (.ci/run installs it from Debian's packages)"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        found[program] = path
    return found


def require_root() -> None:
    if os.geteuid() != 0:
        message = "needs root (namespaces, sshd); CI runs as root"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Context(out, err))
    return CliResult(code, out.getvalue(), err.getvalue())


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under directory with its bytes and mtime, to prove nothing was touched."""
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def pytest_terminal_summary(terminalreporter):
    """How many hypothesis examples each field saw (tests/test_hostile.py)."""
    module = sys.modules.get("test_hostile")
    counts = getattr(module, "COUNTS", None)
    if not counts:
        return
    terminalreporter.section("hostile input: hypothesis examples")
    total = Counter()
    for key, c in counts.items():
        terminalreporter.write_line(f"{key:28} refused {c['refused']:4}  read back {c['accepted']:4}")
        total.update(c)
    terminalreporter.write_line(f"{'total':28} refused {total['refused']:4}  read back {total['accepted']:4}")
