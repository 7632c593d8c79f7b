"""The benchmark's measures of the site: our build against a truly bare Sphinx (the same pages
and conf.py without the proxydocs extension, its directives stubbed out), Chinese search
against English search, which documents a rebuild re-reads (checked, not just printed), and
the growth of a full build from 200 to 1,000 synthetic pages with the project's own conf.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import Pair, command, median_of, paired, progress

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PROXYDOCS = str(Path(PY).parent / "proxydocs")
sys.path.insert(0, str(ROOT / "tests"))  # support.site_tree: the synthetic pages the tests build too

STUB = '''"""For the benchmark only: proxydocs' directives as no-ops, so stock Sphinx can read the pages."""
from docutils.parsers.rst import Directive, directives


class _AnyOption(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return directives.unchanged


class Nothing(Directive):
    has_content = True
    optional_arguments = 10
    final_argument_whitespace = True
    option_spec = _AnyOption()

    def run(self):
        return []


def setup(app):
    for name in NAMES:
        app.add_directive(name, Nothing)
    return {"parallel_read_safe": True}
'''


def copy_project(dest: Path) -> Path:
    from support import copy_site  # the tests' copy of the site sources: docs/, conf.py and what it reads

    return copy_site(dest)


def bare_conf(dest: Path) -> Path:
    """conf.py with generator.site.ext replaced by the stub: no render, no form, no search or
    navigation changes, stock Chinese search."""
    dest.mkdir(parents=True)
    names = sorted({m for p in (ROOT / "docs").rglob("*.rst")
                    for m in re.findall(r"^\s*\.\. (proxydocs-[a-z-]+)::", p.read_text(encoding="utf-8"), re.M)})
    (dest / "bare_stub.py").write_text(STUB.replace("NAMES", repr(names)), encoding="utf-8")
    conf = (ROOT / "conf.py").read_text(encoding="utf-8").replace('"generator.site.ext"', '"bare_stub"')
    assert '"bare_stub"' in conf
    (dest / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(dest)!r})\n" + conf, encoding="utf-8")
    return dest


def sphinx(conf: Path, docs: Path, out: Path, *extra: str, check: bool = True) -> list[str]:
    """Build; return the documents Sphinx read."""
    proc = subprocess.run([PY, "-m", "sphinx", "-c", str(conf), *extra, str(docs), str(out)],
                          capture_output=True, text=True)
    if check and proc.returncode:
        raise RuntimeError(f"sphinx-build failed: {proc.stderr[-2000:]}")
    return sorted(set(re.findall(r"reading sources\.\.\. \[[ 0-9]+%\] (\S+)", proc.stdout)))


def _ratio(name: str, pair: Pair, goal: str) -> tuple[str, str, str]:
    return name, pair.text("wall") + "; " + pair.text("cpu"), goal


def against_bare() -> list[tuple[str, str, str]]:
    progress("site: our build against a bare Sphinx, incremental and full")
    work = Path(tempfile.mkdtemp(prefix="proxydocs-bench-site-"))
    bare = bare_conf(work / "bare")
    ours_out, bare_out = work / "ours", work / "bare_out"
    ours = command(PY, "-m", "sphinx", "-q", "-c", str(ROOT), str(ROOT / "docs"), str(ours_out))
    stock = command(PY, "-m", "sphinx", "-q", "-c", str(bare), str(ROOT / "docs"), str(bare_out))
    noop = paired(ours, stock)

    def fresh() -> None:
        for d in (ours_out, bare_out):
            shutil.rmtree(d, ignore_errors=True)

    full = paired(ours, stock, setup=fresh)
    en = command(PY, "-m", "sphinx", "-q", "-D", "html_search_language=en", "-c", str(ROOT), str(ROOT / "docs"),
                 str(work / "en"))
    search = paired(ours, en)
    stock_zh = command(PY, "-m", "sphinx", "-q", "-D", "proxydocs_search_zh=0", "-c", str(ROOT), str(ROOT / "docs"),
                       str(work / "stock_zh"))
    before = paired(stock_zh, en)
    shutil.rmtree(work)
    return [
        _ratio("no-op build (nothing changed): ours / bare Sphinx without proxydocs", noop, "reported"),
        _ratio("full build into an empty folder: ours / bare Sphinx without proxydocs", full, "reported"),
        _ratio("no-op build, Chinese search / English search (-D html_search_language=en)", search, "≤ 1.3×"),
        _ratio("the same with Sphinx's own Chinese search (-D proxydocs_search_zh=0) / English search", before,
               "reported (the cost removed)"),
    ]


def rereads() -> list[tuple[str, str, str]]:
    """After a no-op render nothing is re-read; after a port change exactly the pages that show
    a changed snippet or a prose value. A mismatch stops the bench (exit 1)."""
    progress("site: documents re-read after a render")
    from generator import api
    from generator.render import manifest

    site = copy_project(Path(tempfile.mkdtemp(prefix="proxydocs-bench-reread-")))
    out = site / "_build"
    sphinx(site, site / "docs", out)
    subprocess.run([PROXYDOCS, "render", "-q", "--settings", str(site / "proxy.toml")], check=True)
    after_noop = sphinx(site, site / "docs", out)
    before = api.render_text(api.load_settings(site / "proxy.toml"))
    toml = site / "proxy.toml"  # sphinx-build renders from proxy.toml: change the value there
    toml.write_text(toml.read_text().replace("port = 3128", "port = 8118"))
    subprocess.run([PROXYDOCS, "render", "-q", "--settings", str(toml)], check=True)
    after = api.render_text(api.load_settings(toml))
    changed = {path for path in after if after[path] != before.get(path)}
    expected = {page for s in manifest.load() if s.output in changed for page in s.pages}
    expected |= {str(p.relative_to(site / "docs").with_suffix("")) for p in (site / "docs").rglob("*.rst")
                 if re.search(r"^\.\. include:: \S*_generated/settings\.txt$", p.read_text(encoding="utf-8"), re.M)}
    got = sphinx(site, site / "docs", out)
    shutil.rmtree(site)
    problems = []
    if after_noop:
        problems.append(f"a no-op render made Sphinx re-read {after_noop}")
    if set(got) != expected:
        problems.append(f"after a port change Sphinx re-read {got}, expected {sorted(expected)}")
    if problems:
        raise SystemExit("bench: " + "; ".join(problems))
    return [("`sphinx-build` right after a no-op render: documents re-read", "0 (checked)", "0"),
            ("`render` after proxy.port = 8118, then the build: documents re-read",
             f"{len(got)}, exactly the pages showing a changed value (checked): {', '.join(got)}", "only those")]


def scaling(sizes: tuple[int, ...] = (200, 1000), runs: int = 3) -> list[tuple[str, str, str]]:
    """Full builds of the site plus N synthetic pages (parts of 20 leaf pages), project conf.py."""
    from support import site_tree

    rows, times = [], {}
    for n in sizes:
        progress(f"site: full build with {n} synthetic pages ({runs} runs)")
        work = Path(tempfile.mkdtemp(prefix=f"proxydocs-bench-scale{n}-"))
        site = copy_project(work)
        site_tree.hook(site / "docs", site_tree.write(site / "docs", n))
        out = work / "_build"
        sample = median_of(command(PY, "-m", "sphinx", "-q", "-c", str(site), str(site / "docs"), str(out)),
                           runs=runs, setup=lambda o=out: shutil.rmtree(o, ignore_errors=True))
        times[n] = sample
        rows.append((f"full build, the site + {n} synthetic pages", f"{sample.wall:.1f} s wall, {sample.cpu:.1f} s CPU",
                     "reported"))
        shutil.rmtree(work)
    if len(sizes) == 2:
        small, large = (times[n] for n in sizes)
        rows.append((f"growth from {sizes[0]} to {sizes[1]} pages ({sizes[1] // sizes[0]}× the pages)",
                     f"{large.wall / small.wall:.1f}× wall, {large.cpu / small.cpu:.1f}× CPU", "≤ 6×"))
    return rows
