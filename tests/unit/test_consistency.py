"""The two articles agree with each other, with the manifest and with the settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import api
from generator.model import settings
from generator.model.derive import derive
from generator.render import manifest
from support import DOCS, includes

SNIPPETS = manifest.load()
D = derive(settings.defaults())
ARTICLES = {
    "container/colima/colima_proxy": DOCS / "container/colima/colima_proxy.rst",
    "container/colima/colima_proxy_archive": DOCS / "container/colima/colima_proxy_archive.rst",
}


def all_pages() -> dict[str, Path]:
    pages = {}
    for p in DOCS.rglob("*"):
        if p.suffix in (".rst", ".md") and "_build" not in p.parts:
            pages[str(p.relative_to(DOCS).with_suffix(""))] = p
    return pages


def test_every_include_exists_and_is_in_the_manifest():
    known = {s.output for s in SNIPPETS}
    for docname, page in all_pages().items():
        for rel, _ in includes(page, docname):
            assert (DOCS / rel).is_file(), f"{docname} includes {rel}, which does not exist"
            assert rel in known, f"{docname} includes {rel}, which the manifest does not list"


def test_manifest_pages_match_the_includes():
    actual: dict[str, set[str]] = {}
    for docname, page in all_pages().items():
        for rel, _ in includes(page, docname):
            actual.setdefault(rel, set()).add(docname)
    for s in SNIPPETS:
        assert actual.get(s.output, set()) == set(s.pages), f"{s.output}: manifest says {s.pages}"


def _views(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+://[^\s\"'/;]+:[0-9]+", text))


def test_the_same_fact_is_the_same_everywhere():
    """Within each view (Mac, VM, containers) every snippet names the same proxy URL and the
    same NO_PROXY list, across both articles."""
    rendered = api.render_text(settings.defaults())
    by_view: dict[str, set[str]] = {}
    no_proxy: set[str] = set()
    for s in SNIPPETS:
        if not s.generated or s.counterexample or s.view is None:
            continue
        text = rendered[s.output]
        by_view.setdefault(s.view, set()).update(_views(text))
        no_proxy.update(m.group(1) for m in re.finditer(r"(?i)no[_-]?proxy[\"']?[=:]\s*\"?'?([^\s\"']+)", text))
    assert by_view == {"mac": {D.mac_url}, "vm": {D.vm_url}, "container": {D.container_url}}
    assert no_proxy == {D.no_proxy}


def test_tunnel_alias_is_the_same_everywhere():
    rendered = api.render_text(settings.defaults())
    for path in ("container/colima/colima_proxy_archive/ssh", "container/colima/colima_proxy/ssh_tunnel"):
        assert re.findall(r"ssh (?:-\S+ )*(\w+)$", rendered[path], re.M) and all(
            a == "MyProxy" for a in re.findall(r"ssh (?:-\S+ )*(\w+)$", rendered[path], re.M))
    for path in ("container/colima/colima_proxy_archive/ssh_config", "container/colima/colima_proxy/ssh_config"):
        assert "Host MyProxy\n" in rendered[path]


# What each emphasised line must carry: a value the prose is pointing at.
VALUE = re.compile(r"(_proxy|_PROXY|LocalForward|ExitOnForwardFailure|Environment=|error:|W: |dockerd|containerd)")


@pytest.mark.parametrize("docname", sorted(ARTICLES))
def test_emphasised_lines_carry_the_values(docname):
    checked = 0
    for rel, options in includes(ARTICLES[docname], docname):
        spec = options.get("emphasize-lines")
        if not spec:
            continue
        lines = (DOCS / rel).read_text(encoding="utf-8").splitlines()
        for part in spec.split(","):
            lo, _, hi = part.partition("-")
            for n in range(int(lo), int(hi or lo) + 1):
                assert n <= len(lines), f"{rel}: emphasised line {n} is past the end"
                assert VALUE.search(lines[n - 1]), f"{rel}:{n} is emphasised but carries no value: {lines[n - 1]!r}"
                checked += 1
    assert checked


def prose_lines(page: Path):
    """Lines of prose: not directives, their options or content, not literal blocks."""
    in_block, indent = False, 0
    for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if in_block:
            if stripped and len(line) - len(line.lstrip()) <= indent:
                in_block = False
            else:
                continue
        if stripped.startswith(".. ") and ("::" in stripped) and not stripped.startswith((".. note::", ".. warning::", ".. admonition::", ".. list-table::")):
            in_block, indent = True, len(line) - len(line.lstrip())
            continue
        if stripped.endswith("::") and not stripped.startswith(".. "):
            in_block, indent = True, len(line) - len(line.lstrip())
        if stripped.startswith(":") or stripped.startswith(".. |"):
            continue
        yield n, line


LITERALS = [D.mac_url, D.vm_url, D.container_url, D.no_proxy, "192.168.5.2", ":3128", "3128 "]


@pytest.mark.parametrize("docname", sorted(ARTICLES) + ["index"])
def test_settings_values_in_prose_go_through_substitutions(docname):
    page = ARTICLES.get(docname, DOCS / f"{docname}.rst")
    offenders = [(n, line) for n, line in prose_lines(page) for lit in LITERALS if lit in line
                 and "192.158.5.2" not in line]
    assert not offenders, f"{page.name}: write these through a |substitution|: {offenders}"


def test_consistency_checks_fail_on_a_broken_copy(tmp_path, monkeypatch):
    """The checks above can fail: a page with a literal port and a wrong include is caught."""
    broken = tmp_path / "colima_proxy.rst"
    text = ARTICLES["container/colima/colima_proxy"].read_text(encoding="utf-8")
    broken.write_text(text.replace("|vm_url|", "http://192.168.5.2:3128", 1)
                      .replace("colima_proxy/config.json", "colima_proxy/config.jsn", 1), encoding="utf-8")
    assert any("http://192.168.5.2:3128" in line for _, line in prose_lines(broken))
    rels = [rel for rel, _ in includes(broken, "container/colima/colima_proxy")]
    assert "container/colima/colima_proxy/config.jsn" in rels and not (DOCS / rels[rels.index("container/colima/colima_proxy/config.jsn")]).exists()
