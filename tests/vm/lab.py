"""Everything one VM run needs, set up in order: the image, the rendered snippets, the Mac's
namespace with the server abroad (sshd + squid), the registry, origin and apt repository
behind the proxy, the tunnel opened by the guide's own commands, and the VM booted the way
Lima boots it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import image as image_mod
from .lima import colima_daemon_proxies, lima_block
from .project import Rendered, render
from .vm import VM
from .world import (APT, HUB, HUB_IP, ORIGIN, ORIGIN_IP, REGISTRY, REGISTRY_IP, SQUID_PORT, SSHD_PORT, Mac,
                    apt_repository, certificates, hub_auth, keypair, start_origin, start_registry, start_squid,
                    start_sshd, tail)

# One registry name per check, all served by the same registry: squid's CONNECT line names the
# host, so each line says which check made it.
NAMES = {
    "colima": "dockerd with Colima's daemon.json alone (check 1)",
    "docker": "dockerd pulls (check 1)",
    "build": "docker build's FROM (check 2)",
    "down": "dockerd with the tunnel down (check 8)",
    "direct": "dockerd without proxy settings (check 9)",
    "dropin": "dockerd with only the systemd drop-in",
    "transfer": "containerd's transfer service (ctr, check 6)",
    "local": "ctr --local, the client side (check 6)",
    "cri": "containerd's CRI PullImage (check 6)",
    "transfer-nodropin": "transfer service, drop-in removed (check 6)",
    "cri-nodropin": "CRI, drop-in removed (check 6)",
    "socks": "dockerd through the SOCKS recipe: ssh -D and socks5h:// (the SOCKS check)",
    "local-noenv": "ctr --local without the login environment (check 6)",
    "transfer-script": "transfer service after the guide's containerd script (check 6)",
}
REPOSITORY, TAG = "proxydocs/busybox", "1"
SOCKS_PORT = 1080  # the SOCKS recipe's ssh -D port on the Mac


def ref(name: str) -> str:
    return f"{name}.{REGISTRY}/{REPOSITORY}:{TAG}"


@dataclass
class Lab:
    tmp: Path
    mac: Mac
    vm: VM
    rendered: Rendered
    socks: Rendered       # the same settings in the SOCKS topology (ssh -D, socks5h://)
    access: Path          # squid's access log
    ca: Path
    image: image_mod.Image
    colima_env: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    tunnel_runs: list[tuple[str, int, str]] = field(default_factory=list)
    tunnel_since: int = 0
    proofs: list[tuple[str, str]] = field(default_factory=list)

    def since(self) -> int:
        return self.access.stat().st_size

    def logs(self) -> str:
        parts = [f"--- {p.name}\n{tail(p.log, 2500)}" for p in self.mac.procs]
        parts.append(f"--- squid access.log\n{tail(self.access, 4000)}")
        parts.append(f"--- serial\n{tail(self.vm.serial, 3000)}")
        return "\n".join(parts)


def setup(tmp: Path) -> Lab:
    timings: dict[str, float] = {}
    img = image_mod.build()
    timings["image"] = img.seconds
    timings["image_cold"] = img.cold_seconds
    timings["image_built_now"] = float(img.built_now)

    home = tmp / "home"
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    tunnel_key = keypair(tmp / "tunnel_key")
    guest_key = keypair(tmp / "guest_key")

    out = tmp / "out"
    settings = {"tunnel.hostname": "127.0.0.1", "tunnel.ssh_port": SSHD_PORT, "tunnel.user": "root",
                "tunnel.identity_file": tunnel_key, "tunnel.remote_port": SQUID_PORT}
    render(out, settings)
    rendered = Rendered(out)
    render(tmp / "out-socks", {**settings, "tunnel.forward": "dynamic", "proxy.scheme": "socks5h",
                               "proxy.port": SOCKS_PORT})
    # the guide: put the block into ~/.ssh/config
    shutil.copy(rendered.path("ssh_config_guide.j2"), home / ".ssh" / "config")

    mac = Mac(tmp, home)
    try:
        mac.enter(keep=[img.dir])
        names = [REGISTRY] + [f"{n}.{REGISTRY}" for n in NAMES]
        ca, cert, key = certificates(tmp / "tls", names + [HUB])
        # the server abroad resolves the test names itself when it serves ssh -D (socks5h)
        start_sshd(mac, tunnel_key.with_suffix(".pub"), {REGISTRY_IP: names, HUB_IP: [HUB]})
        access = start_squid(mac, {REGISTRY_IP: names, ORIGIN_IP: [ORIGIN, APT], HUB_IP: [HUB]})
        start_registry(mac, "registry", REGISTRY_IP, cert, key)
        start_registry(mac, "hub", HUB_IP, cert, key, hub_auth(ca))
        origin = tmp / "origin"
        (origin / "check").mkdir(parents=True)
        for name in ("build", "run", "curl"):
            (origin / "check" / name).write_text(f"origin says hello to {name}\n")
        apt_repository(origin)
        start_origin(mac, origin)
        pushed = mac.run(["python3", str(Path(__file__).with_name("ociimage.py")), str(img.busybox),
                          f"https://{REGISTRY_IP}", str(ca), REPOSITORY, TAG])
        assert pushed.returncode == 0, pushed.stderr

        colima_env = yaml.safe_load(rendered.text("colima_yaml.j2"))["env"]
        cidata = tmp / "cidata"
        cidata.mkdir()
        (cidata / "etc_environment").write_text(lima_block(colima_env))
        shutil.copy(guest_key.with_suffix(".pub"), cidata / "authorized_keys")
        shutil.copy(ca, cidata / "ca.crt")
        (cidata / "registry_names").write_text("\n".join(names) + "\n")
        # Colima on the docker runtime writes daemon.json's proxies from the same env (and turns BuildKit on)
        (cidata / "daemon.json").write_text(json.dumps(
            {"features": {"buildkit": True}, "proxies": colima_daemon_proxies(colima_env)}, indent=2) + "\n")
        shutil.copytree(out, cidata / "proxydocs")

    except BaseException:
        mac.stop()  # the daemons started so far
        raise
    vm = VM(mac, img, guest_key)
    lab = Lab(tmp, mac, vm, rendered, Rendered(tmp / "out-socks"), access, ca, img, colima_env, timings)
    return lab


def mac_line(lab: Lab, line: str, timeout: float = 60, env: dict | None = None) -> tuple[int, str]:
    """One line of a Mac-side snippet, run as the reader types it in the Mac's shell. Output goes
    to a file, not a pipe: `ssh -fN` leaves a daemon holding its standard output."""
    out = lab.tmp / "mac-line.out"
    with open(out, "wb") as fh:
        proc = lab.mac.run(["bash", "-c", line], timeout=timeout, capture_output=False, stdout=fh, stderr=fh,
                           stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    return proc.returncode, out.read_text(errors="replace")


def tunnel_lines(lab: Lab) -> list[str]:
    return [l for l in lab.rendered.text("ssh_tunnel.j2").splitlines() if l.strip() and not l.startswith("#")]


def open_tunnel(lab: Lab) -> None:
    """The guide's tunnel snippet on the Mac: open, check, ask "Docker Hub" (the stand-in, whose
    certificate the Mac's curl trusts through CURL_CA_BUNDLE). Its last line (close) is check 8's."""
    opening, check, curl, _close = tunnel_lines(lab)
    since = lab.since()
    lab.tunnel_runs = [(opening, *mac_line(lab, opening))]
    lab.tunnel_runs.append((check, *mac_line(lab, check)))
    lab.tunnel_runs.append((curl, *mac_line(lab, curl, env={"CURL_CA_BUNDLE": str(lab.ca)})))
    lab.tunnel_since = since
    record_tunnel_pid(lab)


def record_tunnel_pid(lab: Lab) -> None:
    alias = tunnel_lines(lab)[0].split()[-1]
    code, out = mac_line(lab, f"ssh -O check {alias}")
    m = re.search(r"pid=(\d+)", out)
    if m:
        lab.mac.extra_pids["tunnel"] = int(m.group(1))


def boot(lab: Lab) -> None:
    lab.vm.boot(lab.tmp / "cidata")
    lab.timings["boot"] = lab.vm.boot_seconds


def new_tmp() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="proxydocs-vm-", dir="/var/tmp"))
    tmp.chmod(0o755)
    return tmp
