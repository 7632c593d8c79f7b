"""Shell snippets: bash -n, shellcheck, the values bash really assigns, and the systemd
drop-in that a script writes through a heredoc."""

from __future__ import annotations

import re
import subprocess

from . import urls
from .core import Finding, Target, prepare, register, run
from .heredoc import heredoc_body, heredoc_dropins

_EXPORT = re.compile(r"\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")


@register("shell")
def check_syntax(t: Target) -> list[Finding]:
    proc = run(["bash", "-n", str(t.path)])
    if proc.returncode != 0:
        m = re.search(r"line (\d+)", proc.stderr)
        return [t.finding(int(m.group(1)) if m else 0, f"bash -n: {proc.stderr.strip()}")]
    return []


# (path, bytes) -> (exit code, gcc-format lines, stderr) of the last batch: shellcheck takes
# ~40 ms to start, so one run answers for every shell snippet of a validation
_SHELLCHECK: dict[tuple[str, bytes], tuple[int, str, str]] = {}
_TIMEOUT = 30  # seconds per file


def _shellcheck(paths: list[str], timeout: float = _TIMEOUT):
    # snippets are shown without a shebang (the pages include them as they are): say bash
    return run(["shellcheck", "--shell=bash", "--format=gcc", "--", *paths], timeout=timeout)


@prepare("shell")
def ask_shellcheck_once(targets: list[Target]) -> None:
    """One shellcheck run for every shell snippet; a file whose answer cannot be told apart for
    certain (the run failed or timed out, a path that starts another path's line) asks alone."""
    _SHELLCHECK.clear()
    try:
        before = {str(t.path): t.path.read_bytes() for t in targets}  # the bytes shellcheck is about to read
    except OSError:
        return  # each file asks alone, and reports its own trouble
    paths = list(before)
    if len(paths) < 2 or any(q.startswith(f"{p}:") for p in paths for q in paths):
        return
    try:
        proc = _shellcheck(paths, timeout=_TIMEOUT * len(paths))
    except subprocess.TimeoutExpired:
        return
    if proc.returncode not in (0, 1):
        return
    lines: dict[str, list[str]] = {p: [] for p in paths}
    for line in proc.stdout.splitlines():
        owner = [p for p in paths if line.startswith(f"{p}:")]
        if len(owner) != 1:
            return
        lines[owner[0]].append(line)
    for path in paths:
        out = lines[path]
        _SHELLCHECK[(path, before[path])] = (1 if out else 0, "\n".join(out), proc.stderr)


@register("shell")
def check_shellcheck(t: Target) -> list[Finding]:
    try:
        answer = _SHELLCHECK.get((str(t.path), t.path.read_bytes()))
    except OSError:
        answer = None
    if answer is None:
        proc = _shellcheck([str(t.path)])
        answer = proc.returncode, proc.stdout, proc.stderr
    code, stdout, stderr = answer
    findings = []
    for line in stdout.splitlines():
        m = re.match(r".*?:(\d+):\d+: (.*)", line)
        if m:
            findings.append(t.finding(int(m.group(1)), f"shellcheck: {m.group(2)}"))
    if code not in (0, 1) or (code == 1 and not findings):
        findings.append(t.finding(0, f"shellcheck failed: {stderr.strip()}"))
    return findings


def sourced_environment(t: Target) -> dict[str, str] | None:
    """For a file of assignments only: the variables as bash itself assigns them."""
    lines = [ln for ln in t.text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines or not all(_EXPORT.match(ln) for ln in lines):
        return None
    proc = run(["bash", "--norc", "--noprofile", "-c", 'set -a; . "$1"; env -0', "_", str(t.path)],
               env={"PATH": "/usr/bin:/bin"})
    env = dict(item.split("=", 1) for item in proc.stdout.split("\0") if "=" in item)
    return {k: v for k, v in env.items() if k.lower().endswith("_proxy")}


@register("shell")
def check_assignments(t: Target) -> list[Finding]:
    env = sourced_environment(t)
    if env is None:
        return []
    findings = [t.finding(0, f"{name}: {p}") for name, value in sorted(env.items())
                for p in urls.variable_problems(name, value)]
    for name, value in sorted(env.items()):
        want = t.expect.variable(name)
        if value != want:
            findings.append(t.finding(0, f"{name} is {value!a}; the settings say {want!a}"))
    return findings


@register("shell")
def check_heredoc_dropin(t: Target) -> list[Finding]:
    """A script that writes a systemd drop-in: the heredoc is checked as the drop-in itself."""
    from .systemd import dropin_findings

    text = t.text
    findings = []
    for i, end, m in heredoc_dropins(text):
        if end is None:
            findings.append(t.finding(i + 1, "heredoc is never closed"))
            continue
        if not m.group(0).startswith("cat <<'"):
            findings.append(t.finding(i + 1, "unquoted heredoc: the shell would expand $ and ` in the drop-in"))
        # a line of the drop-in is line i + 1 + n of the script
        findings += [t.finding(i + 1 + f.line if f.line else i + 1, f.message)
                     for f in dropin_findings(t, heredoc_body(text, i, end), m.group(3))]
    return findings
