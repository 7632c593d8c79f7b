"""The world of the end-to-end tests, all on loopback and all stopped by PID: an HTTP origin
standing in for a registry, a throwaway sshd (the server abroad) with squid or privoxy on its
loopback, refusing every destination that is not loopback, and the generated files rendered
with --out for this one machine."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator import api
from generator.model.settings import load
from support import STEP_TIMEOUT, require, require_root
from support.sshd import sshd_config

ORIGIN_HOST = "127.0.0.2"  # loopback, but not in the default NO_PROXY list: traffic must use the proxy
ORIGIN_BODY = "registry stand-in\n"



def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(host: str, port: int, proc: subprocess.Popen, log: Path | None = None, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {log.read_text() if log and log.exists() else ''}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


@dataclass
class World:
    tmp: Path
    procs: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[str, Path] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], **kw) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        fh = open(log, "ab")
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True, **kw)
        self.procs.append(proc)
        self.logs[name] = log
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=6)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def dump_logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.read_text(errors='replace')[-3000:]}" for n, p in self.logs.items() if p.exists())

    def serve_origin(self, name: str, host: str, port: int, *, wrap: tuple[str, ...] = (),
                     wait=wait_port) -> subprocess.Popen:
        """An HTTP origin serving /v2.txt ("registry stand-in") on host:port; `wrap` is a
        command prefix (nsenter into a namespace ...), `wait` how to see it listen there."""
        root = self.tmp / name
        root.mkdir()
        (root / "v2.txt").write_text(ORIGIN_BODY)
        proc = self.start(name, [*wrap, sys.executable, "-m", "http.server", "--bind", host, str(port),
                                 "--directory", str(root)])
        wait(host, port, proc, self.logs[name])
        return proc

    def start_sshd(self, name: str, port: int, *, wrap: tuple[str, ...] = (), extra: str = "",
                   wait=wait_port) -> Sshd:
        """A throwaway sshd on 127.0.0.1:port (the server abroad) with its own host and client
        keys; `extra` adds sshd_config lines, `wrap` and `wait` as for serve_origin."""
        tools = require("sshd", "ssh-keygen")
        d = self.tmp / name
        d.mkdir()
        Path("/run/sshd").mkdir(exist_ok=True)
        subprocess.run([tools["ssh-keygen"], "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key")], check=True)
        subprocess.run([tools["ssh-keygen"], "-q", "-t", "ed25519", "-N", "", "-f", str(d / "client_key")], check=True)
        shutil.copy(d / "client_key.pub", d / "authorized_keys")
        sshd_config(d, port, d / "authorized_keys", extra)
        check = subprocess.run([tools["sshd"], "-t", "-f", str(d / "sshd_config")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = self.start(name, [*wrap, tools["sshd"], "-D", "-e", "-f", str(d / "sshd_config")])
        wait("127.0.0.1", port, proc, self.logs[name])
        return Sshd(port, d / "client_key", proc, self.logs[name])


@dataclass
class Sshd:
    port: int
    key: Path  # the client's private key, authorized for root
    proc: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def world():
    require_root()
    tmp = Path(tempfile.mkdtemp(prefix="proxydocs-e2e-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    w = World(tmp)
    yield w
    w.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def origin(world):
    port = free_port(ORIGIN_HOST)
    world.serve_origin("origin", ORIGIN_HOST, port)
    return f"http://{ORIGIN_HOST}:{port}/v2.txt"


def _squid(world: World, port: int) -> Path:
    tools = require("squid")
    d = world.tmp / "squid"
    d.mkdir()
    access = d / "access.log"
    (d / "squid.conf").write_text(f"""\
http_port 127.0.0.1:{port}
acl to_loopback dstdom_regex ^127\\.[0-9.]+$ ^\\[?::1\\]?$ ^localhost$
http_access deny !to_loopback
http_access allow localhost
http_access deny all
cache deny all
pinger_enable off
dns_nameservers 127.0.0.1
access_log stdio:{access}
cache_log {d / 'cache.log'}
pid_filename {d / 'squid.pid'}
coredump_dir {d}
cache_effective_user proxy
shutdown_lifetime 0 seconds
""")
    shutil.chown(d, "proxy", "proxy")
    check = subprocess.run([tools["squid"], "-k", "parse", "-f", str(d / "squid.conf")], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    proc = world.start("squid", [tools["squid"], "-N", "-f", str(d / "squid.conf")])
    wait_port("127.0.0.1", port, proc, world.logs["squid"])
    world.logs["squid-access"] = access
    return access


def _privoxy(world: World, port: int) -> Path:
    tools = require("privoxy")
    d = world.tmp / "privoxy"
    d.mkdir()
    (d / "config").write_text(f"""\
listen-address 127.0.0.1:{port}
permit-access 127.0.0.1 127.0.0.0/8
toggle 0
debug 1
debug 512
""")
    proc = world.start("privoxy", [tools["privoxy"], "--no-daemon", str(d / "config")])
    wait_port("127.0.0.1", port, proc, world.logs["privoxy"])
    return world.logs["privoxy"]


@pytest.fixture(scope="session", params=["squid", "privoxy"])
def proxy(request, world):
    """(name, access log) of the proxy on the server's loopback."""
    port = free_port()
    log = _squid(world, port) if request.param == "squid" else _privoxy(world, port)
    return request.param, port, log


@pytest.fixture(scope="session")
def sshd(world):
    """(port, client key) of the throwaway sshd on this machine's loopback."""
    server = world.start_sshd("sshd", free_port())
    return server.port, server.key


@dataclass
class Rendered:
    out: Path
    local_port: int
    alias: str = "MyProxy"

    def file(self, rel: str) -> Path:
        return self.out / rel


@pytest.fixture(scope="session")
def rendered(world, sshd, proxy):
    """The defaults, with only what one machine forces changed, rendered with --out."""
    ssh_port, key = sshd
    name, proxy_port, _ = proxy
    local_port = free_port()
    out = world.tmp / f"out-{name}"
    settings = load(None, ["tunnel.hostname=127.0.0.1", f"tunnel.ssh_port={ssh_port}", "tunnel.user=root",
                           f"tunnel.identity_file={key}", f"tunnel.remote_port={proxy_port}",
                           f"proxy.port={local_port}", "vm.host_address=127.0.0.1"])
    api.render(settings, out)  # the whole tree: the counter-example too, which a reader's copy leaves out
    return Rendered(out, local_port)


@pytest.fixture(scope="session")
def tunnel(world, rendered):
    """The tunnel opened the way the guide says: ssh -fN ALIAS with the generated config."""
    tools = require("ssh")
    control = world.tmp / f"cm-{rendered.local_port}"
    base = [tools["ssh"], "-F", str(rendered.file("container/colima/colima_proxy/ssh_config")),
            "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={world.tmp / 'known_hosts'}",
            "-o", f"ControlPath={control}"]
    proc = subprocess.run([*base, "-o", "ControlMaster=yes", "-fN", rendered.alias],
                          capture_output=True, text=True, timeout=STEP_TIMEOUT)
    assert proc.returncode == 0, proc.stderr + world.dump_logs()
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", rendered.local_port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield base
    subprocess.run([*base, "-O", "exit", rendered.alias], capture_output=True, timeout=STEP_TIMEOUT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, print the proxy's and sshd's logs."""
    outcome = yield
    report = outcome.get_result()
    world = item.funcargs.get("world")
    if report.failed and world is not None:
        report.sections.append(("proxy and sshd logs", world.dump_logs()))
