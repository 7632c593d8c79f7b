"""The SOCKS topology (tunnel.forward = "dynamic", proxy.scheme = "socks5h"), used the way
the guide says, with the real programs: ssh -D from the generated ~/.ssh/config block, curl
and apt with socks5h:// URLs, and privoxy on the Mac for the programs that speak no SOCKS.

Everything runs in a network namespace of its own with only `lo` (so the settings' own ports,
3128, 8118 and 22, are free, and a name lookup cannot leave the machine). The origin's host
name resolves only on the server: sshd runs in a mount namespace whose /etc/hosts has it, the
client side ("the Mac") has no entry and no reachable DNS server. A request that arrives
proves the name travelled through the tunnel unresolved; sshd's own log (LogLevel DEBUG1)
names the target each forwarded connection asked for.

Go is not run here: Debian 12's Go 1.19 predates socks5h support (Go 1.23); test_dialects.py
checks that rule against the local Go's version."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import api
from generator.model.derive import derive
from generator.model.settings import Settings, load
from generator.validate.environment import pam_env_parse
from generator.validate.pam import read_environment
from support import STEP_TIMEOUT, require
from support.clients import CLEAN_PATH, apt_fetch

GUIDE = "container/colima/colima_proxy/"
NAME = "registry.abroad.test"  # resolves only on the server's side
ORIGIN_IP = "127.0.0.2"
URL = f"http://{NAME}/v2.txt"
BODY = "registry stand-in\n"
# sshd (serverloop.c) at DEBUG1, for every direct-tcpip channel ssh -D opens
TARGET = re.compile(r"server_request_direct_tcpip: originator \S+ port \d+, target (\S+) port (\d+)")


@dataclass
class Netns:
    """A network namespace with only `lo`, held by a sleeping process the world stops."""
    holder: subprocess.Popen

    @property
    def enter(self) -> tuple[str, ...]:
        return (require("nsenter")["nsenter"], f"--net=/proc/{self.holder.pid}/ns/net")

    def run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run([*self.enter, *argv], capture_output=True, text=True, timeout=STEP_TIMEOUT, **kw)

    def listeners(self, port: int) -> list[str]:
        """`ss` lines of every TCP socket listening on port, on any address."""
        proc = self.run([require("ss")["ss"], "-Hltnp", f"sport = :{port}"])
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()

    def wait_port(self, host: str, port: int, proc: subprocess.Popen, log: Path | None = None) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}: {log.read_text() if log else ''}")
            if any(f" {host}:{port} " in f" {line} " for line in self.listeners(port)):
                return
            time.sleep(0.05)
        raise TimeoutError(f"nothing listens on {host}:{port} in the namespace after {STEP_TIMEOUT}s")


@dataclass
class Socks:
    ns: Netns
    out: Path
    settings: Settings
    server_pid: int  # sshd, in the mount namespace where NAME resolves
    sshd_log: Path
    origin_log: Path

    def file(self, rel: str) -> Path:
        return self.out / rel

    def sshd_targets(self, since: int, timeout: float = 2) -> list[str]:
        """`host port` of each connection ssh -D asked sshd to open after log offset `since`
        (waits a moment for at least one)."""
        deadline = time.monotonic() + timeout
        while True:
            with open(self.sshd_log, "rb") as fh:
                fh.seek(since)
                found = [f"{m[1]} {m[2]}" for m in TARGET.finditer(fh.read().decode(errors="replace"))]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def targets_before_marker(self, since: int) -> list[str]:
        """`host port` of each connection ssh -D asked sshd to open after log offset `since`,
        up to a marker connection asked for now. No waiting for a silence: ssh sends a channel
        open before it answers the SOCKS client (and no answer if the open fails), over one
        connection, in order, and sshd logs each as it reads it."""
        probe = ("import socket,sys; c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5);"
                 " c.sendall(b'\\x05\\x01\\x00'); c.recv(2); n=sys.argv[3].encode();"
                 " c.sendall(b'\\x05\\x01\\x00\\x03' + bytes([len(n)]) + n + (9).to_bytes(2, 'big')); c.recv(10)")
        marker = f"proxydocs-marker-{time.monotonic_ns()}.invalid"  # a name nothing resolves
        proc = self.ns.run([sys.executable, "-c", probe, self.settings["proxy.listen"], str(self.settings["proxy.port"]),
                            marker], env=CLEAN_PATH)
        assert proc.returncode == 0, proc.stderr
        found: list[str] = []
        deadline = time.monotonic() + STEP_TIMEOUT
        while f"{marker} 9" not in found:
            assert time.monotonic() < deadline, f"sshd did not log the marker: {found}"
            time.sleep(0.01)
            found = self.sshd_targets(since, timeout=0)
        return found[:found.index(f"{marker} 9")]

    def mark(self) -> int:
        return self.sshd_log.stat().st_size

    def origin_requests(self) -> int:
        return self.origin_log.read_text(errors="replace").count('"GET /v2.txt HTTP/1.1" 200')


@pytest.fixture(scope="module")
def socks(world) -> Socks:
    tools = require("unshare", "nsenter", "ip", "ss", "sh")
    holder = world.start("socks-netns", [tools["unshare"], "--net", tools["sh"], "-c",
                                         f'{tools["ip"]} link set lo up && echo up && exec sleep infinity'])
    deadline = time.monotonic() + STEP_TIMEOUT
    while "up" not in world.logs["socks-netns"].read_text():
        assert holder.poll() is None and time.monotonic() < deadline, world.logs["socks-netns"].read_text()
        time.sleep(0.02)
    ns = Netns(holder)

    world.serve_origin("socks-origin", ORIGIN_IP, 80, wrap=ns.enter, wait=ns.wait_port)
    hosts = world.tmp / "socks-server-hosts"
    hosts.write_text(f"127.0.0.1 localhost\n::1 localhost\n{ORIGIN_IP} {NAME}\n")
    mount_hosts = (tools["unshare"], "--mount", "--propagation", "private", tools["sh"], "-c",
                   'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts))
    # the settings' own ssh port: nothing else listens in this namespace
    server = world.start_sshd("socks-sshd", 22, wrap=(*ns.enter, *mount_hosts), extra="LogLevel DEBUG1\n",
                              wait=ns.wait_port)

    # the defaults, switched to the SOCKS topology, with only what one machine forces changed
    settings = load(None, ["tunnel.forward=dynamic", "proxy.scheme=socks5h", "tunnel.hostname=127.0.0.1",
                           "tunnel.user=root", f"tunnel.identity_file={server.key}", "vm.host_address=127.0.0.1"])
    out = world.tmp / "out-socks"
    api.render(settings, out)
    return Socks(ns, out, settings, server.proc.pid, server.log, world.logs["socks-origin"])


@pytest.fixture(scope="module")
def socks_tunnel(world, socks):
    """ssh -fN ALIAS with the generated block (only the key's known_hosts and the control
    socket moved under the test's directory), in the namespace; stopped by its master's PID."""
    tools = require("ssh")
    control = world.tmp / "cm-socks"
    base = [tools["ssh"], "-F", str(socks.file(GUIDE + "ssh_config")), "-o", "BatchMode=yes",
            "-o", f"UserKnownHostsFile={world.tmp / 'known_hosts-socks'}", "-o", f"ControlPath={control}"]
    alias = socks.settings["tunnel.alias"]
    opened = socks.ns.run([*base, "-o", "ControlMaster=yes", "-fN", alias])
    assert opened.returncode == 0, opened.stderr + world.dump_logs()
    check = socks.ns.run([*base, "-O", "check", alias])
    master = re.search(r"Master running \(pid=(\d+)\)", check.stderr)
    assert master, check.stderr
    pid = int(master[1])
    yield pid
    socks.ns.run([*base, "-O", "exit", alias])
    time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def in_ns(socks: Socks, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return socks.ns.run(argv, env={**CLEAN_PATH, **env})


def sourced_curl(socks: Socks, env_file: Path) -> subprocess.CompletedProcess:
    """curl in a bash that sourced env_file (the way ~/.zshrc is read), nothing else set."""
    tools = require("bash", "curl")
    return in_ns(socks, [tools["bash"], "--norc", "--noprofile", "-c", '. "$1" && exec "$2" -sS --max-time 5 "$3"',
                         "_", str(env_file), tools["curl"], URL], {})


def test_1_ssh_config_opens_a_socks_port_on_loopback_only(socks, socks_tunnel):
    s = socks.settings
    port = s["proxy.port"]
    lines = socks.ns.listeners(port)
    # exactly one listener, the ssh master, on the address the settings name (no [::1], no 0.0.0.0)
    assert len(lines) == 1, lines
    assert f" {s['proxy.listen']}:{port} " in f" {lines[0]} ", lines
    assert f'("ssh",pid={socks_tunnel},' in lines[0], lines
    # and it speaks SOCKS5: the greeting "version 5, one method, no authentication" is accepted
    probe = ("import socket,sys; c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5);"
             " c.sendall(b'\\x05\\x01\\x00'); sys.stdout.write(c.recv(2).hex())")
    proc = in_ns(socks, [sys.executable, "-c", probe, s["proxy.listen"], str(port)], {})
    assert proc.returncode == 0 and proc.stdout == "0500", proc.stdout + proc.stderr


def test_2_socks5h_lets_the_server_resolve_the_name(world, socks, socks_tunnel):
    getent = require("getent")["getent"]
    # the setup: only the server's side knows the name
    mac = in_ns(socks, [getent, "hosts", NAME], {})
    assert mac.returncode == 2, f"the client side resolves {NAME}: {mac.stdout}"
    nsenter = require("nsenter")["nsenter"]
    server = socks.ns.run([nsenter, f"--mount=/proc/{socks.server_pid}/ns/mnt", getent, "hosts", NAME])
    assert server.stdout.split() == [ORIGIN_IP, NAME], server.stdout + server.stderr

    env_file = socks.file(GUIDE + "proxy_env")
    assert "socks5h://" in env_file.read_text()
    since, served = socks.mark(), socks.origin_requests()
    proc = sourced_curl(socks, env_file)
    assert proc.returncode == 0 and proc.stdout == BODY, proc.stderr
    assert socks.sshd_targets(since) == [f"{NAME} 80"], "sshd was not asked for the name itself"
    assert socks.origin_requests() == served + 1

    # control: socks5:// makes curl resolve the name itself, which it cannot do here
    local = world.tmp / "proxy_env-socks5"
    local.write_text(env_file.read_text().replace("socks5h://", "socks5://"))
    since = socks.mark()
    proc = sourced_curl(socks, local)
    assert proc.returncode != 0 and f"Could not resolve host: {NAME}" in proc.stderr, proc.stdout + proc.stderr
    assert socks.targets_before_marker(since) == []


def apt_environment(socks: Socks) -> dict[str, str]:
    """The proxy variables the machine's pam_env sets from the file (the model finds nothing wrong)."""
    path = socks.file(GUIDE + "environment")
    assert not pam_env_parse(path.read_text()).problems
    return {k: v for k, v in read_environment(path).items() if k.lower().endswith("_proxy")}


@pytest.mark.parametrize("source", ["apt_proxy", "environment"])
def test_3_apt_fetches_through_the_socks_tunnel(socks, socks_tunnel, source):
    """The apt file the guide uses (kind "apt": Acquire::http::Proxy "socks5h://...") and the
    VM's /etc/environment (apt's http method reads http_proxy when no Proxy is configured)."""
    if source == "apt_proxy":
        config, env = socks.file("container/colima/colima_proxy_archive/apt_proxy"), {}
        assert 'Acquire::http::Proxy "socks5h://' in config.read_text()
    else:
        config, env = None, apt_environment(socks)
        assert env["http_proxy"].startswith("socks5h://"), env
    since, served = socks.mark(), socks.origin_requests()
    proc = apt_fetch(URL, config, env, wrap=socks.ns.enter)
    assert proc.fetched == BODY, proc.stdout + proc.stderr
    assert socks.sshd_targets(since) == [f"{NAME} 80"]
    assert socks.origin_requests() == served + 1
    # control: without the proxy apt looks the name up itself and fails
    direct = apt_fetch(URL, None, wrap=socks.ns.enter)
    assert direct.fetched is None and f"resolving '{NAME}'" in direct.stdout + direct.stderr, direct.stdout


@pytest.fixture(scope="module")
def bridge(world, socks, socks_tunnel) -> Path:
    """privoxy --no-daemon FILE, as the guide runs it, with the rendered file; the test adds
    only `debug 1` (privoxy logs no request by default) after the rendered lines."""
    tools = require("privoxy")
    rendered = socks.file(GUIDE + "privoxy_bridge").read_text()
    config = world.tmp / "privoxy_bridge"
    config.write_text(rendered + "\n# test only: log every request\ndebug 1\n")
    host, port = derive(socks.settings).bridge_listen.rsplit(":", 1)
    proc = world.start("socks-privoxy", [*socks.ns.enter, tools["privoxy"], "--no-daemon", str(config)])
    socks.ns.wait_port(host.strip("[]"), int(port), proc, world.logs["socks-privoxy"])
    log = world.logs["socks-privoxy"]
    time.sleep(0.1)
    # privoxy starts even with directives it does not understand: its log must show no complaint
    assert not re.search(r"\b(Error|Fatal|Warning)\b", log.read_text()), log.read_text()
    return log


def test_4_privoxy_bridges_wget_and_urllib_to_the_socks_port(socks, socks_tunnel, bridge):
    tools = require("wget")
    http_proxy = derive(socks.settings).bridge_vm_url  # what the guide gives these programs
    urllib = ("import sys, urllib.request;"
              " sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())")
    for name, argv in (("wget", [tools["wget"], "-nv", "-O", "-", "-T", "5", "-t", "1", URL]),
                       ("urllib", [sys.executable, "-c", urllib, URL])):
        since, privoxy_since, served = socks.mark(), bridge.stat().st_size, socks.origin_requests()
        proc = in_ns(socks, argv, {"http_proxy": http_proxy})
        assert proc.returncode == 0 and proc.stdout == BODY, f"{name}: {proc.stderr}"
        with open(bridge, "rb") as fh:
            fh.seek(privoxy_since)
            assert f"Request: {NAME}/v2.txt".encode() in fh.read(), f"{name} did not go through privoxy"
        assert socks.sshd_targets(since) == [f"{NAME} 80"], f"{name}: privoxy did not hand the name to ssh -D"
        assert socks.origin_requests() == served + 1

    # neither speaks SOCKS itself, as the guide says: given the socks5h:// URL directly, wget
    # refuses the proxy and urllib has no handler for its scheme
    socks_url = derive(socks.settings).vm_url
    since = socks.mark()
    proc = in_ns(socks, [tools["wget"], "-O", "-", "-T", "5", "-t", "1", URL],  # no -q: it hides the refusal
                 {"http_proxy": socks_url})
    assert proc.returncode != 0 and proc.stdout == "", proc.stdout
    assert "Unsupported scheme" in proc.stderr and "socks5h" in proc.stderr, proc.stderr
    proc = in_ns(socks, [sys.executable, "-c", urllib, URL], {"http_proxy": socks_url})
    assert proc.returncode != 0 and "unknown url type: socks5h" in proc.stderr, proc.stdout + proc.stderr
    assert socks.targets_before_marker(since) == []
