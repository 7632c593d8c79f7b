"""`make bench`: what regeneration and rebuilds cost, as medians of repeated runs after a
warm-up, compared side by side in the same run and reported as ratios. Prints one table and
writes it to docs/reference/bench.md. Not a test: nothing here asserts a time.

Measures (issue 7): 1 no-op render vs importing jinja2, with each dependency's import cost;
2 a synthetic tree of 5,600 snippets; 3 documents re-read after a no-op render; 4 documents
re-read after a port change; 5 `make html` vs a bare sphinx-build, incremental and full;
6 the test suite by group, with the slowest tests."""

from __future__ import annotations

import os
import re
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
sys.path.insert(0, str(ROOT))


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


def import_costs() -> str:
    """Each dependency's own import time (python -X importtime, cumulative, median of runs)."""
    costs: dict[str, list[int]] = {}
    for _ in range(RUNS):
        proc = subprocess.run([PY, "-X", "importtime", "-c", "import generator.cli"], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s?( *)(\S+)", line)
            if m and m[3] in ("click", "jinja2", "tomllib", "generator.cli", "generator.render.engine", "generator.model.settings"):
                costs.setdefault(m[3], []).append(int(m[1]))
    return ", ".join(f"{name} {statistics.median(us) / 1000:.1f} ms" for name, us in costs.items())


def synthetic(n_sets: int) -> tuple[float, float, int]:
    """Render the real templates with n_sets varied settings into one tree (28 files each)."""
    from generator import api
    from generator.model import settings

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


def copy_project() -> Path:
    site = Path(tempfile.mkdtemp(prefix="proxydocs-bench-site-"))
    shutil.copytree(ROOT / "docs", site / "docs")
    for name in ("conf.py", "proxy.toml"):
        shutil.copy(ROOT / name, site / name)
    return site


def sphinx(site: Path, out: Path, *extra: str) -> list[str]:
    """Build; return the documents Sphinx re-read."""
    proc = subprocess.run([PY, "-m", "sphinx", "-c", str(site), *extra, str(site / "docs"), str(out)],
                          capture_output=True, text=True, check=True)
    return sorted(set(re.findall(r"reading sources\.\.\. \[[ 0-9]+%\] (\S+)", proc.stdout)))


def port_change(site: Path, out: Path) -> tuple[list[str], list[str]]:
    """Measure 4: render --set proxy.port=8118, rebuild. Returns (re-read, expected)."""
    from generator import api
    from generator.render import manifest

    before = api.render_text(api.load_settings(site / "proxy.toml"))
    proc = subprocess.run([str(Path(PY).parent / "proxydocs"), "render", "--settings", str(site / "proxy.toml"),
                           "--out", str(site / "docs"), "--set", "proxy.port=8118"],
                          capture_output=True, text=True, check=True)
    assert "changed" in proc.stdout, proc.stdout
    toml = site / "proxy.toml"  # the build renders from proxy.toml: keep it the source of truth
    toml.write_text(toml.read_text().replace("port = 3128", "port = 8118"))
    after = api.render_text(api.load_settings(toml))
    changed = {path for path in after if after[path] != before[path]}
    pages = {page for s in manifest.load() if s.output in changed for page in s.pages}
    includes_settings = {str(p.relative_to(site / "docs").with_suffix("")) for p in (site / "docs").rglob("*.rst")
                         if "/_generated/settings.txt" in p.read_text(encoding="utf-8")}
    shows_settings = {"reference/snippets"}  # the catalogue shows the validators' figures
    expected = sorted(pages | includes_settings)
    return sphinx(site, out), expected + [f"(may: {p})" for p in sorted(shows_settings - set(expected))]


def test_groups() -> list[tuple[str, float, str]]:
    """Measure 6: each group of the suite once, with its three slowest tests."""
    groups = [
        ("unit", ["tests/test_settings.py", "tests/test_render.py", "tests/test_golden.py",
                  "tests/test_consistency.py", "tests/test_errors_catalogue.py"]),
        ("validators", ["tests/test_validators.py", "tests/test_hostile.py"]),
        ("site", ["tests/test_site.py", "docs"]),
        ("end-to-end and setup scripts", ["tests/e2e", "tests/test_setup_scripts.py"]),
        ("browser", ["tests/test_browser.py", "tests/test_browser_render.py"]),
    ]
    rows = []
    for name, paths in groups:
        start = time.perf_counter()
        proc = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=3", *paths],
                              cwd=ROOT, capture_output=True, text=True)
        took = time.perf_counter() - start
        slow = re.findall(r"^([0-9.]+)s (call|setup|teardown)\s+(\S+)", proc.stdout, re.M)
        slow = [(secs, f"{test.split('::')[-1]} ({phase})") for secs, phase, test in slow]
        summary = (re.findall(r"^=*\s*(\d+ (?:passed|failed).*?) in [0-9.]+s", proc.stdout, re.M) or ["?"])[-1]
        rows.append((name, took, f"{summary}; slowest: " + ", ".join(f"`{t}` {s} s" for s, t in slow)))
    return rows


