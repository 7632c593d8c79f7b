"""setup_vm.sh, run for real as root in a private mount namespace: apt's and systemd's folders,
/mnt and /var/backups on tmpfs, and /etc/passwd and /etc/group bound to copies that add the
invoking user (an unprivileged uid whose home is a temporary folder). Only systemctl (no
systemd manager in a namespace) and, where a test says so, nerdctl are stubs on PATH;
apt-config, setpriv, python3 and the shell tools are the real ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support import ROOT, require, require_root
from generator import api
from generator.model import settings
from generator.render import manifest
from generator.validate import Target, validate_file

RENDERED = api.render_text(settings.defaults())
GUIDE = "container/colima/colima_proxy/"
SCRIPT = GUIDE + "setup_vm.sh"
DROPIN = RENDERED["docker/network/docker_proxy/http-proxy.conf"]
APT = RENDERED["container/colima/colima_proxy_archive/apt_proxy"]
DEFAULT_ENTRY = json.loads(RENDERED[GUIDE + "config.json"])["proxies"]["default"]
UID = 4242  # the invoking user (SUDO_USER): no such user exists outside the namespace
USER = "proxyuser"
NOBODY = 65534
# the two services Colima's containerd image runs, the docker runtime's, and docker.io by hand
CONTAINERD = ("containerd", "buildkit")
COLIMA_DOCKER = ("containerd", "docker")
HAND_INSTALLED = ("containerd", "buildkit", "docker")

NAMESPACE = r"""
set -e
mount -t tmpfs tmpfs /etc/apt/apt.conf.d
mount -t tmpfs tmpfs /etc/systemd/system
mount -t tmpfs tmpfs /mnt
mount -t tmpfs tmpfs /var/backups
mount --bind "$OUT/passwd" /etc/passwd
mount --bind "$OUT/group" /etc/group
if [ -n "$LIMA" ]; then mkdir /mnt/lima-cidata; fi
mkdir -p /etc/systemd/system/containerd.service.d
printf '[Service]\nLimitNOFILE=1048576\n' > /etc/systemd/system/containerd.service.d/10-limits.conf
eval "$SETUP"
for run in 1 2; do
  set +e; $RUNNER bash "$SCRIPT" > "$OUT/run$run.out" 2> "$OUT/run$run.err"; echo $? > "$OUT/run$run.rc"; set -e
  mkdir -p "$OUT/run$run"
  cp -a /etc/apt/apt.conf.d "$OUT/run$run/apt"
  cp -a /etc/systemd/system "$OUT/run$run/systemd"
  cp -a /var/backups "$OUT/run$run/backups"
  cp -a "$USER_HOME/.docker" "$OUT/run$run/docker" 2>/dev/null || true
  eval "$BETWEEN"
done
"""


@dataclass
class Run:
    out: Path
    home: Path

    def rc(self, n: int) -> int:
        return int((self.out / f"run{n}.rc").read_text())

    def stdout(self, n: int) -> str:
        return (self.out / f"run{n}.out").read_text()

    def stderr(self, n: int) -> str:
        return (self.out / f"run{n}.err").read_text()

    def files(self, n: int, sub: str) -> dict[str, bytes]:
        base = self.out / f"run{n}" / sub
        return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}

    @property
    def systemctl(self) -> list[str]:
        log = self.out / "systemctl.log"
        return log.read_text().splitlines() if log.exists() else []

    def restarts(self) -> list[str]:
        return [line.split()[1] for line in self.systemctl if line.startswith("restart ")]


@dataclass
class VM:
    units: tuple[str, ...] = CONTAINERD
    nerdctl: bool = True
    lima: bool = True
    config_json: str | None = '{"auths": {"registry.example": {}}, "credsStore": "pass"}'
    setup: str = ""  # bash run as root in the namespace before the first run
    between: str = ""  # bash run between the two runs
    user_setup: list[list[str]] = field(default_factory=list)  # commands run as the user first
    script: str = RENDERED[SCRIPT]
    runner: str = ""

    def run(self, root: Path) -> Run:
        require_root()
        require("unshare", "apt-config", "python3", "setpriv")
        out, home, stubs = root / "out", root / "home", root / "stubs"
        for d in (out, home, stubs):
            d.mkdir(parents=True)
        (out / "passwd").write_text(Path("/etc/passwd").read_text() + f"{USER}:x:{UID}:{UID}::{home}:/bin/bash\n")
        (out / "group").write_text(Path("/etc/group").read_text() + f"{USER}:x:{UID}:\n")
        if self.config_json is not None:
            (home / ".docker").mkdir(mode=0o700)
            (home / ".docker/config.json").write_text(self.config_json)
            (home / ".docker/config.json").chmod(0o600)
        for p in [home, *home.rglob("*")]:
            os.lchown(p, UID, UID)
        for argv in self.user_setup:
            subprocess.run(["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", *argv], check=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
        script = root / "setup_vm.sh"
        script.write_text(self.script)
        # systemctl: the listed units exist; restart fails while $OUT/fail-SERVICE exists; a
        # service's start time is kept in $OUT/started-SERVICE (all started before the run)
        stub(stubs, "systemctl", f"""echo "$*" >> {out}/systemctl.log
