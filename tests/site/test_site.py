"""The site builds with zero warnings, and the settings reach the prose of both articles."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from support import ROOT, copy_site, run_cli, sphinx_build as build

ARTICLES = ("container/colima/colima_proxy", "container/colima/colima_proxy_archive")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's site sources, so the build can render into it freely."""
    return copy_site(tmp_path_factory.mktemp("site"))


def text_of(html_file: Path) -> str:
    body = html_file.read_text(encoding="utf-8")
    body = body.split('role="main"', 1)[1] if 'role="main"' in body else body
    return unescape(re.sub(r"<[^>]+>", "", body))


def prose_of(html_file: Path) -> str:
    """The page's text outside code blocks."""
    body = html_file.read_text(encoding="utf-8")
    body = re.sub(r'<div class="highlight.*?</pre></div>', "", body, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", body))


def test_site_builds_without_warnings_and_settings_reach_both_articles(built_site, project, tmp_path):
    # the session's build of the default settings passed -W (a warning fails it)
    for page in ARTICLES:
        assert "http://127.0.0.1:3128" in prose_of(built_site[1] / f"{page}.html")
    out = tmp_path / "html"

    # a new port: render, rebuild; snippets and prose of both articles follow
    # the project is the folder of its settings file: this renders into its docs/
    result = run_cli("render", "--settings", str(project / "proxy.toml"),
                     "--set", "proxy.port=8118")
    assert result.code == 0
    # proxy.toml is the source of truth for sphinx-build: write the new value there too
    toml = project / "proxy.toml"
    toml.write_text(toml.read_text().replace("port = 3128", "port = 8118"))
    second = build(project, out)
    assert second.returncode == 0, second.stderr
    assert "WARNING" not in second.stderr
    for page in ARTICLES:
        prose = prose_of(out / f"{page}.html")
        assert "http://127.0.0.1:8118" in prose and "http://127.0.0.1:3128" not in prose
        code = text_of(out / f"{page}.html")
        assert "192.168.5.2:8118" in code
    apt = text_of(out / "container/colima/colima_proxy_archive.html")
    assert 'Acquire::http::Proxy "http://192.168.5.2:8118/";' in apt


def test_no_broken_refs(built_site):
    """Every :ref: resolves (Sphinx would warn otherwise) and none renders as plain text."""
    out = built_site[1]
    for page in ARTICLES:
        html = (out / f"{page}.html").read_text(encoding="utf-8")
        assert ":ref:" not in html
        assert 'class="xref std std-ref"' in html or "external-ref" in html


SECRET = "Zq9-site-secret-\u5bc6\u7801 #%"
SECRET_USER = "alice-proxy-user"


def test_the_site_never_contains_credentials(project, tmp_path):
    """proxy.user and the password (from the environment) reach a reader's copy, never the
    site: not its sources under docs/, not the built HTML, search index or sources."""
    from urllib.parse import quote
    import os

    site = tmp_path / "site"
    shutil.copytree(project, site)
    toml = site / "proxy.toml"
    toml.write_text(toml.read_text().replace('user = ""', f'user = "{SECRET_USER}"')
                    .replace('password_env = ""', 'password_env = "PROXYDOCS_SITE_SECRET"'))
    env = {**os.environ, "PROXYDOCS_SITE_SECRET": SECRET}
    out = tmp_path / "html"
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-c", str(site), str(site / "docs"), str(out)],
        capture_output=True, text=True, timeout=300, env=env)
    assert built.returncode == 0, built.stderr
    needles = [SECRET_USER, SECRET, quote(SECRET, safe="")]
    for tree in (site / "docs", out):
        for path in tree.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n.encode() in data for n in needles), f"{path} contains a credential"

    # the same settings rendered for a reader carry them: the search above could find them
    reader = subprocess.run(
        [sys.executable, "-m", "generator", "render", "--settings", str(toml), "--out", str(tmp_path / "mine")],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert reader.returncode == 0, reader.stderr
    config = (tmp_path / "mine/container/colima/colima_proxy/config.json").read_text()
    assert f"{SECRET_USER}:{quote(SECRET, safe='')}@" in config

    # and a render that would put them into the site's tree is refused, writing nothing
    before = {p: p.read_bytes() for p in (site / "docs").rglob("*") if p.is_file()}
    refused = subprocess.run(
        [sys.executable, "-m", "generator", "render", "--settings", str(toml), "--out", str(site / "docs")],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert refused.returncode == 2 and "proxy.user: credentials are never rendered" in refused.stderr
    assert {p: p.read_bytes() for p in (site / "docs").rglob("*") if p.is_file()} == before