def vm_rows() -> list[tuple[str, str, str, str]]:
    """Measure 7, the VM tier: not re-run here (it takes minutes); the figures of the last fully
    passing `make e2e-vm`, which writes tests/vm/figures.json."""
    import json
    path = ROOT / "tests" / "vm" / "figures.json"
    if not path.exists():
        return []
    f = json.loads(path.read_text())
    cached = "—" if f["image_cached_s"] is None else f"{f['image_cached_s']:.1f} s"
    checks = ", ".join(f"{k} {v:.1f} s" for k, v in f["checks_s"].items())
    return [
        ("7", "VM tier (`make e2e-vm`, QEMU with one TCG thread): image build cold / from the cache",
         f"{f['image_cold_s']:.1f} s / {cached}", "reported"),
        ("7", "VM tier: boot to ssh / the whole tier" + (" (image from the cache)" if cached != "—" else " (cold)"),
         f"{f['boot_s']:.1f} s / {f['tier_s']:.1f} s", "whole tier with a cold build ≤ 45 min"),
        ("7", "VM tier: each check", checks, "reported"),
    ]


def main() -> int:
    rows = []
    proxydocs = str(Path(PY).parent / "proxydocs")
    render_noop = median_time(cmd(proxydocs, "render"))
    jinja = median_time(cmd(PY, "-c", "import jinja2"))
    rows.append(("1", "`proxydocs render`, nothing to do / `python -c 'import jinja2'`",
                 f"{render_noop:.3f} s / {jinja:.3f} s = {render_noop / jinja:.2f}×", "≤ 2.0×"))
    rows.append(("1", "import cost of each dependency on the CLI path (no Sphinx)", import_costs(), "reported"))
    n_sets = 8 if SMOKE else 200
    empty, noop, files = synthetic(n_sets)
    rows.append(("2", f"synthetic tree, {files} snippets: render from empty / with nothing to do",
                 f"{empty:.2f} s / {noop:.2f} s", "≤ 2.0 s / ≤ 0.5 s"))
    if not SMOKE:
        site = copy_project()
        out = site / "_build"
        sphinx(site, out)  # a full first build
        subprocess.run([proxydocs, "render", "--settings", str(site / "proxy.toml"), "--out", str(site / "docs")],
                       check=True, capture_output=True)
        reread = sphinx(site, out)
        rows.append(("3", "`sphinx-build` right after a no-op render: documents re-read",
                     str(len(reread)) + (f" ({', '.join(reread)})" if reread else ""), "0"))
        reread, expected = port_change(site, out)
        rows.append(("4", "`render --set proxy.port=8118`, then the rebuild: documents re-read",
                     f"{len(reread)}: {', '.join(reread)}", "only: " + ", ".join(expected)))
        shutil.rmtree(site)

        incremental = median_time(cmd("make", "-s", "html"))
        bare_out = Path(tempfile.mkdtemp(prefix="proxydocs-bench-bare-"))
        bare = median_time(cmd(PY, "-m", "sphinx", "-q", "-D", "proxydocs_render=0", "-c", str(ROOT),
                               str(ROOT / "docs"), str(bare_out)))
        rows.append(("5", "`make html` (render + build) / bare `sphinx-build`, incremental",
                     f"{incremental:.2f} s / {bare:.2f} s = {incremental / bare:.2f}×", "≤ 1.15×"))

        def fresh(*argv):
            def run():
                target = Path(tempfile.mkdtemp(prefix="proxydocs-bench-full-"))
                subprocess.run([*argv, str(target)], cwd=ROOT, check=True, capture_output=True)
                shutil.rmtree(target)
            return run
        full = median_time(fresh(PY, "-m", "sphinx", "-q", "-c", str(ROOT), str(ROOT / "docs")))
        full_bare = median_time(fresh(PY, "-m", "sphinx", "-q", "-D", "proxydocs_render=0", "-c", str(ROOT),
                                      str(ROOT / "docs")))
        rows.append(("5", "full build into an empty directory: with render / bare `sphinx-build`",
                     f"{full:.2f} s / {full_bare:.2f} s = {full / full_bare:.2f}×", "≤ 1.15×"))
        shutil.rmtree(bare_out)
        for name, took, detail in test_groups():
            rows.append(("6", f"test suite, {name}", f"{took:.1f} s ({detail})", "reported"))
    rows += vm_rows()
    table = ["| # | measure | result | goal |", "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in rows]
    print("\n".join(table))
    if not SMOKE:
        page = ROOT / "docs" / "reference" / "bench.md"
        page.write_text("# 性能基准\n\n`make bench` 的结果(每项为预热后至少 5 次运行的中位数，比较项在同一次运行中并排测量；"
                        "第 6 项每组运行一次；第 7 项是最近一次全部通过的 `make e2e-vm` 的结果)。\n\n" + "\n".join(table) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
