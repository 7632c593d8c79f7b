"""Every rule in generator/model/dialects.py, observed with the real program.

One batch runs inside `unshare --net --mount` (netns_driver.py): a logging proxy listens on
loopback, test host names resolve to documentation addresses with no route, and each case
runs one consumer (curl, wget, apt-helper, Python urllib, requests, a Go net/http probe)
with a clean environment. The proxy's log says whether and how the consumer used it; each
test compares that observation with what the table says, so flipping a table entry fails
its test. Needs root (namespaces); a missing program skips, or fails when CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.model import dialects as d
from support import IN_CI

HERE = Path(__file__).resolve().parent / "dialects"  # the driver scripts and the Go probe
HTTP, HTTPS = "http://registry.example.com/", "https://registry.example.com/"
P0, P1 = "http://127.0.0.1:{P0}", "http://127.0.0.1:{P1}"
OTHER = "unrelated.invalid"
APT_CONF = """Dir::Etc::main "/dev/null";
Dir::Etc::parts "{parts}";
Acquire::Retries "0";
Acquire::http::Timeout "5";
Acquire::https::Timeout "5";
APT::Sandbox::User "root";
"""


@dataclass(frozen=True)
class Case:
    consumer: str
    kind: str  # noproxy, control, reads, prefers, fallback, scheme
    key: str
    env: tuple[tuple[str, str], ...]
    url: str
    ports: int = 1

    @property
    def id(self) -> str:
        return f"{self.consumer}:{self.kind}:{self.key}"


def _case(consumer: str, kind: str, key: str, env: dict[str, str], url: str, ports: int = 1) -> Case:
    return Case(consumer, kind, key, tuple(env.items()), url, ports)


def cases_for(c: str) -> list[Case]:
    out = []
    for name, form in d.FORMS.items():
        env = {"http_proxy": P0} | ({"no_proxy": form.value} if form.value else {})
        out.append(_case(c, "noproxy", name, env, form.url))
    for url in sorted({f.url for f in d.FORMS.values() if f.value}):
        host = url.split("//")[1].rstrip("/")
        out.append(_case(c, "control", host, {"http_proxy": P0, "no_proxy": OTHER}, url))
    for name in d.VARIABLES:
        if name.lower() == "no_proxy":
            env, url = {"http_proxy": P0, "HTTP_PROXY": P0, name: "registry.example.com"}, HTTP
        else:
            env, url = {name: P0}, HTTPS if name.lower() == "https_proxy" else HTTP
        out.append(_case(c, "reads", name, env, url))
    out.append(_case(c, "prefers", "http", {"http_proxy": P0, "HTTP_PROXY": P1}, HTTP, 2))
    out.append(_case(c, "prefers", "https", {"https_proxy": P0, "HTTPS_PROXY": P1}, HTTPS, 2))
    out.append(_case(c, "prefers", "no", {"http_proxy": P0, "HTTP_PROXY": P0,
                                          "no_proxy": "registry.example.com", "NO_PROXY": OTHER}, HTTP))
    out.append(_case(c, "fallback", "http_proxy-for-https", {"http_proxy": P0}, HTTPS))
    for scheme in d.SCHEMES:
        for target, url in (("http", HTTP), ("https", HTTPS)):
            out.append(_case(c, "scheme", f"{scheme}-for-{target}",
                             {f"{target}_proxy": f"{scheme}://127.0.0.1:{{P0}}"}, url))
    return out


CASES = [case for c in d.CONSUMERS for case in cases_for(c)]


def expected(case: Case) -> object:
    c = d.CONSUMERS[case.consumer]
    if case.kind == "noproxy":
        return d.honours(c, case.key)
    if case.kind == "control":
        return False  # nothing in NO_PROXY covers the URL: the request must reach the proxy
    if case.kind == "reads":
        return case.key in c.reads
    if case.kind == "prefers":
        return c.prefers
    if case.kind == "fallback":
        return c.http_proxy_for_https
    scheme, _, target = case.key.partition("-for-")
    said = d.speaks(c, scheme, tested=True)
    if c.newer and scheme in c.newer and _release(case.consumer) >= _release(c.newer[scheme][0]):
        said = d.speaks(c, scheme)  # the local build is new enough to show the newer behaviour
    return said[0 if target == "http" else 1]


def _release(text: str) -> tuple[int, ...]:
    """go1.19.8 -> (1, 19, 8); a consumer name -> the locally installed release of it."""
    if text == "go":
        text = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True).stdout
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def observed(case: Case, events: list[dict]) -> object:
    """The observation in the table's terms, from the proxy log of one case."""
    direct = not events
    if case.kind in ("noproxy", "control"):
        return direct
    if case.kind == "reads":
        return direct if case.key.lower() == "no_proxy" else not direct
    if case.kind == "prefers":
        if case.key == "no":
            return "lower" if direct else "upper"
        return {0: "lower", 1: "upper"}.get(events[0]["proxy"], "neither") if events else "neither"
    if case.kind == "fallback":
        return not direct
    speaks = {"http": "http", "connect": "http", "tls": "tls", "unknown": "unknown"}
    kinds = {speaks.get(e["kind"]) or ("socks5h" if e.get("atyp") == "name" else "socks5") for e in events}
    assert len(kinds) <= 1, f"mixed proxy protocols: {events}"
    return kinds.pop() if kinds else ""


@dataclass
class Run:
    results: dict[str, dict] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def _version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else ""


