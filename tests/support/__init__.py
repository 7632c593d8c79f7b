"""Helpers the tests share (not a test module): where things are, the real programs, the CLI
run in-process, snapshots of a tree, and the pages' includes."""

from __future__ import annotations

import io
import os
import posixpath
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import Context, main

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = ROOT / "tests" / "golden" / "reference"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# the files a copy of the site needs to build (conf.py feeds the corrections page from the oracle)
STEP_TIMEOUT = 15  # seconds: every wait on a real program or server is bounded
SITE_FILES = ("conf.py", "proxy.toml", "tests/golden/corrections.py")


def _unavailable(message: str) -> None:
    """A missing program or privilege fails in CI and skips, saying why, elsewhere."""
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def find_program(program: str) -> str | None:
    """The one search for required programs: PATH, then the places Debian keeps helpers."""
    return shutil.which(program) or next(
        (p for p in (f"/usr/sbin/{program}", f"/usr/lib/apt/{program}", f"/lib/systemd/{program}")
         if os.access(p, os.X_OK)), None)


def require(*programs: str) -> dict[str, str]:
    """Paths of real programs; a missing one fails in CI and skips (saying why) elsewhere."""
    found = {}
    for program in programs:
        path = find_program(program)
        if path is None:
            _unavailable(f"{program} is not installed (.ci/run installs it from Debian's packages)")
        found[program] = path
    return found


def require_root() -> None:
    if os.geteuid() != 0:
        _unavailable("needs root (namespaces, sshd); CI runs as root")


def require_module(name: str, hint: str) -> None:
    try:
        __import__(name)
    except ImportError:
        _unavailable(f"the Python package {name} is not installed ({hint})")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Context(out, err))
    return CliResult(code, out.getvalue(), err.getvalue())


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under directory with its bytes and mtime, to prove nothing was touched."""
    return {str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(directory.rglob("*")) if p.is_file()}


def copy_site(root: Path) -> Path:
    """A copy of the project's site sources under root, to build and render into freely."""
    shutil.copytree(DOCS, root / "docs")
    for name in SITE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, root / name)
    return root


def sphinx_build(project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", *extra, "-c", str(project),
         str(project / "docs"), str(out)],
        capture_output=True, text=True, timeout=300,
    )


def context_for(path: str, text: str) -> list[str]:
    """The other --set values a key needs with this value for the cross-key rules to hold
    (a dynamic forward with the socks5h scheme, a password variable with a user ...)."""
    from generator.model import rules
    from generator.model.settings import FIELDS, defaults

    try:
        value = FIELDS[path].type.parse_text(text)
    except ValueError:
        return []
    needed = rules.companions({**defaults().values, path: value}, path)
    return [f"{k}={v}" for k, v in needed.items()]


_DIRECTIVE = re.compile(r"^(\s*)\.\. (literalinclude|include):: (\S+)\s*$")


def includes(page_file: Path, docname: str) -> list[tuple[str, dict[str, str]]]:
    """(docs-relative path, options) of every literalinclude/include on a page."""
    lines = page_file.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        arg = m.group(3)
        rel = arg[1:] if arg.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(docname), arg))
        options = {}
        for follow in lines[i + 1:]:
            o = re.match(r"^\s+:([\w-]+):\s*(.*)$", follow)
            if not o:
                break
            options[o.group(1)] = o.group(2)
        found.append((rel, options))
    return found
