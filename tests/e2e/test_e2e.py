"""The generated files, used the way the guide tells a reader to use them, carry real
requests through a real SSH tunnel and a real proxy; each check is read from the proxy's
own log. Runs once with squid and once with privoxy."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from support import require
from support.clients import apt_fetch, curl
from generator.validate.docker import docker_create_env
from generator.validate.environment import pam_env_parse
from generator.validate.pam import read_environment
from generator.validate.systemd import merged_environment
from generator.render.formats import systemctl_show

from support import STEP_TIMEOUT

GUIDE = "container/colima/colima_proxy/"


def log_size(proxy) -> int:
    return proxy[2].stat().st_size if proxy[2].exists() else 0


def _host(url: str) -> bytes:
    return url.split("://", 1)[1].split("/", 1)[0].encode()


def _logged(proxy, since: int, needle: bytes, timeout: float) -> bytes | None:
    """The proxy's log after offset `since` once it holds needle, or None after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy[2].exists():
            with open(proxy[2], "rb") as fh:
                fh.seek(since)
                logged = fh.read()
            if needle in logged:
                return logged
        time.sleep(0.01)
    return None


def proxy_saw(proxy, since: int, url: str, timeout: float = 5) -> bool:
    """The proxy's own log shows a request for url's host after offset `since`."""
    return _logged(proxy, since, _host(url), timeout) is not None


def proxy_passed_nothing(proxy, since: int, url: str) -> bool:
    """Nothing for url's host reached the proxy after offset `since`, from a client that has
    finished. The proof does not wait for a silence: a marker request sent to the proxy now
    must come first for that host in its log. squid (its `stdio:` access log) writes a line at
    once when each transaction ends, and privoxy writes its `Request:` line once it has read a
    request, before it forwards it; so a request that reached the proxy and finished before the
    marker was sent is logged before it."""
    path = f"/proxydocs-marker-{time.monotonic_ns()}"
    proc = curl(url.rsplit("/", 1)[0] + path, {}, "-x", f"http://127.0.0.1:{proxy[1]}")
    assert proc.returncode == 0, proc.stderr
    logged = _logged(proxy, since, path.encode(), 5)
    assert logged is not None, f"{proxy[0]} did not log the marker"
    before = logged[:logged.index(path.encode())]
    before = before[:before.rfind(b"\n") + 1]
    # privoxy's second line of a request (debug 512) comes after its answer, maybe after `since`
    # was taken for a request proxied earlier: only its `Request:` lines count
    return (b"Request: " + _host(url) + b"/" if proxy[0] == "privoxy" else _host(url)) not in before


def test_1_ssh_config_opens_the_tunnel(tunnel, rendered, origin, proxy):
    since = log_size(proxy)
    proc = curl(origin, {}, "-x", f"http://127.0.0.1:{rendered.local_port}")
    assert proc.returncode == 0 and proc.stdout == "registry stand-in\n", proc.stderr
    assert proxy_saw(proxy, since, origin), f"{proxy[0]} did not log the request"


def test_2_etc_environment_gives_curl_and_python_the_proxy(tunnel, rendered, origin, proxy):
    path = rendered.file(GUIDE + "environment")
    assert not pam_env_parse(path.read_text()).problems
    env = {k: v for k, v in read_environment(path).items() if k.lower().endswith("_proxy")}  # pam_env's own reading
    since = log_size(proxy)
    proc = curl(origin, env)
    assert proc.returncode == 0 and proc.stdout == "registry stand-in\n", proc.stderr
    assert proxy_saw(proxy, since, origin)
    since = log_size(proxy)
    code = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())"
    py = subprocess.run([sys.executable, "-c", code, origin], env={"PATH": "/usr/bin:/bin", **env},
                        capture_output=True, text=True, timeout=STEP_TIMEOUT)
    assert py.returncode == 0 and py.stdout == "registry stand-in\n", py.stderr
    assert proxy_saw(proxy, since, origin)


def test_3_apt_proxy_file_sends_apt_through_the_proxy(tunnel, rendered, origin, proxy):
    since = log_size(proxy)
    proc = apt_fetch(origin, rendered.file("container/colima/colima_proxy_archive/apt_proxy"))
    assert proc.fetched == "registry stand-in\n", proc.stdout + proc.stderr
    assert proxy_saw(proxy, since, origin)
    since = log_size(proxy)
    direct = apt_fetch(origin, None)
    assert direct.fetched == "registry stand-in\n"
    assert proxy_passed_nothing(proxy, since, origin), "without the file apt must go direct"


