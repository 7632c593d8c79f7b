"""The benchmark's measure of the test suite: `make test`'s pytest run without the VM tier,
once, wall time (the goal is on a quiet machine), with the slowest tests."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from timing import progress

ROOT = Path(__file__).resolve().parent.parent


def suite() -> list[tuple[str, str, str]]:
    progress("suite: make test's pytest run without the VM tier (about two minutes)")
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
            "-m", "not vm", "--durations=5"]
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    summary = (re.findall(r"^=*\s*(\d+ (?:passed|failed).*?) in [0-9.]+s", proc.stdout, re.M) or ["?"])[-1]
    slow = re.findall(r"^([0-9.]+)s (call|setup|teardown)\s+(\S+)", proc.stdout, re.M)
    slowest = ", ".join(f"`{test.split('::')[-1]}` ({phase}) {secs} s" for secs, phase, test in slow)
    return [("`make test` without the VM tier (pytest -m 'not vm', the Makefile's workers)",
             f"{took:.1f} s wall ({summary}); slowest: {slowest}", "≤ 90 s on a quiet machine")]
