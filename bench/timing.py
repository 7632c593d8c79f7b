"""Timing for the benchmark: whole commands as child processes, their CPU time (user + system,
from the kernel's accounting of waited-for children) and wall time, and A/B comparisons run
as pairs (A B, B A, A B ...) so that a change in the machine's load hits both sides alike.
Figures are reported, never asserted."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(fn: Callable[[], object]) -> Sample:
    """One run of fn, which runs child processes (their CPU time is what is counted)."""
    cpu, wall = _children_cpu(), time.perf_counter()
    fn()
    return Sample(time.perf_counter() - wall, _children_cpu() - cpu)


def command(*argv: str, cwd=None, env=None) -> Callable[[], None]:
    def run() -> None:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
        if proc.returncode:
            sys.stderr.write(proc.stderr.decode(errors="replace"))
            raise RuntimeError(f"{' '.join(map(str, argv))} exited {proc.returncode}")
    return run


@dataclass(frozen=True)
class Pair:
    a: list[Sample]
    b: list[Sample]

    def ratios(self, what: str = "cpu") -> list[float]:
        return [getattr(x, what) / getattr(y, what) for x, y in zip(self.a, self.b) if getattr(y, what) > 0]

    def median(self, side: str, what: str = "cpu") -> float:
        return statistics.median(getattr(s, what) for s in getattr(self, side))

    def text(self, what: str = "cpu", unit: str = "s") -> str:
        r = self.ratios(what)
        return (f"{self.median('a', what):.3f} {unit} / {self.median('b', what):.3f} {unit}: "
                f"median {statistics.median(r):.2f}×, min {min(r):.2f}× ({len(r)} pairs, {what})")


def paired(a: Callable[[], object], b: Callable[[], object], runs: int = RUNS,
           setup: Callable[[], object] | None = None) -> Pair:
    """A and B alternately, after one warm-up of each; `setup` runs before every single run."""
    for fn in (a, b):
        if setup:
            setup()
        fn()
    xs, ys = [], []
    for i in range(runs):
        order = (a, b) if i % 2 == 0 else (b, a)
        for fn in order:
            if setup:
                setup()
            (xs if fn is a else ys).append(measure(fn))
    return Pair(xs, ys)


def median_of(fn: Callable[[], object], runs: int = RUNS, setup: Callable[[], object] | None = None) -> Sample:
    samples = []
    for _ in range(runs):
        if setup:
            setup()
        samples.append(measure(fn))
    return Sample(statistics.median(s.wall for s in samples), statistics.median(s.cpu for s in samples))


def progress(step: str) -> None:
    print(f"bench: {step}", file=sys.stderr, flush=True)


_SPIN = (sys.executable, "-c", "sum(i * i for i in range(4_000_000))")


def parallel_slowdown() -> tuple[float, float]:
    """(seconds of one CPU-bound job alone, how much longer two take side by side), best of
    two tries each. The ratio is 1.00 on two free cores, more when something else runs or the
    cores are shared; the seconds say how fast a core was at the time. The suite's goal holds
    on a quiet machine; these say how quiet and how fast it was."""
    def both() -> None:
        procs = [subprocess.Popen(_SPIN) for _ in range(2)]
        for proc in procs:
            proc.wait()
    alone = min(measure(command(*_SPIN)).wall for _ in range(2))
    together = min(measure(both).wall for _ in range(2))
    return alone, together / alone
