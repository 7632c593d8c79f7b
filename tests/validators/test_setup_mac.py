"""setup_mac.sh, run for real on a temporary HOME as an unprivileged user (nobody).

Only what cannot run here is a stub on PATH: uname (this is not a Mac), ssh's tunnel
actions and curl (there is no tunnel server), and xcode-select. `ssh -G` is the real OpenSSH,
the files the script writes are read back by the real readers (PyYAML and ruamel.yaml for
colima.yaml, `ssh -G -F` for ~/.ssh/config, the docker CLI against a fake engine for
config.json), and where Debian's original-awk (the BSD awk macOS ships) is installed it
stands in for awk. Sample files of real-world shapes are in samples/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from support import ROOT, require
from generator import api
from generator.model import settings
from generator.render import manifest
from generator.validate import Target, validate_file
from generator.validate.fake_engine import FakeEngine

GUIDE = "container/colima/colima_proxy/"
MAC = GUIDE + "setup_mac.sh"
SAMPLES = Path(__file__).parent / "samples"
NOBODY = 65534
SERVER = "proxy.example.org"
MAC_URL = "http://127.0.0.1:3128"
PROXY_NAMES = {"http_proxy", "https_proxy", "no_proxy"}
BEGIN, END = "# >>> proxydocs MyProxy >>>", "# <<< proxydocs MyProxy <<<"
PLAIN_COLIMA = "cpu: 2\nenv: {}\n"  # where colima.yaml is not what a test is about


@lru_cache(maxsize=None)
def _render(changes: tuple[tuple[str, object], ...]) -> dict[str, str]:
    return api.render_text(settings.defaults().replace(dict(changes)))


def render(**changes: object) -> dict[str, str]:
    """Every snippet for a real server (the published defaults hold a placeholder); keys are
    settings paths with "__" for the dot (colima__runtime="docker")."""
    values = {"tunnel.hostname": SERVER, **{k.replace("__", "."): v for k, v in changes.items()}}
    return _render(tuple(sorted(values.items())))


def script(**changes: object) -> str:
    return render(**changes)[MAC]


def want_env(**changes: object) -> dict[str, str]:
    return yaml.safe_load(render(**changes)[GUIDE + "colima.yaml"])["env"]


def docker_entry(**changes: object) -> dict[str, str]:
    return json.loads(render(**changes)[GUIDE + "config.json"])["proxies"]["default"]


def stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(0o755)


def as_nobody(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def tree(root: Path) -> dict[str, tuple]:
    """Every file and link under root: its bytes and mode, or where the link points."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p))
        elif p.is_file():
            out[rel] = ("file", p.read_bytes(), p.stat().st_mode & 0o777)
    return out


