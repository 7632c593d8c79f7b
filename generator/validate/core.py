"""The registry, the data types and the helpers every validator shares."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from ..errors import ToolMissing
from ..model.settings import Settings
from ..render.manifest import Snippet
from ..write import record
from ..write.tree import Tree
from .expect import Expect


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 0 when the finding is about the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass(frozen=True, eq=False)
class Target:
    path: Path
    snippet: Snippet
    settings: Settings

    @cached_property
    def expect(self) -> Expect:
        return Expect(self.settings, self.snippet.view or "mac")

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def finding(self, line: int, message: str) -> Finding:
        return Finding(str(self.path), line, message)


Validator = Callable[[Target], list[Finding]]
# kind -> its validators: the one list of snippet kinds (the manifest's `kind` names one of
# these). EVERY_KIND holds the checks that apply to every kind as well.
REGISTRY: dict[str, list[Validator]] = {}
EVERY_KIND = "*"


def register(*kinds: str) -> Callable[[Validator], Validator]:
    def deco(fn: Validator) -> Validator:
        for kind in kinds:
            REGISTRY.setdefault(kind, []).append(fn)
        return fn
    return deco


def kinds() -> set[str]:
    return set(REGISTRY) - {EVERY_KIND}


def validators_for(kind: str) -> list[Validator]:
    if kind not in REGISTRY:
        return []
    return REGISTRY[kind] + REGISTRY.get(EVERY_KIND, [])


def tool(name: str) -> str:
    beside_python = os.path.join(os.path.dirname(sys.executable), name)
    for candidate in (shutil.which(name), beside_python, f"/usr/sbin/{name}", f"/usr/lib/apt/{name}", f"/lib/systemd/{name}"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ToolMissing(f"{name} is not installed (.ci/run installs it from Debian's packages)")


def run(argv: list[str], *, timeout: float = 30, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    argv = [tool(argv[0]), *argv[1:]]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def validate_file(target: Target) -> list[Finding]:
    findings: list[Finding] = []
    for validator in validators_for(target.snippet.kind):
        findings += validator(target)
    return findings


def validate_tree(root: Path, settings: Settings, snippets, paths: list[Path] | None = None) -> list[Finding]:
    """Run every validator over the snippets under root (or only those at `paths`).
    Counter-examples are expected to fail: one that passes is itself a finding. A missing
    generated file is a finding; a missing static one is not (`render --out` copies only
    what it generates)."""
    wanted = {p.resolve() for p in paths} if paths else None
    tree = Tree(root)
    # a reader's copy may hold one page's snippets only: its record says which were rendered
    rendered = record.read(tree) if (root / record.RECORD).exists() else None
    findings: list[Finding] = []
    for snippet in snippets:
        path = root / snippet.output
        if wanted is not None and path.resolve() not in wanted:
            continue
        if snippet.kind not in REGISTRY:
            findings.append(Finding(str(path), 0, f"kind {snippet.kind!a} has no validator; known kinds: "
                                    f"{', '.join(sorted(kinds()))}"))
            continue
        if not path.exists():
            if not snippet.generated or (rendered is not None and snippet.output not in rendered):
                continue  # committed captures live in the site's tree only; a copy may hold one page
            findings.append(Finding(str(path), 0, "is missing (run `proxydocs render`)"))
            continue
        found = validate_file(Target(path, snippet, settings))
        if snippet.counterexample:
            if not found:
                findings.append(Finding(str(path), 0, "is a counter-example but no validator rejects it"))
        else:
            findings += found
    return findings
