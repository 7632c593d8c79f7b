"""The Mac-side setup script, run for real on a temporary HOME (the VM side is in
test_setup_vm.py). Only the programs that cannot run here are stubs on PATH: uname/ssh/curl
(this is not a Mac; there is no tunnel server). awk and `ssh -G` are the real ones."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from support import require
from generator import api
from generator.model import settings

RENDERED = api.render_text(settings.defaults())
MAC = "container/colima/colima_proxy/setup_mac.sh"
NOBODY = 65534


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


# ----------------------------------------------------------------------------- Mac side
SSH_CONFIG = """\
# my settings
ServerAliveInterval 60

Host work
  HostName work.example.org
  User me

Host *
  ForwardAgent no
"""
COLIMA_YAML = """\
# Number of CPUs to be allocated to the virtual machine.
cpu: 4

# Environment variables for the virtual machine.
env: {}

# my own comment at the end
mounts: []
"""


def run_mac_script(home: Path, stubs: Path, *, darwin: bool = True) -> subprocess.CompletedProcess:
    script = home.parent / "setup_mac.sh"
    script.write_text(RENDERED[MAC])
    real_ssh = shutil.which("ssh")
    stub(stubs, "uname", 'echo Darwin\n' if darwin else 'exec /usr/bin/uname "$@"\n')
    # ssh: -G is the real ssh reading this HOME's config; the tunnel itself is a state file
    stub(stubs, "ssh", f"""echo "$*" >> "$HOME/ssh.log"
case "$1" in
  -G) exec {real_ssh} -F "$HOME/.ssh/config" "$@" ;;
  -O) [ -e "$HOME/tunnel.up" ] ;;
  -fN) touch "$HOME/tunnel.up" ;;
esac
""")
    stub(stubs, "curl", 'printf 401\n')
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(home)}
    argv = ["bash", str(script)]
    if os.geteuid() == 0:  # the script refuses root (it edits a user's files): run it as nobody
        argv = [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def mac_home():
    require("ssh", "awk")
    # pytest's own tmp directories are private to root; nobody must reach this one
    tmp_path = Path(tempfile.mkdtemp(prefix="proxydocs-mac-"))
    tmp_path.chmod(0o755)
    home, stubs = tmp_path / "home", tmp_path / "stubs"
    (home / ".ssh").mkdir(parents=True)
    (home / ".colima/default").mkdir(parents=True)
    stubs.mkdir()
    (home / ".ssh/config").write_text(SSH_CONFIG)
    (home / ".colima/default/colima.yaml").write_text(COLIMA_YAML)
    if os.geteuid() == 0:
        for p in [home, stubs, *home.rglob("*")]:
            os.chown(p, NOBODY, NOBODY)
    yield home, stubs
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_mac_script_adds_the_block_once_and_keeps_everything_else(mac_home):
    home, stubs = mac_home
    first = run_mac_script(home, stubs)
    assert first.returncode == 0, first.stderr + first.stdout
    config = (home / ".ssh/config").read_text()
    # the existing hosts and global options are kept, the block is added once, before "Host work"
    assert config.count("Host MyProxy") == 1 and config.count("# >>> proxydocs MyProxy >>>") == 1
    assert SSH_CONFIG.split("\n\n", 1)[1] in config
    assert config.index("ServerAliveInterval 60") < config.index("Host MyProxy") < config.index("Host work")
    # the real ssh reads it: the tunnel block and the user's other host
    g = subprocess.run(["ssh", "-G", "-F", str(home / ".ssh/config"), "MyProxy"], capture_output=True, text=True)
    assert re.search(r"^localforward \[?127\.0\.0\.1\]?:3128 \[127\.0\.0\.1\]:3128$", g.stdout, re.M), g.stdout
    assert "exitonforwardfailure yes" in g.stdout
    g = subprocess.run(["ssh", "-G", "-F", str(home / ".ssh/config"), "work"], capture_output=True, text=True)
    assert "hostname work.example.org" in g.stdout and "serveraliveinterval 60" in g.stdout
    # colima.yaml keeps its keys and comments and gains exactly the env values
    text = (home / ".colima/default/colima.yaml").read_text()
    for line in COLIMA_YAML.splitlines():
        if not line.startswith("env:"):
            assert line in text.splitlines()
    data = yaml.safe_load(text)
    want = yaml.safe_load(RENDERED["container/colima/colima_proxy/colima.yaml"])["env"]
    assert data["env"] == want and data["cpu"] == 4 and data["mounts"] == []
    assert "tunnel MyProxy: started" in first.stdout and "Docker Hub answers" in first.stdout
    backups = sorted(p.name for p in home.rglob("*.proxydocs-backup-*"))
    assert len(backups) == 2
    # a second run changes nothing
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "ssh.log"}
    second = run_mac_script(home, stubs)
    assert second.returncode == 0, second.stderr
    assert "nothing to change" in second.stdout and "already running" in second.stdout
    after = {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and p.name != "ssh.log"}
    assert after == before


def test_mac_script_refuses_the_wrong_machine(mac_home):
    home, stubs = mac_home
    result = run_mac_script(home, stubs, darwin=False)
    assert result.returncode == 2 and "this is the Mac-side script, but this machine is Linux" in result.stderr
    assert (home / ".ssh/config").read_text() == SSH_CONFIG


def test_mac_script_will_not_take_over_a_host_it_did_not_write(mac_home):
    home, stubs = mac_home
    (home / ".ssh/config").write_text(SSH_CONFIG + "\nHost MyProxy\n  HostName mine.example.org\n")
    before = (home / ".ssh/config").read_text()
    result = run_mac_script(home, stubs)
    assert result.returncode == 2 and "already has a 'Host MyProxy'" in result.stderr
    assert (home / ".ssh/config").read_text() == before