class Mac:
    """A temporary HOME with the stubs, and the script run in it as nobody."""

    def __init__(self, root: Path):
        self.root, self.home = root, root / "home"
        self.stubs, self.state = root / "stubs", root / "state"
        for d in (self.home, self.stubs, self.state):
            d.mkdir()
        real_ssh = shutil.which("ssh")
        stub(self.stubs, "uname", "echo Darwin\n")
        # ssh -G is the real one; the tunnel itself is a state file
        stub(self.stubs, "ssh", f"""printf '%s\\n' "$*" >> {self.state}/ssh.log
case "$1" in
  -G) case " $* " in *" -F "*) exec {real_ssh} "$@" ;; *) exec {real_ssh} -F "$HOME/.ssh/config" "$@" ;; esac ;;
  -O) [ -e {self.state}/tunnel.up ] ;;
  -fN) touch {self.state}/tunnel.up ;;
esac
""")
        stub(self.stubs, "curl", f"""printf '%s\\n' "$*" >> {self.state}/curl.log
cat > /dev/null
printf 401
""")
        self.xcode(True)
        bsd_awk = shutil.which("original-awk")
        if bsd_awk:  # the awk macOS ships (the one true awk), where Debian has it
            (self.stubs / "awk").symlink_to(bsd_awk)

    def xcode(self, installed: bool) -> None:
        stub(self.stubs, "xcode-select", "echo /Library/Developer/CommandLineTools\n" if installed
             else "echo 'xcode-select: error: unable to get active developer directory' >&2\nexit 2\n")

    def write(self, rel: str, data: str | bytes | None, base: Path | None = None) -> Path:
        path = (base or self.home) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def no_python_path(self) -> str:
        """A PATH on which every program of /usr/bin is found, except python3."""
        bin_ = self.root / "bin-no-python"
        bin_.mkdir(exist_ok=True)
        for d in ("/usr/bin", "/bin"):
            for p in Path(d).iterdir():
                if not p.name.startswith("python") and not (bin_ / p.name).exists():
                    (bin_ / p.name).symlink_to(p)
        return f"{self.stubs}:{bin_}"

    def run(self, text: str, env: dict[str, str] | None = None, path: str | None = None,
            trace: Path | None = None, as_root: bool = False) -> subprocess.CompletedProcess:
        script_path = self.root / "setup_mac.sh"
        script_path.write_text(text)
        if os.geteuid() == 0:
            for p in [self.root, *self.root.rglob("*")]:
                if p.parent != self.stubs and p != self.stubs and "bin-no-python" not in str(p):
                    os.lchown(p, NOBODY, NOBODY)
        environ = {"PATH": path or f"{self.stubs}:/usr/bin:/bin", "HOME": str(self.home), "LC_ALL": "C.UTF-8",
                   **(env or {})}
        argv = ["bash", str(script_path)] if as_root else as_nobody(["bash", str(script_path)])
        if trace is not None:
            argv = [shutil.which("strace"), "-f", "-qq", "-e", "trace=execve", "-s", "65535", "-o", str(trace), *argv]
        return subprocess.run(argv, env=environ, capture_output=True, text=True, timeout=60)


@pytest.fixture
def mac():
    require("ssh", "setpriv")
    # pytest's own tmp directories are private to root; nobody must reach this one
    root = Path(tempfile.mkdtemp(prefix="proxydocs-mac-"))
    root.chmod(0o755)
    yield Mac(root)
    shutil.rmtree(root, ignore_errors=True)


def ssh_G(config: Path, host: str) -> str:
    proc = subprocess.run(as_nobody(["ssh", "-G", "-F", str(config), host]), capture_output=True, text=True, timeout=15)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def assert_tunnel_block_effective(config: Path) -> None:
    g = ssh_G(config, "MyProxy").splitlines()
    for line in (f"hostname {SERVER}", "user admin", "port 22", "exitonforwardfailure yes"):
        assert line in g, (line, g)
    assert any(re.fullmatch(r"localforward \[?127\.0\.0\.1\]?:3128 \[?127\.0\.0\.1\]?:3128", x) for x in g), g


def run_twice_unchanged(mac: Mac, text: str, **kw) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    first = mac.run(text, **kw)
    before = tree(mac.home)
    second = mac.run(text, **kw)
    assert tree(mac.home) == before, f"the second run changed a file; first run: {first.stdout}{first.stderr}"
    assert "nothing to change" in second.stdout, second.stdout
    return first, second


# ------------------------------------------------------------------------------ ~/.ssh/config
def ssh_samples() -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {p.stem: p.read_bytes() for p in sorted((SAMPLES / "ssh").glob("*.conf"))}
    out["crlf"] = out["global_and_hosts"].replace(b"\n", b"\r\n")
    out["no_final_newline"] = out["global_and_hosts"].rstrip(b"\n")
    out["globals_no_final_newline"] = out["only_globals"].rstrip(b"\n")
    out["empty"] = b""
    out["missing"] = None
    return out


SSH_SAMPLES = ssh_samples()