def _build_probe(tmp: Path) -> str:
    """Build probe.go with Debian's go, offline (inside its own empty network namespace).

    With a C compiler, Debian's precompiled cgo standard library links in about a second;
    without one the pure-Go net package is compiled first (several seconds)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "GOCACHE": str(tmp / "gocache"),
           "GOPATH": str(tmp / "gopath"), "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "",
           "CGO_ENABLED": "1" if shutil.which("gcc") else "0"}
    done = subprocess.run(["unshare", "--net", "go", "build", "-o", str(tmp / "probe"), str(HERE / "probe.go")],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"go build probe.go failed:\n{done.stderr}"
    return str(tmp / "probe")


def _commands(tmp: Path, run: Run) -> dict[str, list[str]]:
    py = sys.executable
    commands = {"urllib": [py, "-I", str(HERE / "py_consumer.py"), "urllib"]}
    run.versions["urllib"] = f"Python {sys.version.split()[0]}"
    if shutil.which("curl"):
        commands["curl"] = ["curl", "-q", "-sS", "-o", "/dev/null", "--max-time", "5"]
        run.versions["curl"] = _version(["curl", "--version"])
    if shutil.which("wget"):
        commands["wget"] = ["wget", "--no-config", "-nv", "-O", "/dev/null", "--tries=1", "--timeout=5"]
        run.versions["wget"] = _version(["wget", "--version"])
    if os.access("/usr/lib/apt/apt-helper", os.X_OK):
        commands["apt"] = ["/usr/lib/apt/apt-helper", "download-file"]
        run.versions["apt"] = _version(["apt-get", "--version"])
    probe = subprocess.run([py, "-I", "-c", "import requests, socks; print(requests.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode == 0:
        commands["requests"] = [py, "-I", str(HERE / "py_consumer.py"), "requests"]
        run.versions["requests"] = f"requests {probe.stdout.strip()}"
    if shutil.which("go"):
        commands["go"] = [_build_probe(tmp)]
        run.versions["go"] = _version(["go", "version"])
    hints = {"curl": "apt-get install curl", "wget": "apt-get install wget", "apt": "apt-get install apt",
             "go": "apt-get install golang-go", "requests": "pip install 'requests[socks]'"}
    for consumer, hint in hints.items():
        if consumer not in commands:
            run.missing[consumer] = f"{consumer} is not available to the tests ({hint})"
    return commands


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    result = Run()
    if os.geteuid() != 0:
        result.missing = {c: "needs root for unshare --net --mount; CI runs as root" for c in d.CONSUMERS}
        return result
    for tool in ("unshare", "ip", "mount"):
        if not shutil.which(tool):
            result.missing = {c: f"{tool} is not installed (util-linux, iproute2, mount)" for c in d.CONSUMERS}
            return result
    tmp = tmp_path_factory.mktemp("dialects")
    commands = _commands(tmp, result)
    (tmp / "apt.conf.d").mkdir()
    (tmp / "apt.conf").write_text(APT_CONF.format(parts=tmp / "apt.conf.d"))
    batch = []
    for n, case in enumerate(c for c in CASES if c.consumer in commands):
        item = {"id": case.id, "url": case.url, "env": dict(case.env), "ports": case.ports}
        if case.consumer in ("urllib", "requests"):  # one interpreter, a forked child per case
            item["batch"] = commands[case.consumer]
        else:
            item["argv"] = commands[case.consumer] + [case.url]
        if case.consumer == "apt":
            item["argv"].append(str(tmp / f"apt-{n}.out"))
            item["env"]["APT_CONFIG"] = str(tmp / "apt.conf")
        batch.append(item)
    driver = subprocess.Popen(["unshare", "--net", "--mount", sys.executable, "-I", str(HERE / "netns_driver.py")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    try:
        out, err = driver.communicate(json.dumps({"cases": batch, "jobs": 6}), timeout=240)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
            driver.wait()
    assert driver.returncode == 0, f"netns_driver.py failed:\n{err}"
    result.results = json.loads(out)
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case, run: Run) -> None:
    if case.consumer in run.missing:
        (pytest.fail if IN_CI else pytest.skip)(run.missing[case.consumer])
    got = run.results[case.id]
    want, seen = expected(case), observed(case, got["events"])
    assert seen == want, (
        f"{case.consumer} ({run.versions.get(case.consumer)}): the table says {want!r}, the program did "
        f"{seen!r}\n env={dict(case.env)} url={case.url}\n proxy log={got['events']}\n"
        f" rc={got['rc']} stdout={got['stdout']!r}\n stderr={got['stderr']!r}")


@pytest.mark.parametrize("name", [n for n, f in d.FORMS.items() if f.shape])
def test_entry_forms(name: str) -> None:
    form = d.FORMS[name]
    assert d.entry_forms(form.value.split(","))[-1] == (form.value.split(",")[-1], form.shape)


@pytest.mark.parametrize("consumer", list(d.CONSUMERS))
def test_problems_follow_the_table(consumer: str) -> None:
    for name, form in d.FORMS.items():
        if form.shape in (None, "domain"):
            continue
        reported = d.problems(form.value.split(","), [consumer])
        assert bool(reported) == (not d.honours(consumer, name)), (name, reported)
        assert all(consumer == who and d.CONSUMERS[consumer].label in why for _, who, why in reported)
    unread = [n for n, _ in d.variables_problems(d.VARIABLES, consumer)]
    assert unread == [n for n in d.VARIABLES if n not in d.CONSUMERS[consumer].reads]