case "$1" in
  cat) for u in {" ".join(self.units)}; do [ "$2" = "$u.service" ] && exit 0; done; exit 1 ;;
  is-active) [ -e "{out}/started-${{3%.service}}" ] ;;
  show)
    if [[ " $* " == *" ActiveEnterTimestamp "* ]]; then echo "@$(cat "{out}/started-${{2%.service}}" 2>/dev/null)"; exit 0; fi
    f=/etc/systemd/system/$2.d/http-proxy.conf
    if [ -f "$f" ]; then echo "Environment=$(grep -o '"[^"]*"' "$f" | tr -d '"' | tr '\\n' ' ')"; else echo "Environment="; fi ;;
  restart) s=${{2%.service}}; [ ! -e "{out}/fail-$s" ] || exit 1; date +%s > "{out}/started-$s" ;;
  *) exit 0 ;;
esac
""")
        if self.nerdctl:
            stub(stubs, "nerdctl", "exit 0\n")
        started = " ".join(f"{out}/started-{u}" for u in self.units)
        env = {"PATH": f"{stubs}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "SUDO_USER": USER,
               "USER_HOME": str(home), "SCRIPT": str(script), "OUT": str(out), "LIMA": "1" if self.lima else "",
               "SETUP": f"for f in {started}; do echo $(( $(date +%s) - 100 )) > $f; done\n{self.setup}",
               "BETWEEN": self.between, "RUNNER": self.runner}
        proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", NAMESPACE],
                              env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return Run(out, home)


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


@pytest.fixture
def root():
    # the user's home must be reachable by uid 4242: not under pytest's root-only tmp
    path = Path(tempfile.mkdtemp(prefix="proxydocs-vm-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def assert_second_run_changes_nothing(run: Run) -> None:
    assert run.rc(2) == 0, run.stderr(2)
    assert "nothing to change" in run.stdout(2) and "wrote:" not in run.stdout(2)
    for sub in ("apt", "systemd", "docker", "backups"):
        assert run.files(1, sub) == run.files(2, sub), sub


# -------------------------------------------------------------------------------- runtimes
def test_containerd_runtime_gets_apt_and_two_dropins_and_no_config_json(root):
    run = VM(units=CONTAINERD).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert run.files(1, "apt") == {"01proxy": APT.encode()}
    for service in CONTAINERD:
        assert (run.out / f"run1/systemd/{service}.service.d/http-proxy.conf").read_text() == DROPIN
    assert (run.out / "run1/systemd/containerd.service.d/10-limits.conf").read_text() == "[Service]\nLimitNOFILE=1048576\n"
    assert not (run.out / "run1/systemd/docker.service.d").exists()
    assert run.restarts() == ["containerd.service", "buildkit.service"]
    assert [line for line in run.systemctl if line == "daemon-reload"] == ["daemon-reload"]
    assert run.files(1, "docker") == {"config.json": VM().config_json.encode()}
    out = run.stdout(1)
    assert "nerdctl does not read its proxies; give containers the proxy with -e" in out
    # the real apt-config reads the proxy
    assert 'Acquire::http::Proxy "http://192.168.5.2:3128/";' in out
    assert_second_run_changes_nothing(run)
    assert run.restarts() == ["containerd.service", "buildkit.service"], "the second run restarted a service"


def test_colima_docker_runtime_leaves_dockerd_alone(root):
    run = VM(units=COLIMA_DOCKER, nerdctl=False).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert not (run.out / "run1/systemd/docker.service.d").exists()
    assert "docker.service" not in " ".join(run.restarts())
    out = run.stdout(1)
    assert "docker: left alone: Colima's docker runtime puts the proxy into /etc/docker/daemon.json" in out
    assert "restarting dockerd would stop its running containers" in out
    assert "docker client: it runs on the Mac, whose ~/.docker/config.json setup_mac.sh handles" in out
    assert run.files(1, "docker") == {"config.json": VM().config_json.encode()}
    assert_second_run_changes_nothing(run)


def test_docker_installed_by_hand_gets_a_dropin_a_restart_and_config_json(root):
    run = VM(units=HAND_INSTALLED, nerdctl=True).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert (run.out / "run1/systemd/docker.service.d/http-proxy.conf").read_text() == DROPIN
    assert run.restarts() == ["containerd.service", "buildkit.service", "docker.service"]
    out = run.stdout(1)
    assert out.index("restarting docker stops its running containers") < out.index("restarted: docker")
    config = json.loads((run.out / "run1/docker/config.json").read_text())
    assert config["proxies"]["default"] == DEFAULT_ENTRY
    assert config["auths"] == {"registry.example": {}} and config["credsStore"] == "pass"
    # written as the user: the user's file, the user's mode, no file of root's in the home
    written = run.out / "run1/docker/config.json"
    assert written.stat().st_uid == UID and written.stat().st_mode & 0o777 == 0o600
    assert all(p.stat().st_uid == UID for p in run.out.joinpath("run1/docker").rglob("*"))
    assert_second_run_changes_nothing(run)


def test_a_missing_config_json_is_created_by_the_user(root):
    run = VM(units=HAND_INSTALLED, config_json=None).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert json.loads((run.home / ".docker/config.json").read_text()) == {"proxies": {"default": DEFAULT_ENTRY}}
    assert (run.home / ".docker").stat().st_uid == UID and (run.home / ".docker").stat().st_mode & 0o777 == 0o700
    assert_second_run_changes_nothing(run)


def test_the_dropin_written_is_what_systemd_reads(root):
    require("systemd-analyze")
    run = VM(units=HAND_INSTALLED).run(root)
    snippet = next(s for s in manifest.load() if s.output == "docker/network/docker_proxy/http-proxy.conf")
    for service in HAND_INSTALLED:
        written = run.out / f"run1/systemd/{service}.service.d/http-proxy.conf"
        assert validate_file(Target(written, snippet, settings.defaults())) == []


# ----------------------------------------------------------------------------------- backups
def test_backups_go_to_var_backups_and_apt_conf_d_keeps_only_valid_names(root):
    setup = r"""