def user_hosts(text: bytes) -> list[str]:
    """The hosts a config names, and two it names only through patterns or not at all."""
    hosts = {"elsewhere.example.net", "x.corp.example"}
    for line in text.decode().splitlines():
        m = re.match(r"\s*host\s*(?:=\s*|\s)(.*)", line, re.I)
        if m:
            hosts |= {w.strip('"') for w in m.group(1).split() if not re.search(r"[!*?]", w)}
    return sorted(hosts - {"MyProxy"})


def outside_block(lines: list[str]) -> list[str]:
    """The non-blank lines that are not between our markers."""
    if BEGIN not in lines:
        return [ln for ln in lines if ln.strip()]
    b, e = lines.index(BEGIN), lines.index(END)
    return [ln for i, ln in enumerate(lines) if ln.strip() and not b <= i <= e]


def test_at_least_ten_real_world_ssh_config_shapes():
    assert len(SSH_SAMPLES) >= 10 and len(list((SAMPLES / "ssh/refused").iterdir())) >= 5


@pytest.mark.parametrize("name", sorted(SSH_SAMPLES))
def test_ssh_config_shape_gets_an_effective_block_and_keeps_every_host(mac, name):
    original = SSH_SAMPLES[name]
    config = mac.home / ".ssh/config"
    if original is not None:
        mac.write(".ssh/config", original)
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    reference = mac.root / "reference.conf"
    reference.write_bytes(original or b"")
    reference.chmod(0o644)
    hosts = user_hosts(original or b"")
    before = {h: ssh_G(reference, h) for h in hosts}
    mode = config.stat().st_mode & 0o777 if original is not None else 0o600

    first, _ = run_twice_unchanged(mac, script())
    assert first.returncode == 0, first.stderr + first.stdout
    after = config.read_bytes()
    assert_tunnel_block_effective(config)
    assert {h: ssh_G(config, h) for h in hosts} == before, "a host of the user's config reads differently"
    text = after.decode()
    lines = text.replace("\r\n", "\n").split("\n")
    assert lines.count(BEGIN) == 1 and lines.count(END) == 1
    # our block comes before the first Host/Match line that is not ours
    first_kw = next((i for i, ln in enumerate(lines) if re.match(r"\s*(host|match)\b", ln, re.I)
                     and not (lines.index(BEGIN) < i < lines.index(END))), len(lines))
    assert lines.index(BEGIN) < first_kw
    # every line of the user's file (outside an older block of ours) is still there, in order
    assert outside_block(lines) == outside_block((original or b"").decode().replace("\r\n", "\n").split("\n"))
    if name == "crlf":
        assert after.count(b"\n") == after.count(b"\r\n")
    if name == "no_final_newline":
        assert after.endswith(b"ForwardAgent no")
    if original:
        backups = list(config.parent.glob("config.proxydocs-backup-*"))
        assert len(backups) == 1 and backups[0].read_bytes() == original
    assert config.stat().st_mode & 0o777 == mode


@pytest.mark.parametrize("name,message", [
    ("begin_only", "is damaged (1 begin and 0 end marker lines"),
    ("end_only", "is damaged (0 begin and 1 end marker lines"),
    ("two_blocks", "is damaged (2 begin and 2 end marker lines"),
    ("reversed_markers", "is damaged (1 begin and 1 end marker lines"),
    ("foreign_host", "already has a 'Host MyProxy' (line 4) that proxydocs did not write"),
    ("foreign_host_equals", "already has a 'Host MyProxy' (line 1) that proxydocs did not write"),
    ("global_user_first", "gives 'user me', not 'user admin'"),
])
def test_ssh_config_shapes_refused_change_nothing(mac, name, message):
    mac.write(".ssh/config", (SAMPLES / "ssh/refused" / f"{name}.conf").read_bytes())
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    before = tree(mac.home)
    result = mac.run(script())
    assert result.returncode == 2, result.stderr + result.stdout
    assert message in result.stderr and "nothing was changed" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("setup_mac: ")
    assert tree(mac.home) == before
    assert not (mac.state / "tunnel.up").exists()


