"""A tiny run of the benchmark so it cannot rot (times are reported, never asserted)."""

import os
import subprocess
import sys

from support import ROOT


def test_bench_smoke_runs():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py")], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "BENCH_SMOKE": "1", "BENCH_RUNS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "nothing to do / `python -c 'import jinja2'`, warm" in proc.stdout
    assert "distinct template sets" in proc.stdout and "bench: render" in proc.stderr
