"""A render interrupted at any step is completed by the next one. strace's fault injection
delivers SIGKILL (kill -9, a power cut) or SIGINT (Ctrl-C) at the N-th rename of a real
`proxydocs render`, for every N (SIGKILL and Ctrl-C; a render with credentials at every third
N and the last three, which covers each phase of the journal at a third of the time); then
the next render, with the same settings or with the previous ones, must finish cleanly:
exit 0, `--check` clean, no temporary file left (the temporary files of a render with
credentials hold the password)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.write import RECORD
from support import ROOT, require, run_cli

SYSCALLS = "rename,renameat,renameat2"
PREVIOUS = ["--set", "proxy.port=3128"]
NEXT = ["--set", "proxy.port=8118", "--set", "tunnel.alias=Other"]
CREDS = ["--set", "proxy.user=me", "--set", "proxy.password_env=PROXYDOCS_PW"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PROXYDOCS_PW": "pw-0f-the-test"}


def render(out: Path, *args: str, strace: list[str] | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "generator", "render", "--out", str(out), *args]
    return subprocess.run([*(strace or []), *argv], capture_output=True, text=True, timeout=60, cwd=ROOT, env=ENV)


@pytest.fixture(scope="module")
def strace() -> str:
    return require("strace")["strace"]


def renames(strace: str, base: Path, tmp: Path, args: list[str]) -> int:
    """How many renames the render from `base` to `args` makes."""
    out, trace = tmp / "count", tmp / "trace"
    shutil.copytree(base, out)
    proc = render(out, *args, strace=[strace, "-f", "-qq", "-o", str(trace), "-e", f"trace={SYSCALLS}"])
    assert proc.returncode == 0, proc.stderr
    return sum(1 for line in trace.read_text().splitlines() if "rename" in line and "= 0" in line)


PARTS = 3  # each case in three parts (every third N), which make test's workers share


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("signal,credentials,step", [("KILL", False, 1), ("INT", False, 1), ("KILL", True, 3)],
                         ids=["kill", "ctrl-c", "kill-with-credentials"])
def test_a_render_interrupted_at_any_rename_is_completed_by_the_next(strace, tmp_path, monkeypatch, signal,
                                                                      credentials, step, part):
    monkeypatch.setenv("PROXYDOCS_PW", ENV["PROXYDOCS_PW"])
    extra = CREDS if credentials else []
    base = tmp_path / "base"
    assert render(base, *PREVIOUS, *extra).returncode == 0
    total = renames(strace, base, tmp_path, [*NEXT, *extra])
    assert total >= 25  # every file changes, plus the two records
    every = sorted({*range(1, total + 1, step), *range(max(1, total - 2), total + 1)})
    for n in every[part::PARTS]:
        interrupted = tmp_path / f"n{n}"
        shutil.copytree(base, interrupted)
        proc = render(interrupted, *NEXT, *extra,
                      strace=[strace, "-f", "-qq", "-o", "/dev/null", "-e", f"inject={SYSCALLS}:signal={signal}:when={n}"])
        assert proc.returncode != 0, f"rename {n} was not interrupted"
        if credentials:  # a temporary file left behind is private (the record's holds only digests)
            for leftover in interrupted.rglob("*.tmp"):
                if not leftover.name.startswith(f".{RECORD}."):
                    assert leftover.stat().st_mode & 0o077 == 0, leftover
        for name, settings in (("same", NEXT), ("previous", PREVIOUS)):
            tree = tmp_path / f"n{n}-{name}"
            shutil.copytree(interrupted, tree)
            done = run_cli("render", "--out", str(tree), *settings, *extra)
            assert done.code == 0, f"rename {n} ({signal}), then {name} settings: {done.err}"
            assert run_cli("render", "--out", str(tree), *settings, *extra, "--check").code == 0
            assert not list(tree.rglob("*.tmp")), f"rename {n}: temporary files left"
            assert (tree / RECORD).read_text().count("[") == 0  # the final record, not the journal
            shutil.rmtree(tree)
        shutil.rmtree(interrupted)