def test_a_symlinked_ssh_config_stays_a_link_and_its_target_is_edited(mac):
    store = mac.root / "store"
    target = mac.write("ssh_config", (SAMPLES / "ssh/global_and_hosts.conf").read_text(), base=store)
    (mac.home / ".ssh").mkdir()
    (mac.home / "dotfiles").mkdir()
    (mac.home / "dotfiles/ssh").symlink_to(target)  # absolute
    (mac.home / ".ssh/config").symlink_to("../dotfiles/ssh")  # relative: a chain of two links
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    result = mac.run(script())
    assert result.returncode == 0, result.stderr
    assert os.readlink(mac.home / ".ssh/config") == "../dotfiles/ssh"
    assert os.readlink(mac.home / "dotfiles/ssh") == str(target)
    assert BEGIN in target.read_text()
    assert_tunnel_block_effective(mac.home / ".ssh/config")
    assert [p.name for p in store.glob("ssh_config.proxydocs-backup-*")]
    assert not list((mac.home / ".ssh").glob("config.proxydocs-backup-*"))


def test_a_dangling_link_gets_its_target_created(mac):
    (mac.home / ".ssh").mkdir()
    (mac.home / "dotfiles").mkdir()
    (mac.home / ".ssh/config").symlink_to("../dotfiles/ssh_config")
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    result = mac.run(script())
    assert result.returncode == 0, result.stderr
    assert (mac.home / ".ssh/config").is_symlink() and BEGIN in (mac.home / "dotfiles/ssh_config").read_text()


def test_placeholders_are_refused_before_anything_is_touched(mac):
    """The published defaults hold <SERVER_IP>: nothing may be written with it."""
    before = tree(mac.home)
    result = mac.run(api.render_text(settings.defaults())[MAC])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "placeholder <SERVER_IP>" in result.stderr and "fill in the form on the guide page" in result.stderr
    assert "proxydocs render --out DIR --set tunnel.hostname=" in result.stderr
    assert tree(mac.home) == before and not (mac.home / ".ssh").exists()
    assert not (mac.state / "ssh.log").exists() and not (mac.state / "curl.log").exists()


def test_the_wrong_machine_and_root_are_refused(mac):
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    before = tree(mac.home)
    stub(mac.stubs, "uname", 'exec /usr/bin/uname "$@"\n')
    result = mac.run(script())
    assert result.returncode == 2 and "this is the Mac-side script, but this machine is Linux" in result.stderr
    assert tree(mac.home) == before
    if os.geteuid() == 0:
        stub(mac.stubs, "uname", "echo Darwin\n")
        result = mac.run(script(), as_root=True)
        assert result.returncode == 2 and "run it as yourself, not as root" in result.stderr
        assert tree(mac.home) == before


# -------------------------------------------------------------------------------- colima.yaml
def colima_samples() -> dict[str, bytes]:
    out = {p.stem: p.read_bytes() for p in sorted((SAMPLES / "colima").glob("*.yaml"))}
    out["crlf"] = out["env_entries_2"].replace(b"\n", b"\r\n")
    out["env_last_no_final_newline"] = out["env_last"].rstrip(b"\n")
    out["no_final_newline"] = out["env_trailing_comment"].rstrip(b"\n")
    out["empty"] = b""
    return out


COLIMA_SAMPLES = colima_samples()


def yaml_loaders():
    from ruamel.yaml import YAML

    ruamel = YAML(typ="safe", pure=True)  # YAML 1.2, as Colima's Go reader
    return {"PyYAML": yaml.safe_load, "ruamel.yaml": ruamel.load}


def is_proxy_entry(line: str) -> bool:
    return bool(re.match(r"""\s+["']?(?i:http_proxy|https_proxy|no_proxy)["']?\s*:""", line))


def test_at_least_ten_real_world_colima_yaml_shapes():
    assert len(COLIMA_SAMPLES) >= 10 and len(list((SAMPLES / "colima/refused").iterdir())) >= 8


