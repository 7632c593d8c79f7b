"""The client programs the end-to-end tiers run against a proxy, each with a clean
environment (PATH only, plus what the test gives it) and a bounded wait. `wrap` is a command
prefix, such as an nsenter into the test's own network namespace."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from support import STEP_TIMEOUT, require

CLEAN_PATH = {"PATH": "/usr/bin:/bin"}


def curl(url: str, env: dict[str, str], *args: str, wrap: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    tools = require("curl")
    return subprocess.run([*wrap, tools["curl"], "-sS", "--max-time", "5", *args, url], env={**CLEAN_PATH, **env},
                          capture_output=True, text=True, timeout=STEP_TIMEOUT)


def apt_fetch(url: str, config: Path | None, env: dict | None = None,
              wrap: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """apt-helper download-file: apt's own http method, reading `config` (apt.conf syntax) and
    the environment. The result's `fetched` is the downloaded text, or None."""
    tools = require("apt-helper")
    work = Path(tempfile.mkdtemp(prefix="proxydocs-apt-", dir="/tmp"))
    shutil.chown(work, "_apt")
    argv = [tools["apt-helper"], "-o", "Acquire::Retries=0", "-o", "Acquire::http::Timeout=5"]
    if config:
        argv += ["-c", str(config)]
    proc = subprocess.run([*wrap, *argv, "download-file", url, str(work / "out")], capture_output=True, text=True,
                          timeout=STEP_TIMEOUT, env={**CLEAN_PATH, **(env or {})})
    proc.fetched = (work / "out").read_text() if (work / "out").exists() else None
    shutil.rmtree(work, ignore_errors=True)
    return proc