printf 'Acquire::http::Proxy "http://old.example:8080/";\n' > /etc/apt/apt.conf.d/01proxy
printf 'Acquire::http::Proxy "http://older.example:8080/";\n' > /etc/apt/apt.conf.d/01proxy.proxydocs-backup-20240101000000
mkdir -p /etc/systemd/system/buildkit.service.d
printf '[Service]\nEnvironment="HTTP_PROXY=http://old.example:8080"\n' > /etc/systemd/system/buildkit.service.d/http-proxy.conf
"""
    run = VM(units=HAND_INSTALLED, setup=setup).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert run.files(1, "apt") == {"01proxy": APT.encode()}, "apt.conf.d holds more than the proxy file"
    backups = run.files(1, "backups")
    stamps = {name.split("/")[1] for name in backups}
    assert len(stamps) == 1 and all(name.startswith("proxydocs/") for name in backups)
    stamp = stamps.pop()
    base = f"proxydocs/{stamp}"
    assert backups[f"{base}/etc/apt/apt.conf.d/01proxy"] == b'Acquire::http::Proxy "http://old.example:8080/";\n'
    assert backups[f"{base}/etc/apt/apt.conf.d/01proxy.proxydocs-backup-20240101000000"].startswith(b"Acquire")
    assert backups[f"{base}/etc/systemd/system/buildkit.service.d/http-proxy.conf"].startswith(b"[Service]")
    assert json.loads(backups[f"{base}{run.home}/.docker/config.json"]) == json.loads(VM().config_json)
    top = run.out / "run1/backups/proxydocs"
    for p in [top, *top.rglob("*")]:
        assert p.stat().st_uid == 0, p
    assert top.stat().st_mode & 0o777 == 0o700
    assert (top / stamp / run.home.relative_to("/") / ".docker/config.json").stat().st_mode & 0o077 == 0
    assert not list(run.out.joinpath("run1/docker").glob("*backup*"))
    assert "Ignoring file" not in run.stdout(1) + run.stderr(1)
    assert_second_run_changes_nothing(run)


# ---------------------------------------------------------------------------------- restarts
def test_a_failed_restart_exits_non_zero_and_is_retried_on_the_next_run(root):
    run = VM(units=CONTAINERD, setup='touch "$OUT/fail-buildkit"', between='rm -f "$OUT/fail-buildkit"').run(root)
    assert run.rc(1) == 1
    assert "restart failed: buildkit" in run.stdout(1) and "restarted: containerd" in run.stdout(1)
    assert run.stderr(1).startswith("setup_vm: these did not restart: buildkit;")
    # the drop-in is in place; buildkit still runs without it: the next run restarts it
    assert run.rc(2) == 0, run.stderr(2)
    assert "buildkit: started before its drop-in was written" in run.stdout(2)
    assert run.restarts() == ["containerd.service", "buildkit.service", "buildkit.service"]
    assert run.files(1, "systemd") == run.files(2, "systemd")


def test_every_failed_restart_is_reported(root):
    run = VM(units=HAND_INSTALLED, setup='touch "$OUT/fail-containerd" "$OUT/fail-docker"').run(root)
    assert run.rc(1) == 1
    assert run.restarts()[:3] == ["containerd.service", "buildkit.service", "docker.service"]
    assert "these did not restart: containerd docker;" in run.stderr(1)


# ------------------------------------------------------------------------------ config.json
@pytest.mark.parametrize("content,why", [
    ('{"auths": {},}', "it is not valid JSON"),
    ("[]", "it is not a JSON object"),
    ('{"proxies": "http://x"}', 'its "proxies" is not a JSON object'),
])
def test_a_malformed_config_json_is_refused_before_any_change(root, content, why):
    run = VM(units=HAND_INSTALLED, config_json=content).run(root)
    assert run.rc(1) == 2
    err = run.stderr(1)
    assert err.count("\n") == 1 and why in err and "nothing was changed" in err and "Traceback" not in err
    assert run.files(1, "apt") == {} and run.files(1, "backups") == {}
    assert set(run.files(1, "systemd")) == {"containerd.service.d/10-limits.conf"}
    assert not [line for line in run.systemctl if line.split()[0] in ("restart", "daemon-reload")]
    assert run.files(1, "docker") == {"config.json": content.encode()}


def test_counting_sees_a_change_made_to_config_json_alone(root):
    """apt and the drop-ins already right, config.json not: the run must not say "nothing to
    change" (a change counted in a pipeline's subshell is lost)."""
    setup = f"""
printf '%s' {sh(APT)} > /etc/apt/apt.conf.d/01proxy
for s in {" ".join(HAND_INSTALLED)}; do mkdir -p /etc/systemd/system/$s.service.d; printf '%s' {sh(DROPIN)} > /etc/systemd/system/$s.service.d/http-proxy.conf; done
touch -d '-1 hour' /etc/systemd/system/*.service.d/http-proxy.conf
"""
    run = VM(units=HAND_INSTALLED, setup=setup).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert "wrote: " in run.stdout(1) and "config.json" in run.stdout(1)
    assert "nothing to change" not in run.stdout(1)
    assert run.restarts() == []
    assert_second_run_changes_nothing(run)