@pytest.mark.parametrize("name", sorted(COLIMA_SAMPLES))
def test_colima_yaml_shape_gets_the_env_and_keeps_everything_else(mac, name):
    original = COLIMA_SAMPLES[name]
    path = mac.write(".colima/default/colima.yaml", original)
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    first, _ = run_twice_unchanged(mac, script())
    assert first.returncode == 0, first.stderr + first.stdout
    after = path.read_bytes()
    for reader, load in yaml_loaders().items():
        old, new = load(original.decode()) or {}, load(after.decode())
        old_env = old.get("env") or {}
        assert new["env"] == {**{k: v for k, v in old_env.items() if k.lower() not in PROXY_NAMES}, **want_env()}, reader
        assert {k: v for k, v in new.items() if k != "env"} == {k: v for k, v in old.items() if k != "env"}, reader
    # line by line: only the proxy entries and an `env: {}` changed; comments and order kept
    ours = {f"{' ' * n}{k}: {v}" for n in (2, 4) for k, v in want_env().items()}
    new_lines = [ln for ln in after.decode().replace("\r\n", "\n").split("\n") if ln not in ours]
    old_lines = [ln for ln in original.decode().replace("\r\n", "\n").split("\n") if not is_proxy_entry(ln)]
    norm = lambda lines: [re.sub(r"^env:\s*(\{\s*\})?\s*", "env: ", ln).rstrip() for ln in lines if ln.strip()]  # noqa: E731
    assert norm(new_lines) == norm(old_lines) + ([] if re.search(rb"^env\s*:", original, re.M) else ["env:"])
    if name == "crlf":
        assert after.count(b"\n") == after.count(b"\r\n")
    if name == "no_final_newline":
        assert after.endswith(b"disk: 60")
    if name == "env_entries_4":
        assert b"\n    HTTP_PROXY: http://127.0.0.1:3128\n" in after
    assert "colima stop && colima start --runtime containerd --cpu 4 --memory 8 --vm-type=vz" in first.stdout
    backups = list(path.parent.glob("colima.yaml.proxydocs-backup-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original


@pytest.mark.parametrize("name,reason", [
    ("flow", "env: is written in flow style"),
    ("anchor", "env: carries an anchor, an alias or a tag"),
    ("alias", "env: carries an anchor, an alias or a tag"),
    ("tag", "env: carries an anchor, an alias or a tag"),
    ("quoted_env_key", "its env key is quoted"),
    ("tab_indent", "it is indented with a tab"),
    ("two_env", "it has 2 top-level env keys"),
    ("inconsistent", "env entries are indented inconsistently (2 and 4 spaces)"),
    ("two_documents", "it holds more than one YAML document"),
    ("proxy_block_scalar", "the value of HTTP_PROXY is a block scalar"),
    ("proxy_anchor", "HTTP_PROXY carries an anchor that other lines may use"),
    ("merge_key", "an env entry this script does not read (<<: *defaults)"),
])
def test_colima_yaml_shapes_refused_change_nothing(mac, name, reason):
    mac.write(".colima/default/colima.yaml", (SAMPLES / "colima/refused" / f"{name}.yaml").read_bytes())
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    before = tree(mac.home)
    result = mac.run(script())
    assert result.returncode == 1, result.stderr + result.stdout
    assert result.stderr.startswith("setup_mac: ") and result.stderr.count("\n") == 1
    assert reason in result.stderr and result.stderr.rstrip().endswith("nothing was changed")
    assert tree(mac.home) == before, "a refused shape changed a file"
    printed = result.stdout.splitlines()
    assert printed[1:] == ["env:", *(f"  {k}: {v}" for k, v in want_env().items())], result.stdout


@pytest.mark.parametrize("case", ["colima_home", "colima_home_missing", "xdg", "dot_colima_wins_over_xdg",
                                  "profile_prefix", "profile_colima", "profile_plain"])
def test_colima_yaml_is_found_where_colima_looks(mac, case):
    r, h = mac.root, mac.home
    profile, env = "default", {}
    if case == "colima_home":
        env, dirs, want = {"COLIMA_HOME": f"{r}/ch/"}, [r / "ch/default", h / ".colima/default"], r / "ch/default"
    elif case == "colima_home_missing":
        env, dirs, want = {"COLIMA_HOME": f"{r}/nowhere"}, [h / ".colima/default"], h / ".colima/default"
    elif case == "xdg":
        env, dirs, want = {"XDG_CONFIG_HOME": f"{h}/.config"}, [h / ".config/colima/default"], h / ".config/colima/default"
    elif case == "dot_colima_wins_over_xdg":
        env = {"XDG_CONFIG_HOME": f"{h}/.config"}
        dirs, want = [h / ".colima/default", h / ".config/colima/default"], h / ".colima/default"
    elif case == "profile_prefix":
        profile, dirs, want = "colima-work", [h / ".colima/work", h / ".colima/colima-work"], h / ".colima/work"
    elif case == "profile_colima":
        profile, dirs, want = "colima", [h / ".colima/default", h / ".colima/colima"], h / ".colima/default"
    else:
        profile, dirs, want = "work", [h / ".colima/work", h / ".colima/default"], h / ".colima/work"
    sample = PLAIN_COLIMA.encode()
    for d in dirs:
        mac.write("colima.yaml", sample, base=d)
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    result = mac.run(script(colima__profile=profile), env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    for d in dirs:
        changed = (d / "colima.yaml").read_bytes() != sample
        assert changed == (d == want), d
    assert f"{want}/colima.yaml: wrote" in result.stdout


def test_a_missing_colima_yaml_is_not_created_and_the_first_start_is_explained(mac):
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    first, second = run_twice_unchanged(mac, script())
    assert first.returncode == 1 and second.returncode == 1
    assert not (mac.home / ".colima").exists()
    out = first.stdout
    assert "downloads the VM's disk image on this Mac" in out and "colima.yaml's env: does not reach that download" in out
    assert (f"  HTTPS_PROXY={MAC_URL} https_proxy={MAC_URL} colima start --runtime containerd --cpu 4 --memory 8 "
            "--vm-type=vz\n") in out
    assert "then run this script again" in out
    assert "tunnel MyProxy: started" in out and BEGIN in (mac.home / ".ssh/config").read_text()


def test_a_second_profile_is_stopped_and_started_by_name(mac):
    mac.write(".colima/work/colima.yaml", PLAIN_COLIMA)
    result = mac.run(script(colima__profile="work"))
    assert result.returncode == 0, result.stderr
    assert ("colima stop --profile work && colima start --profile work --runtime containerd --cpu 4 --memory 8 "
            "--vm-type=vz") in result.stdout


# --------------------------------------------------------------------- docker client config.json
DOCKER = dict(colima__runtime="docker")


def test_docker_runtime_merges_a_host_specific_proxy_entry(mac):
    require("docker")
    existing = {"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "osxkeychain", "currentContext": "colima",
                "proxies": {"default": {"httpProxy": "http://127.0.0.1:7890"}}}
    config = mac.write(".docker/config.json", json.dumps(existing, indent=2))
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    first, _ = run_twice_unchanged(mac, script(**DOCKER))
    assert first.returncode == 0, first.stderr + first.stdout
    data = json.loads(config.read_text())
    key = f"unix://{mac.home}/.colima/default/docker.sock"
    assert data["proxies"] == {"default": existing["proxies"]["default"], key: docker_entry(**DOCKER)}
    assert {k: v for k, v in data.items() if k != "proxies"} == {k: v for k, v in existing.items() if k != "proxies"}
    assert list(config.parent.glob("config.json.proxydocs-backup-*"))
    # the real docker CLI: Colima's engine gets this proxy, another engine does not
    sock = mac.home / ".colima/default/docker.sock"
    with FakeEngine() as engine:
        sock.symlink_to(engine.socket)
        for host in (key, engine.host):
            subprocess.run(["docker", "--config", str(config.parent), "create", "busybox"], capture_output=True,
                           env={"PATH": os.environ["PATH"], "HOME": str(mac.home), "DOCKER_HOST": host}, timeout=30)
        ours, other = [set(b.get("Env") or []) for b in engine.create_bodies()]
    url = docker_entry(**DOCKER)["httpProxy"]
    assert {f"HTTP_PROXY={url}", f"https_proxy={url}"} <= ours
    assert f"HTTP_PROXY={url}" not in other and "HTTP_PROXY=http://127.0.0.1:7890" in other


def test_docker_runtime_uses_colima_home_in_the_key(mac):
    mac.write("colima.yaml", PLAIN_COLIMA, base=mac.root / "ch/work")
    result = mac.run(script(colima__runtime="docker", colima__profile="colima-work"), env={"COLIMA_HOME": f"{mac.root}/ch//"})
    assert result.returncode == 0, result.stderr
    data = json.loads((mac.home / ".docker/config.json").read_text())
    assert list(data["proxies"]) == [f"unix://{mac.root}/ch/work/docker.sock"]
    assert (mac.home / ".docker/config.json").stat().st_mode & 0o777 == 0o600


def test_a_malformed_config_json_is_refused_before_any_change(mac):
    mac.write(".docker/config.json", '{"auths": {},}')
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    before = tree(mac.home)
    result = mac.run(script(**DOCKER))
    assert result.returncode == 2 and "it is not valid JSON" in result.stderr and "nothing was changed" in result.stderr
    assert tree(mac.home) == before and not (mac.state / "tunnel.up").exists()


def test_without_python3_a_new_config_json_is_written_whole(mac):
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    path = mac.no_python_path()
    first, _ = run_twice_unchanged(mac, script(**DOCKER), path=path)
    assert first.returncode == 0, first.stderr + first.stdout
    data = json.loads((mac.home / ".docker/config.json").read_text())
    assert data == {"proxies": {f"unix://{mac.home}/.colima/default/docker.sock": docker_entry(**DOCKER)}}


@pytest.mark.parametrize("why", ["no python3 on PATH", "python3 is the command line tools' stub"])
def test_without_python3_an_existing_config_json_is_left_to_merge_by_hand(mac, why):
    config = mac.write(".docker/config.json", '{"credsStore": "osxkeychain"}\n')
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    path = None
    if why == "no python3 on PATH":
        path = mac.no_python_path()
    else:
        mac.xcode(False)
        assert shutil.which("python3", path=f"{mac.stubs}:/usr/bin:/bin") == "/usr/bin/python3"
    result = mac.run(script(**DOCKER), path=path)
    assert result.returncode == 1, result.stderr + result.stdout
    assert config.read_text() == '{"credsStore": "osxkeychain"}\n'
    key = f"unix://{mac.home}/.colima/default/docker.sock"
    line = next(ln for ln in result.stdout.splitlines() if key in ln and ln.startswith("  "))
    assert json.loads("{" + line + "}") == {key: docker_entry(**DOCKER)}
    assert result.stdout.rstrip().endswith("one step left to do by hand (above)")


def test_containerd_runtime_leaves_config_json_alone(mac):
    config = mac.write(".docker/config.json", '{"credsStore": "osxkeychain"}\n')
    mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
    result = mac.run(script())
    assert result.returncode == 0 and config.read_text() == '{"credsStore": "osxkeychain"}\n'
    assert "config.json: not touched (containerd runtime: nerdctl never reads its proxies" in result.stdout


# ---------------------------------------------------------------------------- the password
SECRET = "s3cr#t p%ss"
ENCODED = "s3cr%23t%20p%25ss"


@pytest.fixture(scope="module")
def with_password(tmp_path_factory) -> str:
    """setup_mac.sh rendered the way a reader renders a copy with credentials (CLI, --out)."""
    out = tmp_path_factory.mktemp("creds")
    proc = subprocess.run([sys.executable, "-m", "generator", "render", "--set", f"tunnel.hostname={SERVER}",
                           "--set", "colima.runtime=docker", "--set", "proxy.user=me", "--set", "proxy.password_env=PW",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PW": SECRET}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = (out / MAC).read_text()
    assert ENCODED in text
    return text


def argv_in_trace(trace: Path) -> str:
    return "\n".join(ln for ln in trace.read_text(errors="replace").splitlines() if "execve(" in ln)


@pytest.mark.parametrize("scenario", ["full run", "first start", "refused colima.yaml", "merge by hand"])
def test_the_password_is_never_on_a_command_line_or_in_the_output(mac, with_password, scenario):
    require("strace")
    mac.write(".ssh/config", SSH_SAMPLES["global_and_hosts"])
    path = None
    if scenario == "full run":
        mac.write(".colima/default/colima.yaml", COLIMA_SAMPLES["env_entries_4"])
        mac.write(".docker/config.json", "{}")
    elif scenario == "refused colima.yaml":
        mac.write(".colima/default/colima.yaml", (SAMPLES / "colima/refused/flow.yaml").read_bytes())
    elif scenario == "merge by hand":
        mac.write(".colima/default/colima.yaml", PLAIN_COLIMA)
        mac.write(".docker/config.json", "{}")
        path = mac.no_python_path()
    trace = mac.root / "trace"
    result = mac.run(with_password, path=path, trace=trace)
    assert result.returncode == {"full run": 0, "first start": 1, "refused colima.yaml": 1, "merge by hand": 1}[scenario], \
        result.stderr + result.stdout
    output = result.stdout + result.stderr
    assert "me:***@127.0.0.1:3128" in output
    commands = argv_in_trace(trace)
    assert "setup_mac.sh" in commands and ("curl" in commands or scenario == "refused colima.yaml")
    for secret in (SECRET, ENCODED):
        assert secret not in output and secret not in commands
    if scenario == "full run":
        assert ENCODED in (mac.home / ".colima/default/colima.yaml").read_text()
        assert ENCODED in (mac.home / ".docker/config.json").read_text()


# ---------------------------------------------------------------------- the script as a file
VARIANTS = {"defaults": {}, "docker": DOCKER, "profile": dict(colima__profile="colima-work", colima__runtime="docker"),
            "socks": dict(proxy__scheme="socks5h", tunnel__forward="dynamic", proxy__port=1080, tunnel__ssh_port=2222)}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_passes_bash_n_and_shellcheck(tmp_path, variant):
    require("shellcheck")
    path = tmp_path / "setup_mac.sh"
    path.write_text(script(**VARIANTS[variant]))
    snippet = next(s for s in manifest.load() if s.output == MAC)
    assert validate_file(Target(path, snippet, settings.defaults())) == []


# macOS runs bash 3.2 and BSD tools: constructs that exist only in bash 4+ or GNU tools
NOT_ON_A_MAC = {
    r"declare -A|local -A|typeset -A": "associative arrays (bash 4)",
    r"\$\{[A-Za-z_]+(,,|\^\^)": "case conversion (bash 4)",
    r"\bmapfile\b|\breadarray\b|local -n|declare -n": "bash 4 builtins",
    r"\|&|;;&|;&": "bash 4 operators",
    r"readlink -[fem]": "GNU readlink",
    r"\bsed -i\b|sed -r\b|\bstat -c|\bgrep -P|mktemp -p|mktemp --|\bdate -d": "GNU-only flags",
    r"\b(gensub|strftime|systime|asort|asorti|patsplit|isarray|PROCINFO|IGNORECASE)\b": "gawk only",
    r"\[\[ -v ": "bash 4.2",
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_nothing_needs_bash_4_or_gnu_tools(variant):
    text = script(**VARIANTS[variant])
    for pattern, what in NOT_ON_A_MAC.items():
        for n, line in enumerate(text.splitlines(), 1):
            if not line.lstrip().startswith("#"):
                assert not re.search(pattern, line), f"line {n} uses {what}: {line}"