def test_4_config_json_reaches_the_container_create_request(rendered):
    env, stderr = docker_create_env(rendered.file(GUIDE + "config.json").read_text())
    url = f"http://127.0.0.1:{rendered.local_port}"
    # the reader's list, then the Mac as the VM names it (vm.host_address is 127.0.0.1 here, listed already)
    no_proxy = "localhost,127.0.0.1,*.baidu.com,192.168.0.0/16,10.0.0.0/8,host.lima.internal,host.docker.internal"
    assert "WARNING" not in stderr
    assert set(env) == {f"{n}={url}" for n in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")} | {
        f"{n}={no_proxy}" for n in ("NO_PROXY", "no_proxy")}


@pytest.mark.parametrize("script,service", [
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "docker"),
    ("kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd", "containerd"),
    (GUIDE + "create_http_proxy_conf_for_buildkit", "buildkit"),
])
def test_5_scripts_write_the_drop_in_systemd_merges(world, rendered, script, service):
    tools = require("unshare", "bash")
    etc = Path(tempfile.mkdtemp(prefix="proxydocs-etc-", dir="/tmp"))
    stubs = Path(tempfile.mkdtemp(prefix="proxydocs-stubs-", dir="/tmp"))
    (stubs / "systemctl").write_text('#!/bin/sh\necho "systemctl $*" >> "$STUB_LOG"\n')
    (stubs / "systemctl").chmod(0o755)
    log = stubs / "calls"
    proc = subprocess.run(
        [tools["unshare"], "--mount", "--propagation", "private", "sh", "-c",
         'mount --bind "$1" /etc/systemd/system && exec bash "$2"', "_", str(etc), str(rendered.file(script))],
        env={"PATH": f"{stubs}:/usr/sbin:/usr/bin:/sbin:/bin", "STUB_LOG": str(log)},
        capture_output=True, text=True, timeout=STEP_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    dropin = etc / f"{service}.service.d" / "http-proxy.conf"
    assert dropin.exists() and not Path(f"/etc/systemd/system/{service}.service.d/http-proxy.conf").exists()
    assert log.read_text() == f"systemctl daemon-reload\nsystemctl restart {service}\n"
    entries, verify = merged_environment(service, {"http-proxy.conf": dropin.read_text()})
    assert verify == ""
    shown = rendered.file("container/colima/colima_proxy_archive/systemctl_show_env").read_text()
    assert "Environment=" + systemctl_show(e.split("=", 1) for e in entries) in shown.splitlines()
    shutil.rmtree(etc), shutil.rmtree(stubs)


def test_6_the_counterexample_fails_as_the_guide_says(rendered, origin):
    tools = require("bash", "apt-helper")
    script = 'set -a; . "$1"; exec "$2" -o Acquire::Retries=0 download-file "$3" /tmp/proxydocs-never'
    proc = subprocess.run([tools["bash"], "--norc", "-c", script, "_", str(rendered.file(GUIDE + "proxy_env_simple")),
                           tools["apt-helper"], origin], capture_output=True, text=True, timeout=STEP_TIMEOUT,
                          env={"PATH": "/usr/bin:/bin"})
    assert f"Unsupported proxy configured: 127.0.0.1://{rendered.local_port}" in proc.stdout + proc.stderr


def test_7_tunnel_down_fails_fast_and_clearly(world, rendered, tunnel, origin):
    require("ssh")
    subprocess.run([*tunnel, "-O", "exit", rendered.alias], capture_output=True, timeout=STEP_TIMEOUT)
    time.sleep(0.2)
    started = time.monotonic()
    proc = curl(origin, {}, "-x", f"http://127.0.0.1:{rendered.local_port}")
    elapsed = time.monotonic() - started
    assert proc.returncode == 7, proc.stderr  # CURLE_COULDNT_CONNECT
    assert "Failed to connect" in proc.stderr and f"port {rendered.local_port}" in proc.stderr
    assert elapsed < 2, f"took {elapsed:.1f}s: the client hung instead of failing fast"
