"""The one-shot setup scripts, run for real: the VM-side script as root in a private mount
namespace (apt, systemd and the docker client's files on tmpfs), the Mac-side script on a
temporary HOME. Only the programs that cannot run here are stubs on PATH: systemctl (no
systemd manager in a namespace), and uname/ssh/curl for the Mac (this is not a Mac; there is
no tunnel server). apt-config, awk, python3 and `ssh -G` are the real ones."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from support import require, require_root
from generator import api
from generator.render import manifest
from generator.model import settings
from generator.validate import Target, validate_file

RENDERED = api.render_text(settings.defaults())
MAC = "container/colima/colima_proxy/setup_mac.sh"
VM = "container/colima/colima_proxy/setup_vm.sh"
NOBODY = 65534


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


# ----------------------------------------------------------------------------- VM side
NAMESPACE = r"""
set -e
mount -t tmpfs tmpfs /etc/apt/apt.conf.d
mount -t tmpfs tmpfs /etc/systemd/system
mount -t tmpfs tmpfs /mnt
[ -n "$LIMA" ] && mkdir /mnt/lima-cidata
mkdir -p /etc/systemd/system/containerd.service.d
printf '[Service]\nLimitNOFILE=1048576\n' > /etc/systemd/system/containerd.service.d/10-limits.conf
for run in 1 2; do
  set +e; bash "$SCRIPT" > "$OUT/run$run.out" 2> "$OUT/run$run.err"; echo $? > "$OUT/run$run.rc"; set -e
  mkdir -p "$OUT/run$run"
  cp -a /etc/apt/apt.conf.d "$OUT/run$run/apt"
  cp -a /etc/systemd/system "$OUT/run$run/systemd"
  cp -a "$HOME/.docker" "$OUT/run$run/docker" 2>/dev/null || true
done
"""


def run_vm_script(tmp_path: Path, lima: bool = True) -> Path:
    require_root()
    require("unshare", "apt-config", "python3")
    out, home, stubs = tmp_path / "out", tmp_path / "home", tmp_path / "stubs"
    for d in (out, home / ".docker", stubs):
        d.mkdir(parents=True)
    (home / ".docker/config.json").write_text(json.dumps({"auths": {"registry.example": {}}, "credsStore": "desktop"}))
    script = tmp_path / "setup_vm.sh"
    script.write_text(RENDERED[VM])
    # systemctl: containerd and buildkit exist, docker does not; every action is logged
    stub(stubs, "systemctl", f"""echo "$*" >> {out}/systemctl.log
case "$1" in
  cat) [ "$2" = containerd.service ] || [ "$2" = buildkit.service ] ;;
  show) f=/etc/systemd/system/$2.d/http-proxy.conf; echo "Environment=$(grep -o '"[^"]*"' "$f" | tr -d '"' | tr '\\n' ' ')" ;;
  *) exit 0 ;;
esac
""")
    env = {"PATH": f"{stubs}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home), "SCRIPT": str(script),
           "OUT": str(out), "LIMA": "1" if lima else ""}
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", NAMESPACE],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return out


def test_vm_script_writes_once_then_changes_nothing(tmp_path):
    out = run_vm_script(tmp_path)
    assert (out / "run1.rc").read_text().strip() == "0", (out / "run1.err").read_text()
    first = (out / "run1.out").read_text()
    dropin = RENDERED["docker/network/docker_proxy/http-proxy.conf"]
    # first run: the expected files, byte for byte
    assert (out / "run1/apt/01proxy").read_text() == RENDERED["container/colima/colima_proxy_archive/apt_proxy"]
    for service in ("containerd", "buildkit"):
        assert (out / f"run1/systemd/{service}.service.d/http-proxy.conf").read_text() == dropin
    assert not (out / "run1/systemd/docker.service.d").exists()  # no docker in this VM: no drop-in
    config = json.loads((out / "run1/docker/config.json").read_text())
    want = json.loads(RENDERED["container/colima/colima_proxy/config.json"])["proxies"]["default"]
    assert config["proxies"]["default"] == want
    # what was there survives untouched
    assert config["auths"] == {"registry.example": {}} and config["credsStore"] == "desktop"
    assert (out / "run1/systemd/containerd.service.d/10-limits.conf").read_text() == "[Service]\nLimitNOFILE=1048576\n"
    assert list((out / "run1/docker").glob("config.json.proxydocs-backup-*")), "config.json was changed without a backup"
    # the real apt-config reads the proxy; systemd was reloaded and only the changed services restarted
    assert 'Acquire::http::Proxy "http://192.168.5.2:3128/";' in first
    log = (out / "systemctl.log").read_text().splitlines()
    assert log.count("daemon-reload") == 1
    assert [line for line in log if line.startswith("restart")] == ["restart containerd.service", "restart buildkit.service"]
    # second run: nothing changes, nothing restarts, no new backups
    second = (out / "run2.out").read_text()
    assert (out / "run2.rc").read_text().strip() == "0"
    assert "nothing to change" in second and "wrote:" not in second
    for sub in ("apt", "systemd", "docker"):
        files1 = {p.relative_to(out / "run1" / sub): p.read_bytes() for p in (out / "run1" / sub).rglob("*") if p.is_file()}
        files2 = {p.relative_to(out / "run2" / sub): p.read_bytes() for p in (out / "run2" / sub).rglob("*") if p.is_file()}
        assert files1 == files2, sub


def test_vm_dropin_written_by_the_script_is_what_systemd_reads(tmp_path):
    require("systemd-analyze", "setpriv")
    out = run_vm_script(tmp_path)
    written = out / "run1/systemd/containerd.service.d/http-proxy.conf"
    snippet = next(s for s in manifest.load() if s.output == "docker/network/docker_proxy/http-proxy.conf")
    assert validate_file(Target(written, snippet, settings.defaults())) == []


def test_vm_script_refuses_the_wrong_machine(tmp_path):
    out = run_vm_script(tmp_path, lima=False)
    assert (out / "run1.rc").read_text().strip() == "2"
    assert "does not look like a Colima (Lima) VM" in (out / "run1.err").read_text()
    assert not (out / "run1/apt/01proxy").exists()


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
