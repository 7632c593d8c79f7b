"""The benchmark's measure of the test suite: `make test`'s pytest run without the VM tier,
BENCH_SUITE_RUNS times (3; one run varies by a few seconds), the median wall time (the goal is on a
quiet machine), with the slowest tests of the last run."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timing import parallel_slowdown, progress

ROOT = Path(__file__).resolve().parent.parent


RUNS = int(os.environ.get("BENCH_SUITE_RUNS", "3"))


def suite() -> list[tuple[str, str, str]]:
    progress(f"suite: make test's pytest run without the VM tier, {RUNS} times (about {RUNS * 1.5:.0f} minutes)")
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
            "-m", "not vm", "--durations=5"]
    took, summary, slowest, busy = [], "?", "", []
    for _ in range(RUNS):
        busy.append(parallel_slowdown())
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        took.append(time.perf_counter() - start)
        summary = (re.findall(r"^=*\s*(\d+ (?:passed|failed).*?) in [0-9.]+s", proc.stdout, re.M) or ["?"])[-1]
        slow = re.findall(r"^([0-9.]+)s (call|setup|teardown)\s+(\S+)", proc.stdout, re.M)
        slowest = ", ".join(f"`{test.split('::')[-1]}` ({phase}) {secs} s" for secs, phase, test in slow)
    spread = f" (median of {RUNS}, min {min(took):.1f} s, max {max(took):.1f} s)" if RUNS > 1 else ""
    return [("`make test` without the VM tier (pytest -m 'not vm', the Makefile's workers)",
             f"{statistics.median(took):.1f} s wall{spread}; last run: {summary}; before each run, one CPU-bound "
             f"job alone took {min(a for a, _ in busy):.2f}–{max(a for a, _ in busy):.2f} s and two at once "
             f"{min(r for _, r in busy):.2f}–{max(r for _, r in busy):.2f}× as long (1.00: two free cores); "
             f"slowest: {slowest}",
             "≤ 90 s on a quiet machine")]
