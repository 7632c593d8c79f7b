"""A render interrupted at any step is completed by the next one. A real `proxydocs render`
gets SIGKILL (kill -9, a power cut) or SIGINT (Ctrl-C) at its N-th rename, for every N
(SIGKILL and Ctrl-C; a render with credentials at every third N and the last three, which
covers each phase of the journal at a third of the time); then the next render, with the
same settings or with the previous ones, must finish cleanly: exit 0, `--check` clean, no
temporary file left (the temporary files of a render with credentials hold the password).

The signal is sent by the process itself from an audit hook on `os.rename`, in a child forked
from a driver that imported proxydocs and loaded its templates once
(dialects/interrupt_driver.py): a fork per N instead of a Python start under ptrace. strace,
watching the kernel, proves that the hook sees every rename the render makes, by name and in
order.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal as signals
import subprocess
import sys
from pathlib import Path

import pytest

from generator.write import RECORD
from support import ROOT, require, run_cli

SYSCALLS = "rename,renameat,renameat2"
DRIVER = Path(__file__).parent / "dialects" / "interrupt_driver.py"
PREVIOUS = ["--set", "proxy.port=3128"]
NEXT = ["--set", "proxy.port=8118", "--set", "tunnel.alias=Other"]
CREDS = ["--set", "proxy.user=me", "--set", "proxy.password_env=PROXYDOCS_PW"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PROXYDOCS_PW": "pw-0f-the-test"}


def render(out: Path, *args: str, strace: list[str] | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "generator", "render", "--out", str(out), *args]
    return subprocess.run([*(strace or []), *argv], capture_output=True, text=True, timeout=60, cwd=ROOT, env=ENV)


def drive(signal: str | None, args: list[str], runs: list[tuple[int, Path]]) -> dict[int, tuple[str, object]]:
    """{n: (how the child ended, value)} for `proxydocs render ARGS --out DIR`, one child per run."""
    request = {"signal": signal, "argv": ["render", *args], "runs": [[n, str(out)] for n, out in runs]}
    proc = subprocess.run([sys.executable, str(DRIVER)], input=json.dumps(request), capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=ENV)
    assert proc.returncode == 0, proc.stderr
    return {n: (how, value) for n, how, value in json.loads(proc.stdout)}


@pytest.fixture(scope="module")
def strace() -> str:
    return require("strace")["strace"]


@pytest.fixture(scope="module")
def start(strace, tmp_path_factory):
    """start(credentials) -> (a tree rendered with PREVIOUS, how many renames the render to
    NEXT makes from it): strace's list of the system calls, whose names the audit hook must
    see too, in the same order. Made once per module and case."""
    made: dict[bool, tuple[Path, int]] = {}

    def get(credentials: bool) -> tuple[Path, int]:
        if credentials not in made:
            extra = CREDS if credentials else []
            tmp = tmp_path_factory.mktemp("interrupt-base")
            base, out, trace, hooked = tmp / "base", tmp / "count", tmp / "trace", tmp / "count-hooked"
            assert render(base, *PREVIOUS, *extra).returncode == 0
            shutil.copytree(base, out)
            shutil.copytree(base, hooked)
            proc = render(out, *NEXT, *extra, strace=[strace, "-f", "-qq", "-o", str(trace), "-e", f"trace={SYSCALLS}"])
            assert proc.returncode == 0, proc.stderr
            renamed = [m[1] for m in re.finditer(r'rename\w*\(.*, "((?:[^"\\]|\\.)*)"(?:, \w+)?\) = 0$',
                                                 trace.read_text(), re.M)]
            assert len(renamed) == sum("rename" in line for line in trace.read_text().splitlines())
            assert drive(None, [*NEXT, *extra], [(0, hooked)]) == {0: ("renames", renamed)}, \
                "the hook does not see the renames strace sees, in the same order"
            made[credentials] = base, len(renamed)
        return made[credentials]

    return get


PARTS = 3  # each case in three parts (every third N), which make test's workers share
STOPPED = {"KILL": ("signal", signals.SIGKILL), "INT": ("exit", 130)}  # Ctrl-C: the CLI's own exit code


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("signal,credentials,step", [("KILL", False, 1), ("INT", False, 1), ("KILL", True, 3)],
                         ids=["kill", "ctrl-c", "kill-with-credentials"])
def test_a_render_interrupted_at_any_rename_is_completed_by_the_next(start, tmp_path, monkeypatch, signal,
                                                                      credentials, step, part):
    monkeypatch.setenv("PROXYDOCS_PW", ENV["PROXYDOCS_PW"])
    extra = CREDS if credentials else []
    base, total = start(credentials)
    assert total >= 25  # every file changes, plus the two records
    every = sorted({*range(1, total + 1, step), *range(max(1, total - 2), total + 1)})
    runs = [(n, tmp_path / f"n{n}") for n in every[part::PARTS]]
    for _, interrupted in runs:
        shutil.copytree(base, interrupted)
    ended = drive(signal, [*NEXT, *extra], runs)
    for n, interrupted in runs:
        assert ended[n] == STOPPED[signal], f"rename {n} was not interrupted: {ended[n]}"
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
