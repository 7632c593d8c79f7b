"""The two build shortcuts of the site change nothing a reader gets: the Chinese search index
is Sphinx's own (without the second load of jieba's dictionary), the search page's script
defines the stemmer it names, and the cached navigation is byte for byte Sphinx's."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from support import copy_site, sphinx_build
from support import site_tree


def test_the_chinese_index_is_sphinxs_own(built_site, tmp_path):
    _, ours = built_site
    root = copy_site(tmp_path / "stock")
    stock = tmp_path / "html"
    proc = sphinx_build(root, stock, "-D", "proxydocs_search_zh=0")
    assert proc.returncode == 0, proc.stderr
    assert (ours / "searchindex.js").read_bytes() == (stock / "searchindex.js").read_bytes()
    # the stock page data names a stemmer class Sphinx 9.0-9.1 never define (sphinx#14229);
    # ours defines the class it names
    data = (ours / "_static" / "language_data.js").read_text(encoding="utf-8")
    named = re.search(r"window\.Stemmer = (\w+);", data).group(1)
    assert re.search(rf"\b(?:class|var|let|const|function)\s+{named}\b", data), named
    assert "ChineseStemmer" not in data


def _project_theme_options() -> dict:
    conf = (Path(__file__).resolve().parents[2] / "conf.py").read_text(encoding="utf-8")
    return ast.literal_eval(re.search(r"^html_theme_options = (\{.*\})$", conf, re.M).group(1))


THEME_OPTIONS = _project_theme_options()


def _build(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-b", "html", *extra, str(src), str(out)],
                          capture_output=True, text=True, timeout=300)


def test_the_cached_navigation_is_sphinxs_own(tmp_path):
    """30 leaf pages under one toctree and 5 under another, plus pages that are not leaves
    (with sections, with a sub-toctree): every HTML file is the same with the cache and
    without it, and the cache was used."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(  # the theme, navigation and search options of the project's conf.py
        'project = "nav"\nlanguage = "zh_CN"\nhtml_theme = "sphinx_rtd_theme"\n'
        f"html_theme_options = {THEME_OPTIONS!r}\n"
        'extensions = ["generator.site.nav_cache", "generator.site.search_zh"]\n', encoding="utf-8")
    (src / "index.rst").write_text("首页\n====\n\n", encoding="utf-8")
    site_tree.hook(src, site_tree.write(src, 30, per_part=30, folder="flat"))
    site_tree.hook(src, site_tree.write(src, 5, per_part=5, folder="small"))
    cached, plain = tmp_path / "cached", tmp_path / "plain"
    on = _build(src, cached, "-E")
    off = _build(src, plain, "-E", "-q", "-D", "proxydocs_nav_cache=0")
    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    hits = int(re.search(r"navigation: (\d+) pages reused", on.stdout).group(1))
    assert hits >= 30, on.stdout
    pages = sorted(p.relative_to(plain) for p in plain.rglob("*.html"))
    assert pages and pages == sorted(p.relative_to(cached) for p in cached.rglob("*.html"))
    differ = [str(p) for p in pages if (plain / p).read_bytes() != (cached / p).read_bytes()]
    assert differ == []
