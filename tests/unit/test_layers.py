"""The house keeps its shape: stages import only from their own stage or lower ones, nothing
imports in a circle, only the site knows Sphinx and only the CLI knows click, and no module
(JavaScript included) grows past 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import ROOT

PACKAGE = ROOT / "generator"
# the pipeline, lowest first; a module may import its own stage and the ones before it
STAGES = ["chars", "paths", "errors", "project", "model", "render", "write", "validate", "api", "site", "cli", "fastpath", "__main__"]
MAX_LINES = 300


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> set[str]:
    """Every module this file imports (top level and inside functions), absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            submodules = {f"{target}.{a.name}" for a in node.names} & set(MODULES)
            # `from . import x` imports the module x, not the package's other modules
            found |= submodules if len(submodules) == len(node.names) else {target} | submodules
    return found


GRAPH = {name: {i for i in imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}


def test_the_graph_is_read():
    assert len(MODULES) >= 30 and sum(map(len, GRAPH.values())) >= 40


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_up_the_pipeline(module):
    here = stage(module)
    if here == "__init__":
        return
    for target in GRAPH[module]:
        there = stage(target)
        if there == "__init__":
            continue
        assert STAGES.index(there) <= STAGES.index(here), f"{module} ({here}) imports {target} ({there})"


def test_no_circle():
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in GRAPH[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in MODULES:
        if module not in state:
            visit(module, [module])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_site_knows_sphinx_and_only_the_cli_knows_click(module):
    outside = {i.split(".")[0] for i in imports(MODULES[module])}
    if stage(module) != "site":
        assert not outside & {"sphinx", "docutils"}, module
    if stage(module) not in ("cli", "__main__"):
        assert "click" not in outside, module


@pytest.mark.parametrize("path", sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.js")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
