"""A Colima-like VM behind the generated tunnel and proxy: the VM-side steps of the guide run in
it with the real daemons, and each check is read from squid's own access log.

The tests run in the order written, on one VM booted once: first the docker runtime (as
Colima's docker runtime: Lima's /etc/environment and Colima's daemon.json), then, with
dockerd stopped and masked, the containerd runtime. The numbers are the issue's checks."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
import yaml

from . import guide
from .conftest import REPORT
from .lab import SOCKS_PORT, mac_line, record_tunnel_pid, ref, tunnel_lines
from .lima import GATEWAY, colima_daemon_proxies, lima_block, shell_exports
from .world import HUB, ORIGIN, REGISTRY, squid_lines, tail

pytestmark = pytest.mark.vm
VM = guide.marked(guide.VM_MARK)
RAN: set[str] = set()          # keys of the page's marked blocks that a test ran
ROOT_PATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

# VM-side blocks of the page that this tier does not run, and why.
NOT_RUN = {
    "container/colima/colima_proxy/install_docker":
        "installs docker.io from Ubuntu's mirror; the image has Debian 13's docker.io already, and the VM can "
        "reach only the test repository",
    "container/colima/colima_proxy/create_http_proxy_conf_for_buildkit":
        "Debian 13 has no standalone buildkitd (no buildkit.service); docker build's embedded BuildKit is check 2",
    "container/colima/colima_proxy/nerdctl_build":
        "Debian 13 has no nerdctl; the client-side pull nerdctl 2.2 does is `ctr images pull --local` (check 6)",
    "container/colima/images/debian_tini_image/dev/build_debian-dev_image":
        "needs the debian-dev Dockerfile and Debian's mirror; the same path (config.json build args) is check 2",
    "container/colima/images/debian_tini_image/dev/run_debian-dev_container":
        "needs the debian-dev image; the same path (-e / config.json) is check 3",
    "container/colima/colima_proxy/buildkitd.toml":
        "a counter-example (buildkitd has no `env` key); Debian 13 has no standalone buildkitd, and the "
        "buildkitd_toml validator rejects the file",
}
# VM-side snippets that are files or captured output, not commands: where each is proven.
FILES = {
    "container/colima/colima_proxy_archive/apt_proxy": "written by setup_vm.sh; check 4 uses it",
    "container/colima/colima_proxy/environment": "output of `cat /etc/environment`: compared",
    "container/colima/colima_proxy/colima_env": "output of `env | grep -i proxy`: compared",
    "container/colima/colima_proxy/daemon.json": "output of `sudo cat /etc/docker/daemon.json`: compared",
    "container/colima/colima_proxy/config.json": "written by setup_vm.sh; checks 2 and 3 use it",
    "docker/network/docker_proxy/http-proxy.conf": "written by setup_vm.sh and the scripts; checks 5, 6",
    "container/colima/colima_proxy/dockerfile_env":
        "Dockerfile ENV lines: the values equal config.json's build args, which check 2 proves",
    "container/colima/colima_proxy/build_error": "a captured log of a failure without proxy",
}


def prove(lab, check: str, lines: list[str]) -> None:
    """Record the line that proves `check`: of several, the one that carried the most bytes."""
    assert lines, f"{check}: squid's access log has no such line\n{lab.logs()}"
    lab.proofs.append((check, max(lines, key=lambda l: int(l.split()[4]))))


def no_line(lab, since: int, pattern: str, wait: float = 12) -> None:
    """Nothing matching `pattern` reached squid (waiting past its 5 s tunnel timeout)."""
    seen = squid_lines(lab.access, since, pattern, timeout=wait)
    assert seen == [], f"squid saw {pattern}: {seen}"


def connect(name: str) -> str:
    return rf"TCP_TUNNEL/200 \d+ CONNECT {re.escape(name)}\.{re.escape(REGISTRY)}:443 "


def timed(lab, key: str, started: float) -> None:
    lab.timings[f"check {key}"] = time.monotonic() - started


def expected_container_env(lab) -> set[str]:
    default = json.loads(lab.rendered.text("config_json.j2", machine="vm"))["proxies"]["default"]
    pairs = {"HTTP_PROXY": default["httpProxy"], "HTTPS_PROXY": default["httpsProxy"], "NO_PROXY": default["noProxy"]}
    return {f"{k}={v}" for k, v in pairs.items()} | {f"{k.lower()}={v}" for k, v in pairs.items()}


# --- isolation and the Mac side ---------------------------------------------------------------

def test_nothing_outside_the_namespace_is_reachable(lab):
    links = lab.mac.run(["ip", "-o", "link"]).stdout
    assert [l.split(":")[1].strip() for l in links.splitlines()] == ["lo"], links
    routes = lab.mac.run(["ip", "route", "show", "table", "all"]).stdout.strip().splitlines()
    assert routes and all(" dev lo " in r + " " for r in routes), routes
    # TEST-NET addresses (RFC 5737): unreachable by definition even if confinement were broken
    out = lab.vm.ssh("for ip in 192.0.2.1 198.51.100.1 203.0.113.1; do "
                     "curl -sS --noproxy '*' --max-time 8 -o /dev/null http://$ip/ && echo REACHED $ip; done; "
                     f"curl -sS --noproxy '*' --max-time 8 -o /dev/null https://{REGISTRY}/v2/ && echo REACHED registry; "
                     "getent hosts deb.debian.org && echo RESOLVED", timeout=120)
    assert "REACHED" not in out.stdout and "RESOLVED" not in out.stdout, out.stdout + out.stderr
    assert out.stderr.count("curl:") == 4, out.stderr
    lab.proofs.append(("isolation: the VM reaches no address outside the namespace",
                       " | ".join(l for l in out.stderr.splitlines() if l.startswith("curl:"))[:300]))


def test_the_guides_tunnel_commands_run_on_the_mac(lab):
    block = guide.marked(guide.MAC_MARK)
    assert set(block) == {"container/colima/colima_proxy/ssh_tunnel"}
    (opening, c1, o1), (check, c2, o2), (curl, c3, o3) = lab.tunnel_runs
    assert c1 == 0, o1
    assert c2 == 0 and "Master running" in o2, o2
    assert c3 == 0 and o3.strip() == "401", o3  # the stand-in answers like Docker Hub: a token challenge
    prove(lab, "Mac: the guide's `ssh -fN`, `ssh -O check`, `curl -x ... /v2/` (401) through the tunnel",
          squid_lines(lab.access, lab.tunnel_since, rf"CONNECT {re.escape(HUB)}:443 "))


def test_the_vm_reaches_the_proxy_as_the_guide_checks(lab):
    """The guide's check, typed on the Mac: `colima ssh -- curl ... -x http://192.168.5.2:PORT` gets
    401 from the registry (a token challenge): the VM reached the proxy through the tunnel."""
    block = VM["container/colima/colima_proxy/vm_proxy_check"]
    text = lab.rendered.text("vm_proxy_check.j2")  # rendered with the lab's own settings
    command = next(line for line in text.splitlines() if line.startswith("colima ssh -- "))
    since = lab.since()
    assert lab.vm.must(command[len("colima ssh -- "):]).strip() == "401"
    prove(lab, "the guide's VM check: `curl -x http://192.168.5.2:PORT .../v2/` from the VM answers 401",
          squid_lines(lab.access, since, rf"CONNECT {re.escape(HUB)}:443 "))
    RAN.add(block.key)


# --- what Lima gives the VM -------------------------------------------------------------------

def test_lima_wrote_the_guides_etc_environment(lab):
    block = VM["$ colima ssh -- cat /etc/environment"]
    shown = lab.vm.must(block.commands()[0])
    page = lab.rendered.text("lima_environment.j2")
    lima = lambda text: text[text.index("#LIMA-START"):]  # noqa: E731 (outside the markers: the base image's own lines)
    assert lima(shown) == lima(page) == lima_block(lab.colima_env)
    RAN.add(block.key)


def test_a_login_sees_the_guides_proxy_variables(lab):
    block = VM["$ colima ssh -- env | grep -i proxy"]
    shown = lab.vm.must(block.commands()[0]).splitlines()
    page = lab.rendered.text("colima_env.j2").splitlines()
    assert sorted(shown) == sorted(page)  # the order env prints is the process's, not the page's claim
    if shown != page:
        REPORT["notes"].append(f"`env | grep -i proxy` prints the lines in another order than the page: {shown}")
    RAN.add(block.key)


def test_7_the_counterexample_breaks_apt_as_the_guide_says(lab):
    """colima.yaml/shell values without http:// reach /etc/environment unchanged (Lima's rule),
    and apt then refuses them with the message the guide quotes. No apt file yet."""
    started = time.monotonic()
    env = shell_exports(lab.rendered.text("proxy_env_simple.j2"))
    lab.vm.put("/tmp/counterexample", lima_block(env))
    lab.vm.must("sudo lima-boot --environment /tmp/counterexample")
    since = lab.since()
    try:
        out = lab.vm.ssh("sudo apt update", timeout=120)
        message = re.search(r"``(.*)``", re.search(r"\|apt_unsupported\| replace:: (.*)",
                            (lab.rendered.out / "_generated/settings.txt").read_text()).group(1)).group(1)
        assert message in out.stdout + out.stderr, out.stdout + out.stderr
        no_line(lab, since, "apt.proxydocs.test", wait=2)
        lab.proofs.append(("7: the counter-example (no http://) makes apt print", message))
    finally:
        lab.vm.put("/tmp/good", lima_block(lab.colima_env))
        lab.vm.must("sudo lima-boot --environment /tmp/good")
    timed(lab, "7", started)


def test_1_dockerd_pulls_with_colimas_daemon_json_alone(lab):
    """Before setup_vm.sh: as on Colima's docker runtime, daemon.json is dockerd's only proxy."""
    assert lab.vm.ssh("test -e /etc/systemd/system/docker.service.d/http-proxy.conf").returncode == 1
    since = lab.since()
    out = lab.vm.must(f"docker pull {ref('colima')}", timeout=240)
    assert "Downloaded newer image" in out, out
    prove(lab, "1: dockerd with Colima's daemon.json alone pulls", squid_lines(lab.access, since, connect("colima")))


# --- setup_vm.sh --------------------------------------------------------------------------------

def _pids(lab) -> str:
    return lab.vm.must("systemctl show -p MainPID --value containerd docker")


def test_setup_vm_writes_and_restarts_then_changes_nothing(lab):
    block = VM["container/colima/colima_proxy/setup_vm.sh"]
    script = f"cd /mnt/lima-cidata/proxydocs/{block.key.rsplit('/', 1)[0]} && sudo bash setup_vm.sh"
    started = time.monotonic()
    dockerd = lab.vm.must("systemctl show docker -p MainPID --value").strip()
    first = lab.vm.must(script, timeout=300)
    lines = first.splitlines()
    for line in ("wrote: /etc/apt/apt.conf.d/01proxy", "wrote: /etc/systemd/system/containerd.service.d/http-proxy.conf",
                 "restarted: containerd"):
        assert line in lines, first
    # Colima's docker runtime (dockerd, no nerdctl): dockerd is left alone, and said so
    assert any(line.startswith("docker: left alone: ") for line in lines), first
    assert not any("docker.service.d" in line or line == "restarted: docker" for line in lines), first
    assert lab.vm.must("systemctl show docker -p MainPID --value").strip() == dockerd, "setup_vm.sh restarted dockerd"
    assert any(line.startswith("docker client: it runs on the Mac") for line in lines), first
    assert "nothing to change" not in first
    # the docker client runs on the Mac there; here the VM's docker CLI stands in for it, with the
    # guide's ~/.docker/config.json for the Mac
    lab.vm.put("/tmp/config.json", lab.rendered.text("config_json.j2", machine="mac"))
    lab.vm.must("sudo -u lima mkdir -p /home/lima/.docker && sudo install -o lima -g lima -m 600 /tmp/config.json "
                "/home/lima/.docker/config.json")
    before = _pids(lab)
    second = lab.vm.must(script, timeout=300)
    assert "wrote:" not in second and "restarted:" not in second, second
    assert second.splitlines()[-1] == "nothing to change", second
    assert _pids(lab) == before, "the second run restarted a service"
    owner = lab.vm.must("stat -c %U /home/lima/.docker/config.json").strip()
    assert owner == "lima"
    timed(lab, "setup_vm.sh (two runs)", started)
    RAN.add(block.key)


def test_4_apt_update_uses_the_generated_apt_file(lab):
    block = VM["$ apt-config dump | grep -i proxy"]
    dump_cmd, update_cmd = block.commands()
    apt_file = lab.rendered.text("apt_proxy.j2", "container/colima/colima_proxy_archive")
    shown = lab.vm.must(dump_cmd)
    for line in apt_file.splitlines():
        key, value = line.rstrip(";").split(" ", 1)
        assert f"{key} {value};" in shown, shown
    # apt alone, with no proxy in its environment: only the apt file can send it through the proxy
    since = lab.since()
    started = time.monotonic()
    out = lab.vm.must(f"sudo env -i {ROOT_PATH} apt-get update", timeout=180)
    assert "Err:" not in out, out
    timed(lab, "4", started)
    prove(lab, "4: `apt update` (apt file only, empty environment) through the proxy",
          squid_lines(lab.access, since, r"/200 .* GET http://apt\.proxydocs\.test/debian/dists/proxydocs/.*Debian APT"))
    since = lab.since()
    out = lab.vm.must(update_cmd, timeout=180)  # the page's own command, as typed
    assert "Err:" not in out, out
    assert squid_lines(lab.access, since, r"GET http://apt\.proxydocs\.test/")
    RAN.add(block.key)


def test_5_systemctl_show_equals_the_snippet(lab):
    block = VM["container/colima/colima_proxy/systemctl_show_env"]
    started = time.monotonic()
    snippet = lab.rendered.text("systemctl_show_env.j2")
    command, expected = snippet.split("\n", 1)
    command = command.removeprefix("# ")
    # the docker drop-in: Colima's docker runtime needs none (daemon.json); the page shows it for
    # docker.io installed by hand, whose script (also on the page) writes it
    docker_script = VM["docker/network/docker_proxy/create_http_proxy_conf_for_docker"]
    lab.vm.must(f"sudo bash /mnt/lima-cidata/proxydocs/{docker_script.key}", timeout=180)
    assert lab.vm.must(command) == expected
    # containerd: the same drop-in, the same line
    assert lab.vm.must(command.replace(" docker ", " containerd ")) == expected
    timed(lab, "5", started)
    RAN.add(block.key)


def test_colima_daemon_json_is_what_dockerd_uses(lab):
    block = VM["$ colima ssh -- sudo cat /etc/docker/daemon.json"]
    shown = json.loads(lab.vm.must(block.commands()[0]))
    assert shown["proxies"] == json.loads(lab.rendered.text("daemon_json.j2"))["proxies"]
    info = lab.vm.must("docker info --format '{{.HTTPProxy}}|{{.HTTPSProxy}}|{{.NoProxy}}'").strip()
    assert info == "|".join(shown["proxies"][k] for k in ("http-proxy", "https-proxy", "no-proxy"))
    RAN.add(block.key)


# --- the docker runtime -------------------------------------------------------------------------

def test_1_dockerd_pulls_through_the_tunnel(lab):
    since = lab.since()
    started = time.monotonic()
    out = lab.vm.must(f"docker pull {ref('docker')}", timeout=240)
    timed(lab, "1", started)
    assert "Downloaded newer image" in out, out
    prove(lab, f"1: dockerd pulls {ref('docker')}", squid_lines(lab.access, since, connect("docker")))
    assert "/v2/proxydocs/busybox/manifests/1" in tail(lab.mac.tmp / "registry.log", 100000)


def test_3_containers_get_the_container_view_and_reach_the_origin(lab):
    block = VM["$ docker run --rm alpine env | grep -i proxy"]
    lab.vm.must(f"docker tag {ref('docker')} alpine")  # the page's image name, for the test image
    started = time.monotonic()
    shown = lab.vm.must(block.commands()[0], timeout=180).splitlines()
    assert set(shown) == expected_container_env(lab), shown
    assert all(GATEWAY in l for l in shown if "_PROXY=" in l.upper() and not l.upper().startswith("NO_"))
    since = lab.since()
    got = lab.vm.must(f"docker run --rm alpine wget -q -O- http://{ORIGIN}/check/run", timeout=180)
    assert got == "origin says hello to run\n"
    timed(lab, "3", started)
    prove(lab, "3: a `docker run` container (proxy from config.json) fetches from the origin",
          squid_lines(lab.access, since, rf"GET http://{re.escape(ORIGIN)}/check/run .*\"Wget\""))
    RAN.add(block.key)


DOCKERFILE = f"""FROM {ref('build')}
RUN env | grep -i _proxy= | sort > /proxy-env; wget -q -O /fetched http://{ORIGIN}/check/build
"""


def test_2_docker_build_pulls_from_and_fetches_through_the_proxy(lab):
    lab.vm.must("mkdir -p /tmp/build")
    lab.vm.put("/tmp/build/Dockerfile", DOCKERFILE)
    since = lab.since()
    started = time.monotonic()
    out = lab.vm.ssh("docker build --no-cache --progress=plain -t proxydocs-build /tmp/build", timeout=400)
    timed(lab, "2", started)
    assert out.returncode == 0, out.stdout + out.stderr
    prove(lab, f"2: docker build's FROM {ref('build')} (pulled by dockerd's BuildKit)",
          squid_lines(lab.access, since, connect("build")))
    prove(lab, "2: the RUN step fetches from the origin with the proxy of config.json",
          squid_lines(lab.access, since, rf"GET http://{re.escape(ORIGIN)}/check/build .*\"Wget\""))
    seen = lab.vm.must("docker run --rm proxydocs-build cat /proxy-env /fetched", timeout=120).splitlines()
    assert seen[-1] == "origin says hello to build"
    build_env = set(seen[:-1])
    assert build_env <= expected_container_env(lab) and build_env, seen
    if build_env != expected_container_env(lab):
        REPORT["notes"].append(f"docker build's RUN step saw only {sorted(build_env)}")
    # Control: the same build with an empty client config has no proxy, and the RUN step fails.
    since = lab.since()
    control = lab.vm.ssh("mkdir -p /tmp/empty-config && echo '{}' > /tmp/empty-config/config.json && "
                         "DOCKER_CONFIG=/tmp/empty-config docker build --no-cache --progress=plain /tmp/build",
                         timeout=400)
    assert control.returncode != 0 and "wget: bad address" in control.stdout + control.stderr, \
        control.stdout + control.stderr
    no_line(lab, since, "/check/build", wait=2)


def test_8_tunnel_down_fails_fast_with_the_tables_message(lab):
    close = tunnel_lines(lab)[-1]
    code, out = mac_line(lab, close)
    assert code == 0, out
    since = lab.since()
    started = time.monotonic()
    pull = lab.vm.ssh(f"timeout 150 docker pull {ref('down')}", timeout=200)
    seconds = time.monotonic() - started
    timed(lab, "8", started)
    text = pull.stdout + pull.stderr
    table = (lab.rendered.out / "_generated/settings.txt").read_text()
    message = re.search(r"\|proxyconnect_refused\| replace:: ``(.*)``", table).group(1)
    as_seen_in_vm = message.replace("127.0.0.1", GATEWAY)
    try:
        assert pull.returncode not in (0, 124), f"the pull did not fail in time ({seconds:.0f} s): {text}"
        assert as_seen_in_vm in text, text
        lab.proofs.append((f"8: tunnel down: the pull fails in {seconds:.1f} s with", as_seen_in_vm))
        # the troubleshooting table names this form (the 127.0.0.1 form is a VM configured wrongly)
        rows = guide.PAGE.read_text().split("   * - ")
        row = next(i for i, r in enumerate(rows) if r.startswith("|proxyconnect_refused|"))
        assert "|vm_host|" in rows[row + 1].splitlines()[0], "the table does not name the tunnel-down form"
        no_line(lab, since, connect("down"), wait=2)
    finally:
        code, out = mac_line(lab, tunnel_lines(lab)[0])  # open it again for the checks after this one
        assert code == 0, out
        record_tunnel_pid(lab)


def test_9_without_proxy_settings_the_pull_fails_and_nothing_reaches_the_registry(lab):
    lab.vm.must("sudo rm /etc/docker/daemon.json /etc/systemd/system/docker.service.d/http-proxy.conf && "
                "sudo systemctl daemon-reload && sudo systemctl restart docker", timeout=180)
    assert lab.vm.must("docker info --format '{{.HTTPProxy}}{{.HTTPSProxy}}'").strip() == ""
    registry_log = (lab.mac.tmp / "registry.log").stat().st_size
    since = lab.since()
    started = time.monotonic()
    pull = lab.vm.ssh(f"timeout 150 docker pull {ref('direct')}", timeout=200)
    timed(lab, "9", started)
    assert pull.returncode not in (0, 124), pull.stdout + pull.stderr
    no_line(lab, since, f"direct.{REGISTRY}")
    with open(lab.mac.tmp / "registry.log", "rb") as fh:
        fh.seek(registry_log)
        assert b"/v2/" not in fh.read(), "the registry saw a request"
    error = (pull.stdout + pull.stderr).strip().splitlines()[-1]
    lab.proofs.append(("9: without proxy settings the same pull fails, squid and the registry see nothing", error))


def test_the_guides_docker_drop_in_alone_is_enough(lab):
    """Colima's daemon.json is gone (check 9); the page's script for dockerd restores the proxy."""
    block = VM["docker/network/docker_proxy/create_http_proxy_conf_for_docker"]
    lab.vm.must(f"sudo bash /mnt/lima-cidata/proxydocs/{block.key}", timeout=180)
    since = lab.since()
    out = lab.vm.must(f"docker pull {ref('dropin')}", timeout=240)
    assert "Downloaded newer image" in out or "Image is up to date" in out, out
    prove(lab, "dockerd with only the page's drop-in (no daemon.json) pulls", squid_lines(lab.access, since, connect("dropin")))
    RAN.add(block.key)


def test_socks_dockerd_pulls_through_ssh_dynamic_forward_and_socks5h(lab):
    """The SOCKS recipe from the same settings: the reader swaps the tunnel for the SOCKS set's
    (DynamicForward), Colima writes daemon.json from its env: (socks5h://), dockerd pulls. The
    server abroad resolves the registry's name (squid sees nothing); the registry's log proves it."""
    started = time.monotonic()
    ssh_config = lab.mac.home / ".ssh" / "config"
    http_config = ssh_config.read_text()
    socks_lines = [l for l in lab.socks.text("ssh_tunnel.j2").splitlines() if l.strip() and not l.startswith("#")]
    registry_log = lab.mac.tmp / "registry.log"
    since, logged = lab.since(), registry_log.stat().st_size
    env = yaml.safe_load(lab.socks.text("colima_yaml.j2"))["env"]
    proxies = colima_daemon_proxies(env)
    assert proxies["https-proxy"] == f"socks5h://{GATEWAY}:{SOCKS_PORT}", proxies
    code, out = mac_line(lab, tunnel_lines(lab)[-1])  # the HTTP tunnel closes
    assert code == 0, out
    try:
        shutil.copy(lab.socks.path("ssh_config_guide.j2"), ssh_config)
        for line in socks_lines[:3]:  # open, check, and the page's curl to "Docker Hub" through socks5h
            code, out = mac_line(lab, line, env={"CURL_CA_BUNDLE": str(lab.ca)})
            assert code == 0, f"{line}: {out}"
        assert out.strip() == "401", out
        lab.vm.put("/tmp/daemon.json", json.dumps({"features": {"buildkit": True}, "proxies": proxies}, indent=2))
        lab.vm.must("sudo install -m 644 /tmp/daemon.json /etc/docker/daemon.json && sudo systemctl restart docker",
                    timeout=180)
        assert lab.vm.must("docker info --format '{{.HTTPSProxy}}'").strip() == proxies["https-proxy"]
        out = lab.vm.must(f"docker pull {ref('socks')}", timeout=240)
        assert "Downloaded newer image" in out, out
        with open(registry_log, "rb") as fh:
            fh.seek(logged)
            seen = [l for l in fh.read().decode(errors="replace").splitlines()
                    if f"http.request.host=socks.{REGISTRY}" in l and "/manifests/" in l]
        assert seen, f"the registry saw no pull of socks.{REGISTRY}\n{lab.logs()}"
        no_line(lab, since, f"socks.{REGISTRY}", wait=2)
        lab.proofs.append(("SOCKS: dockerd pulls through ssh -D with socks5h:// (the registry's log; squid saw "
                           "nothing)", re.sub(r"^.*?(http\.request\.host=\S+).*?(http\.request\.uri=\S+).*$",
                                              r"\1 \2", seen[-1])))
    finally:
        mac_line(lab, socks_lines[-1])
        ssh_config.write_text(http_config)
        code, out = mac_line(lab, tunnel_lines(lab)[0])
        assert code == 0, out
        record_tunnel_pid(lab)
        lab.vm.must("sudo rm -f /etc/docker/daemon.json && sudo systemctl restart docker", timeout=180)
    timed(lab, "SOCKS", started)


# --- the containerd runtime ---------------------------------------------------------------------

CRI_PULL = """
import sys, grpc
ref = sys.argv[1].encode()
spec = b"\\x0a" + bytes([len(ref)]) + ref          # ImageSpec{image}
request = b"\\x0a" + bytes([len(spec)]) + spec     # PullImageRequest{image}
channel = grpc.insecure_channel("unix:///run/containerd/containerd.sock")
try:
    reply = channel.unary_unary("/runtime.v1.ImageService/PullImage")(request, timeout=150)
    print("pulled", reply[2:].decode())
except grpc.RpcError as e:
    print("error:", e.code(), e.details()); sys.exit(1)
"""


def _ctr(lab, name: str, *, local: bool, login_env: bool):
    env = "" if login_env else f"env -i {ROOT_PATH} "
    # containerd 1.7's ctr pulls in the client unless told --local=false (then: the transfer service)
    return lab.vm.ssh(f"sudo {env}timeout 150 ctr images pull --local={'true' if local else 'false'} {ref(name)}",
                      timeout=200)


def _cri(lab, name: str):
    return lab.vm.ssh(f"sudo env -i {ROOT_PATH} timeout 150 python3 /tmp/cri_pull.py {ref(name)}", timeout=200)


def test_6_containerd_daemon_pulls_use_the_drop_in_client_pulls_the_login_environment(lab):
    started = time.monotonic()
    lab.vm.must("sudo systemctl stop docker.socket docker.service && "
                "sudo systemctl mask --runtime docker.socket docker.service", timeout=120)
    assert lab.vm.ssh("pgrep -x dockerd").returncode == 1, "dockerd is still running"
    lab.vm.put("/tmp/cri_pull.py", CRI_PULL)

    since = lab.since()
    out = _ctr(lab, "transfer", local=False, login_env=False)
    assert out.returncode == 0, out.stdout + out.stderr
    prove(lab, "6: containerd's transfer service (ctr, empty client environment) uses the drop-in",
          squid_lines(lab.access, since, connect("transfer")))
    out = _cri(lab, "cri")
    assert out.returncode == 0, out.stdout + out.stderr
    prove(lab, "6: containerd's CRI PullImage (what kubelet/k3s call) uses the drop-in",
          squid_lines(lab.access, since, connect("cri")))
    out = _ctr(lab, "local", local=True, login_env=True)
    assert out.returncode == 0, out.stdout + out.stderr
    prove(lab, "6: a client-side pull (ctr --local via sudo) uses the login environment (/etc/environment)",
          squid_lines(lab.access, since, connect("local")))
    out = _ctr(lab, "local-noenv", local=True, login_env=False)
    assert out.returncode != 0, "a client-side pull without the login environment must not get the drop-in's proxy"
    no_line(lab, since, connect("local-noenv"), wait=2)

    # Without the drop-in the daemon-side pulls fail, though the client's environment has the proxy.
    lab.vm.must("sudo rm /etc/systemd/system/containerd.service.d/http-proxy.conf && "
                "sudo systemctl daemon-reload && sudo systemctl restart containerd", timeout=120)
    since = lab.since()
    out = _ctr(lab, "transfer-nodropin", local=False, login_env=True)
    assert out.returncode != 0, out.stdout
    out = _cri(lab, "cri-nodropin")
    assert out.returncode != 0, out.stdout
    no_line(lab, since, r"(transfer|cri)-nodropin\.")
    lab.proofs.append(("6: without the drop-in, transfer and CRI pulls fail even with the proxy in ctr's "
                       "environment", (out.stdout + out.stderr).strip().splitlines()[-1][:200]))

    # The page's script for containerd puts it back.
    block = VM["kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd"]
    lab.vm.must(f"sudo bash /mnt/lima-cidata/proxydocs/{block.key}", timeout=180)
    since = lab.since()
    out = _ctr(lab, "transfer-script", local=False, login_env=False)
    assert out.returncode == 0, out.stdout + out.stderr
    prove(lab, "6: after the page's containerd script the transfer service pulls again",
          squid_lines(lab.access, since, connect("transfer-script")))
    timed(lab, "6", started)
    RAN.add(block.key)


# --- the page, and the end ----------------------------------------------------------------------

def test_every_vm_side_block_of_the_page_ran_or_is_excused(lab):
    assert RAN == set(VM), f"marked but not run: {set(VM) - RAN}"
    page = guide.blocks()
    included = {b.key for b in page if b.directive == "literalinclude"}
    from .project import manifest
    vm_side = {s.output for s in manifest() if s.machine == "vm"} & included
    unaccounted = vm_side - set(VM) - set(NOT_RUN) - set(FILES)
    assert not unaccounted, f"VM-side snippets of the page neither run nor excused: {unaccounted}"
    assert set(NOT_RUN) <= vm_side and set(FILES) <= vm_side, "an excuse names a snippet the page no longer has"
    REPORT["not_run"] = NOT_RUN


def test_the_vm_and_every_process_of_the_run_are_gone(lab):
    lab.vm.poweroff()
    lab.mac.stop()
    time.sleep(0.5)
    assert lab.mac.survivors() == []
    assert lab.vm.proc.popen.returncode is not None