def sh(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


@pytest.mark.parametrize("plant", ["tmp name", "config.json", ".docker", "backup name"])
def test_a_symlink_planted_in_the_users_docker_folder_never_makes_root_write_through_it(root, plant):
    """The user (uid 4242) plants a link to a root-owned file; the script must never write it."""
    victim_dir = root / "rootonly"
    victim_dir.mkdir()
    victim = victim_dir / "config.json"
    victim.write_text('{"victim": true}\n')
    victim.chmod(0o644)
    links = {
        "tmp name": [["ln", "-s", str(victim), ".docker/config.json.proxydocs-tmp"]],
        "config.json": [["rm", ".docker/config.json"], ["ln", "-s", str(victim), ".docker/config.json"]],
        ".docker": [["rm", "-r", ".docker"], ["ln", "-s", str(victim_dir), ".docker"]],
        "backup name": [["sh", "-c", f'for s in $(seq 0 200); do ln -s {victim} ".docker/config.json.proxydocs-backup-'
                         f'$(date -d "+$s seconds" +%Y%m%d%H%M%S)"; done']],
    }[plant]
    cmds = [["sh", "-c", f'cd "$HOME" && {" ".join(map(sh, argv))}'] for argv in links]
    run = VM(units=HAND_INSTALLED, user_setup=cmds).run(root)
    assert victim.read_text() == '{"victim": true}\n' and victim.stat().st_uid == 0
    assert victim_dir.stat().st_uid == 0 and sorted(p.name for p in victim_dir.iterdir()) == ["config.json"]
    if plant in ("config.json", ".docker"):
        # the file the link points to is one the user cannot write: refused before any change
        assert run.rc(1) == 2 and f"is not writable by {USER}; nothing was changed" in run.stderr(1)
        assert run.files(1, "apt") == {}
    else:
        assert run.rc(1) == 0, run.stderr(1)
        assert json.loads((run.home / ".docker/config.json").read_text())["proxies"]["default"] == DEFAULT_ENTRY
        assert all(p.lstat().st_uid == UID for p in (run.home / ".docker").iterdir())


def test_a_symlinked_config_json_the_user_owns_stays_a_link(root):
    cmds = [["sh", "-c", 'cd "$HOME" && mkdir dotfiles && mv .docker/config.json dotfiles/docker.json && '
             'ln -s ../dotfiles/docker.json .docker/config.json']]
    run = VM(units=HAND_INSTALLED, user_setup=cmds).run(root)
    assert run.rc(1) == 0, run.stderr(1)
    assert os.readlink(run.home / ".docker/config.json") == "../dotfiles/docker.json"
    assert json.loads((run.home / "dotfiles/docker.json").read_text())["proxies"]["default"] == DEFAULT_ENTRY
    assert_second_run_changes_nothing(run)


# --------------------------------------------------------------------------- refusals, password
def test_the_wrong_machine_is_refused(root):
    run = VM(lima=False).run(root)
    assert run.rc(1) == 2 and "does not look like a Colima (Lima) VM" in run.stderr(1)
    assert run.files(1, "apt") == {}


def test_a_user_is_refused(root):
    require("setpriv")
    script = root / "setup_vm.sh"
    script.write_text(RENDERED[SCRIPT])
    proc = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "bash", str(script)],
                          env={"PATH": "/usr/bin:/bin", "PROXYDOCS_NOT_LIMA_OK": "1"}, capture_output=True, text=True)
    assert proc.returncode == 2 and "run it as root" in proc.stderr


SECRET = "s3cr#t p%ss"
ENCODED = "s3cr%23t%20p%25ss"


def test_the_password_is_never_on_a_command_line_or_in_the_output(root, tmp_path):
    require("strace")
    proc = subprocess.run([sys.executable, "-m", "generator", "render", "--set", "proxy.user=me", "--set",
                           "proxy.password_env=PW", "--out", str(tmp_path)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PW": SECRET}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / SCRIPT).read_text()
    assert ENCODED in text
    trace = root / "out/trace"
    run = VM(units=HAND_INSTALLED, script=text,
             runner=f"strace -f -qq -e trace=execve -s 65535 -A -o {trace}").run(root)
    assert run.rc(1) == 0, run.stderr(1)
    output = run.stdout(1) + run.stderr(1)
    assert "me:***@192.168.5.2:3128" in output
    commands = "\n".join(ln for ln in trace.read_text(errors="replace").splitlines() if "execve(" in ln)
    assert "python3" in commands and "setpriv" in commands
    for secret in (SECRET, ENCODED):
        assert secret not in output and secret not in commands
    assert ENCODED in (run.home / ".docker/config.json").read_text()
    assert ENCODED in (run.out / "run1/apt/01proxy").read_text()
