"""`make bench`: what regeneration and rebuilds cost, as medians of repeated runs after a
warm-up, compared side by side in the same run and reported as ratios. Prints one table and
writes it to docs/reference/bench.md. Not a test: nothing here asserts a time."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SMOKE = os.environ.get("BENCH_SMOKE") == "1"  # `make test` runs a tiny version so this cannot rot


def median_time(fn, runs: int = RUNS) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cmd(*argv: str, cwd: Path = ROOT) -> callable:
    return lambda: subprocess.run(argv, cwd=cwd, check=True, capture_output=True)


def synthetic(n_sets: int) -> tuple[float, float, int]:
    """Render the real templates with n_sets varied settings into one tree (25 files each)."""
    sys.path.insert(0, str(ROOT))
    from generator import api, settings

    tmp = Path(tempfile.mkdtemp(prefix="proxydocs-bench-"))
    sets = [settings.load(None, [f"proxy.port={8000 + i}", f"tunnel.alias=Proxy{i}"]) for i in range(n_sets)]

    def render_all():
        for i, s in enumerate(sets):
            api.render(s, tmp / f"site{i}")

    start = time.perf_counter()
    render_all()
    empty = time.perf_counter() - start
    noop = median_time(render_all)
    files = sum(1 for p in tmp.rglob("*") if p.is_file() and not p.name.startswith("."))
    shutil.rmtree(tmp)
    return empty, noop, files


def reread_count(out: Path) -> str:
    """Run sphinx-build and report how many documents it re-read."""
    proc = subprocess.run([PY, "-m", "sphinx", "-c", str(ROOT), str(ROOT / "docs"), str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    for line in proc.stdout.splitlines():
        if "updating environment:" in line:
            return line.split("updating environment:", 1)[1].strip()
    return "?"


def main() -> int:
    rows = []
    proxydocs = str(Path(PY).parent / "proxydocs")
    render_noop = median_time(cmd(proxydocs, "render"))
    jinja = median_time(cmd(PY, "-c", "import jinja2"))
    rows.append(("1", "`proxydocs render`, nothing to do / `python -c 'import jinja2'`",
                 f"{render_noop:.3f} s / {jinja:.3f} s = {render_noop / jinja:.2f}×", "≤ 2.0×"))
    n_sets = 8 if SMOKE else 200
    empty, noop, files = synthetic(n_sets)
    rows.append(("2", f"synthetic tree, {files} snippets: render from empty / with nothing to do",
                 f"{empty:.2f} s / {noop:.2f} s", "≤ 2.0 s / ≤ 0.5 s"))
    if not SMOKE:
        out = Path(tempfile.mkdtemp(prefix="proxydocs-bench-html-"))
        reread_count(out)  # a full first build
        subprocess.run([proxydocs, "render"], cwd=ROOT, check=True, capture_output=True)
        rows.append(("3", "`sphinx-build` right after a no-op render", reread_count(out), "0 re-read"))
        full = median_time(cmd("make", "-s", "html"), runs=3)
        bare_out = Path(tempfile.mkdtemp(prefix="proxydocs-bench-bare-"))
        bare = median_time(cmd(PY, "-m", "sphinx", "-q", "-c", str(ROOT), str(ROOT / "docs"), str(bare_out)), runs=3)
        rows.append(("5", "`make html` (render + build) / bare `sphinx-build`, incremental",
                     f"{full:.2f} s / {bare:.2f} s = {full / bare:.2f}×", "≤ 1.15×"))
        shutil.rmtree(out), shutil.rmtree(bare_out)
    table = ["| # | measure | result | goal |", "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in rows]
    print("\n".join(table))
    if not SMOKE:
        page = ROOT / "docs" / "reference" / "bench.md"
        page.write_text("# 性能基准\n\n`make bench` 的结果(每项为预热后至少 5 次运行的中位数，比较项在同一次运行中并排测量)。\n\n"
                        + "\n".join(table) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
