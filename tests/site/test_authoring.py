"""The author's two Makefile targets beside `make html`: `make livehtml` rebuilds the served
site when proxy.toml changes (the snippets are rendered again), and `make linkcheck` says it
skipped when there is no network. Both run the Makefile's own command lines."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support import ROOT, copy_site, require, require_module, require_root

GUIDE = "container/colima/colima_proxy"


def recipe(target: str) -> str:
    """The Makefile's command lines for `target`, continuation lines joined."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, re.M).group(1)
    return "\n".join(line.strip() for line in lines.splitlines())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return reply.read().decode("utf-8")


def test_livehtml_renders_and_rebuilds_when_the_settings_change(tmp_path):
    require_module("sphinx_autobuild", "pip install -e '.[test]'")
    autobuild = Path(sys.executable).with_name("sphinx-autobuild")
    line = next(l for l in recipe("livehtml").splitlines() if "/bin/sphinx-autobuild " in l)
    args = shlex.split(line.split("/bin/sphinx-autobuild ", 1)[1])
    root = copy_site(tmp_path / "site")
    # the copy has the pages and proxy.toml; the templates and the code it watches are the project's
    args = [str(ROOT / a) if prev == "--watch" and not (root / a).exists() else a
            for prev, a in zip(["", *args], args)]
    port = free_port()
    log = tmp_path / "autobuild.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([str(autobuild), *args, "--host", "127.0.0.1", "--port", str(port)], cwd=root,
                                stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/{GUIDE}.html"

    def wait_for(needle: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                if needle in get(url):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared on {url}\n{log.read_text(errors='replace')[-3000:]}")

    try:
        wait_for("127.0.0.1:3128")
        assert "8123" not in get(url)
        settings = root / "proxy.toml"
        settings.write_text(re.sub(r"(?m)^port = 3128$", "port = 8123", settings.read_text(encoding="utf-8")),
                            encoding="utf-8")
        wait_for("127.0.0.1:8123")
        assert '"httpProxy": "http://192.168.5.2:8123"' in (root / "docs" / GUIDE / "docker_config_mac.json").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_linkcheck_without_a_network_says_it_skipped(tmp_path):
    """In a network namespace with only loopback (no traffic leaves the machine)."""
    require_root()
    require("unshare")
    line = next(l for l in recipe("linkcheck").splitlines() if l.startswith("@if"))
    script = line[1:].replace("$(PY)", shlex.quote(sys.executable)).replace("$(VENV)", shlex.quote(str(ROOT / ".venv")))
    proc = subprocess.run(["unshare", "--net", "--", "sh", "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "linkcheck: no network here, skipped"
    assert not (tmp_path / "_build").exists()
