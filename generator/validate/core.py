"""The registry, the data types and the helpers every validator shares."""

from __future__ import annotations

import os
import re
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
    warning: bool = False  # worth knowing, but the file is right (validate still exits 0)
    # warnings about a setting rather than a file: (topic with one `{}`, rank, item).
    # merge_warnings folds those of one topic over every file into one line, the items joined
    # into the `{}` in rank order
    group: tuple[str, int, str] | None = None
    hidden: int = 0  # a count standing for that many findings not shown (validate_file's cap)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: " if self.file else ""
        return f"{where}{'warning: ' if self.warning else ''}{self.message}"


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
        """The file's text as its readers get it: line ends as they are (a carriage return is
        part of a line for bash and pam_env, and a line end of its own for systemd), not
        translated to \\n."""
        return read_text(self.path)

    def finding(self, line: int, message: str) -> Finding:
        return Finding(str(self.path), line, message)

    def warning(self, message: str, group: tuple[str, int, str] | None = None) -> Finding:
        return Finding(str(self.path), 0, message, warning=True, group=group)


Validator = Callable[[Target], list[Finding]]
# kind -> its validators: the one list of snippet kinds (the manifest's `kind` names one of
# these). EVERY_KIND holds the checks that apply to every kind as well, and TEXT the checks of
# the text itself (whitespace, invisible characters), which hold for a counter-example too.
REGISTRY: dict[str, list[Validator]] = {}
EVERY_KIND = "*"
TEXT = "text"


def register(*kinds: str) -> Callable[[Validator], Validator]:
    def deco(fn: Validator) -> Validator:
        for kind in kinds:
            REGISTRY.setdefault(kind, []).append(fn)
        return fn
    return deco


def kinds() -> set[str]:
    return set(REGISTRY) - {EVERY_KIND, TEXT}


def validators_for(kind: str, *, text: bool = True) -> list[Validator]:
    if kind not in REGISTRY:
        return []
    return REGISTRY[kind] + REGISTRY.get(EVERY_KIND, []) + (REGISTRY.get(TEXT, []) if text else [])


def tool(name: str) -> str:
    beside_python = os.path.join(os.path.dirname(sys.executable), name)
    for candidate in (shutil.which(name), beside_python, f"/usr/sbin/{name}", f"/usr/lib/apt/{name}", f"/lib/systemd/{name}"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ToolMissing(f"{name} is not installed (.ci/run installs it from Debian's packages)")


def run(argv: list[str], *, timeout: float = 30, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    argv = [tool(argv[0]), *argv[1:]]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, **kw)


SHOWN = 20  # findings of one kind in one file; a count stands for the rest
_NUMBERS = re.compile(r"(?<![A-Z+])\d+")  # lines and columns, not U+001B or SC2086


def validate_file(target: Target, *, text: bool = True, kind: bool = True) -> list[Finding]:
    """Every check of the file (`kind`: its kind's and every kind's; `text`: the text's own)."""
    validators = (validators_for(target.snippet.kind, text=text) if kind
                  else REGISTRY.get(TEXT, []) if text else [])
    return _capped(target, [f for validator in validators for f in validator(target)])


def _capped(target: Target, findings: list[Finding]) -> list[Finding]:
    """A file made of bad lines: of each kind of finding (its message less line and column
    numbers), the first SHOWN and a count, so that one kind never hides another."""
    shown: dict[str, int] = {}
    first: dict[str, str] = {}
    out = []
    for f in findings:
        kind = "" if f.warning else _NUMBERS.sub("#", f.message)
        shown[kind] = shown.get(kind, 0) + 1
        first.setdefault(kind, f.message)
        if f.warning or shown[kind] <= SHOWN:
            out.append(f)
    for kind, count in shown.items():
        if kind and count > SHOWN:
            out.append(Finding(str(target.path), 0, f"and {count - SHOWN} more like: {first[kind]}",
                               hidden=count - SHOWN))
    return out


def merge_warnings(findings: list[Finding]) -> list[Finding]:
    """One warning per topic: the grouped warnings of a topic over all files become one, with
    the union of their items and, for more than one file, the count of files in place of a
    path. Errors and ungrouped warnings are kept as they are, in order."""
    topics: dict[str, tuple[list[tuple[int, str]], list[str]]] = {}
    out: list[Finding | str] = []
    for f in findings:
        if f.group is None:
            out.append(f)
            continue
        topic, rank, item = f.group
        if topic not in topics:
            topics[topic] = ([], [])
            out.append(topic)
        items, files = topics[topic]
        items += [(rank, item)] if (rank, item) not in items else []
        files += [f.file] if f.file not in files else []
    merged = []
    for f in out:
        if isinstance(f, Finding):
            merged.append(f)
            continue
        items, files = topics[f]
        message = f.format(", ".join(item for _, item in sorted(items)))
        if len(files) == 1:
            merged.append(Finding(files[0], 0, message, warning=True))
        else:
            merged.append(Finding("", 0, f"{message} (in {len(files)} files; validate one to see who reads it)",
                                  warning=True))
    return merged


def read_text(path: Path) -> str:
    """A snippet's text: UTF-8, line ends kept (see Target.text)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


MAX_SNIPPET = 1 << 20  # bytes: the longest snippet is about 20 kB


def _unreadable(tree: Tree, rel: str) -> str:
    """Why the snippet at REL cannot be read as its text ("missing" when nothing is there), or
    "": the writer's rules for a tree (no link below the root, no folder, FIFO or device in a
    file's place), then a size and UTF-8."""
    what = tree.problem(rel)
    if what:
        return what
    path = tree.root / rel
    try:
        if not path.exists():
            return "missing"
        if path.stat().st_size > MAX_SNIPPET:
            return f"is larger than {MAX_SNIPPET >> 20} MiB: no snippet is that large"
        read_text(path)  # every reader reads UTF-8, as the validators do
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.start}: {exc.reason})"
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    return ""


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
    for path in sorted(wanted - {(root / s.output).resolve() for s in snippets}) if wanted else ():
        findings.append(Finding(str(path), 0, f"is not a snippet under {root} (validate checks the files the "
                                              "manifest lists there)"))
    for snippet in snippets:
        path = root / snippet.output
        if wanted is not None and path.resolve() not in wanted:
            continue
        if snippet.kind not in REGISTRY:
            findings.append(Finding(str(path), 0, f"kind {snippet.kind!a} has no validator; known kinds: "
                                    f"{', '.join(sorted(kinds()))}"))
            continue
        problem = _unreadable(tree, snippet.output)
        if problem == "missing":
            if not snippet.generated or (rendered is not None and snippet.output not in rendered):
                continue  # committed captures live in the site's tree only; a copy may hold one page
            problem = "is missing (run `proxydocs render`)"
        if problem:
            findings.append(Finding(str(path), 0, problem))
            continue
        target = Target(path, snippet, settings)
        if snippet.counterexample:  # wrong on purpose, as its kind's readers show; its text must be clean
            if not [f for f in validate_file(target, text=False) if not f.warning]:
                findings.append(Finding(str(path), 0, "is a counter-example but no validator rejects it"))
            findings += validate_file(target, kind=False)
        else:
            findings += validate_file(target)
    return findings
