""""The Mac" of the VM tier: one network and mount namespace with only `lo`, holding the
throwaway sshd (the server abroad), squid behind it, the registry, the HTTP origin, the apt
repository and QEMU. Every process is started here, by PID, and stopped by PID.

Inside the namespace /root is a temporary home, so the guide's Mac commands (`ssh -fN MyProxy`
with the generated ~/.ssh/config) run exactly as written without touching the real one."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.sshd import sshd_config

# Names only the server abroad resolves (squid's hosts_file; sshd's own /etc/hosts for ssh -D): the VM
# can reach them through the tunnel or not at all.
REGISTRY_IP, ORIGIN_IP, HUB_IP = "127.0.0.3", "127.0.0.4", "127.0.0.6"
REGISTRY = "registry.proxydocs.test"
ORIGIN = "origin.proxydocs.test"
APT = "apt.proxydocs.test"
HUB = "registry-1.docker.io"   # the guide's tunnel check asks Docker Hub; here a stand-in answers
SSHD_PORT = 2022               # the server abroad
SQUID_PORT = 3130              # squid on the server's loopback (tunnel.remote_port)
GUEST_SSH_PORT = 60022         # the VM's sshd, forwarded by QEMU to the namespace's loopback
STEP = 20                      # seconds for a daemon to start listening


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Mac:
    tmp: Path
    home: Path
    holder: subprocess.Popen | None = None
    procs: list[Proc] = field(default_factory=list)
    extra_pids: dict[str, int] = field(default_factory=dict)   # daemons that fork (ssh -f)
    netns: int = 0                                             # inode of the namespace
    ever: list[int] = field(default_factory=list)

    def enter(self, keep: list[Path] = ()) -> None:
        """Create the namespace. Paths under /root in `keep` (the image cache) stay visible there."""
        binds = ""
        for path in keep:
            if path.is_relative_to("/root"):
                inside = self.home / path.relative_to("/root")
                inside.mkdir(parents=True, exist_ok=True)
                binds += f"mount --bind '{path}' '{inside}' && "
        self.holder = subprocess.Popen(
            ["unshare", "--net", "--mount", "--propagation", "private", "--", "sh", "-c",
             binds + 'mount --rbind "$1" /root && ip link set lo up && echo ready && exec sleep 86400', "_",
             str(self.home)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.ever.append(self.holder.pid)
        ready, _, _ = select.select([self.holder.stdout], [], [], STEP)
        line = self.holder.stdout.readline().decode() if ready else ""
        if line.strip() != "ready":
            raise RuntimeError(f"the namespace did not come up: {line}{self.holder.stdout.read1(4096).decode()}")
        self.netns = os.stat(f"/proc/{self.holder.pid}/ns/net").st_ino

    def argv(self, argv: list[str]) -> list[str]:
        return ["nsenter", f"--target={self.holder.pid}", "--net", "--mount", "--", *argv]

    def run(self, argv: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(self.argv(argv), timeout=timeout, **kw)

    def start(self, name: str, argv: list[str], **kw) -> Proc:
        log = self.tmp / f"{name}.log"
        with open(log, "ab") as fh:
            popen = subprocess.Popen(self.argv(argv), stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, **kw)
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        self.ever.append(popen.pid)
        return proc

    def wait_port(self, host: str, port: int, proc: Proc, timeout: float = STEP) -> None:
        deadline = time.monotonic() + timeout
        probe = f"import socket; socket.create_connection(('{host}', {port}), timeout=1).close()"
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{tail(proc.log)}")
            if self.run(["python3", "-c", probe], timeout=10).returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"{proc.name}: nothing listens on {host}:{port} after {timeout}s\n{tail(proc.log)}")

    def stop(self) -> None:
        """Stop everything started here, newest first, by PID; then the namespace's holder."""
        for name, pid in self.extra_pids.items():
            _kill(pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            if proc.popen.poll() is None:
                _killpg(proc.popen.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=10)
        for pid in self.extra_pids.values():
            _kill(pid, signal.SIGKILL)
        if self.holder and self.holder.poll() is None:
            _killpg(self.holder.pid, signal.SIGKILL)
            self.holder.wait(timeout=10)

    def survivors(self) -> list[str]:
        """Processes of this run still alive: any PID it started, or anything in its namespace."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                in_ns = os.stat(entry / "ns/net").st_ino == self.netns
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if state != "Z" and (in_ns or pid in self.ever or pid in self.extra_pids.values()):
                found.append(f"{pid} {cmd}")
        return found


def _killpg(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def tail(path: Path, n: int = 4000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else f"({path} does not exist)"


def run(argv: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stdout}{proc.stderr}")
    return proc


# --- the pieces ------------------------------------------------------------------------------

def keypair(path: Path) -> Path:
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "proxydocs-vm", "-f", str(path)])
    return path


def certificates(d: Path, names: list[str]) -> tuple[Path, Path, Path]:
    """A throwaway CA and one server certificate for every registry name (and the registry's IP,
    for the push from the namespace)."""
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *ec, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.crt"), "-days", "2",
         "-subj", "/CN=proxydocs throwaway test CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req", *ec, "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"), "-subj", f"/CN={REGISTRY}"])
    san = ",".join([f"DNS:{n}" for n in names] + [f"IP:{REGISTRY_IP}"])
    (d / "ext.cnf").write_text(f"subjectAltName={san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run(["openssl", "x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.crt"), "-CAkey", str(d / "ca.key"),
         "-CAcreateserial", "-out", str(d / "server.crt"), "-days", "2", "-extfile", str(d / "ext.cnf")])
    return d / "ca.crt", d / "server.crt", d / "server.key"


def start_sshd(mac: Mac, authorized: Path, hosts: dict[str, list[str]]) -> Proc:
    """The server abroad. It sees `hosts` as its /etc/hosts (a mount namespace of its own): the
    names a SOCKS client leaves to the server (socks5h) resolve there, as abroad, and nowhere else."""
    d = mac.tmp / "sshd"
    d.mkdir()
    (d / "hosts").write_text("127.0.0.1 localhost\n" + "".join(f"{ip} {' '.join(n)}\n" for ip, n in hosts.items()))
    Path("/run/sshd").mkdir(exist_ok=True)
    keypair(d / "host_key")
    sshd_config(d, SSHD_PORT, authorized, "LogLevel VERBOSE\n")
    check = mac.run(["/usr/sbin/sshd", "-t", "-f", str(d / "sshd_config")])
    assert check.returncode == 0, check.stderr
    proc = mac.start("sshd", ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                              'mount --bind "$1" /etc/hosts && exec /usr/sbin/sshd -D -e -f "$2"', "_",
                              str(d / "hosts"), str(d / "sshd_config")])
    mac.wait_port("127.0.0.1", SSHD_PORT, proc)
    return proc


def start_squid(mac: Mac, hosts: dict[str, list[str]]) -> Path:
    """squid on the server's loopback: only the test names (resolved from its own hosts file),
    CONNECT only to 443; a log line per request with the client's User-Agent. Idle CONNECT
    tunnels are closed after 5 s, so their log line (written when a tunnel ends) comes soon."""
    d = mac.tmp / "squid"
    d.mkdir()
    (d / "hosts").write_text("".join(f"{ip} {' '.join(names)}\n" for ip, names in hosts.items()))
    access = d / "access.log"
    (d / "squid.conf").write_text(f"""\
http_port 127.0.0.1:{SQUID_PORT}
hosts_file {d / 'hosts'}
acl test_sites dstdomain .proxydocs.test {HUB}
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny !test_sites
http_access deny CONNECT !SSL_ports
http_access allow localhost
http_access deny all
cache deny all
pinger_enable off
dns_nameservers 127.0.0.1
read_timeout 5 seconds
logformat proxydocs %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %Sh/%<a %mt "%{{User-Agent}}>h"
access_log stdio:{access} proxydocs
cache_log {d / 'cache.log'}
pid_filename {d / 'squid.pid'}
coredump_dir {d}
cache_effective_user proxy
shutdown_lifetime 0 seconds
""")
    access.touch()
    shutil.chown(d, "proxy", "proxy")
    shutil.chown(access, "proxy", "proxy")
    check = mac.run(["/usr/sbin/squid", "-k", "parse", "-f", str(d / "squid.conf")])
    assert check.returncode == 0, check.stderr
    proc = mac.start("squid", ["/usr/sbin/squid", "-N", "-f", str(d / "squid.conf")])
    mac.wait_port("127.0.0.1", SQUID_PORT, proc)
    return access


def start_registry(mac: Mac, name: str, ip: str, cert: Path, key: Path, auth: str = "") -> Proc:
    d = mac.tmp / name
    (d / "storage").mkdir(parents=True)
    (d / "config.yml").write_text(f"""\
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: {d / 'storage'}
http:
  addr: {ip}:443
  tls:
    certificate: {cert}
    key: {key}
{auth}""")
    proc = mac.start(name, ["docker-registry", "serve", str(d / "config.yml")])
    mac.wait_port(ip, 443, proc)
    return proc


def hub_auth(ca: Path) -> str:
    """Token auth like Docker Hub's: GET /v2/ answers 401 with a Bearer challenge."""
    return f"""auth:
  token:
    realm: https://auth.proxydocs.test/token
    service: registry.docker.io
    issuer: proxydocs
    rootcertbundle: {ca}
"""


def start_origin(mac: Mac, root: Path) -> Proc:
    proc = mac.start("origin", ["python3", "-m", "http.server", "--bind", ORIGIN_IP, "80", "--directory", str(root)])
    mac.wait_port(ORIGIN_IP, 80, proc)
    return proc


def apt_repository(root: Path) -> None:
    """A tiny unsigned apt repository (the VM's sources line says [trusted=yes])."""
    import gzip
    import hashlib
    comp = root / "debian/dists/proxydocs/main/binary-amd64"
    comp.mkdir(parents=True)
    packages = b""  # no package: `apt update` is what is proven
    (comp / "Packages").write_bytes(packages)
    (comp / "Packages.gz").write_bytes(gzip.compress(packages, mtime=0))
    lines = []
    for f in sorted(comp.iterdir()):
        data = f.read_bytes()
        lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} main/binary-amd64/{f.name}")
    date = time.strftime("%a, %d %b %Y %H:%M:%S UTC", time.gmtime())
    (root / "debian/dists/proxydocs/Release").write_text(
        f"Origin: proxydocs\nSuite: proxydocs\nCodename: proxydocs\nDate: {date}\nArchitectures: amd64\n"
        f"Components: main\nSHA256:\n" + "\n".join(lines) + "\n")


def squid_lines(access: Path, since: int, pattern: str, timeout: float = 30) -> list[str]:
    """The access log's lines after byte `since` that match `pattern` (regex), waiting for them
    up to `timeout` s (a CONNECT line is written when its tunnel closes)."""
    deadline = time.monotonic() + timeout
    while True:
        with open(access, "rb") as fh:
            fh.seek(since)
            lines = [l for l in fh.read().decode(errors="replace").splitlines() if re.search(pattern, l)]
        if lines or time.monotonic() >= deadline:
            return lines
        time.sleep(0.5)
