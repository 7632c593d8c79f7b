"""Lima's /etc/environment rule and Colima's daemon.json, as tests/vm/lima.py re-implements them,
against the behaviour Lima documents in its own tests (pkg/cidata/cidata_test.go) and sources
(cidata.go setupEnv, boot/07-etc-environment.sh), and against the snippets the generator
renders. No VM needed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from .lima import GATEWAY, colima_daemon_proxies, lima_block, lima_env, rewrite_loopback, shell_exports
from .project import Rendered, render

# Lima's TestSetupEnv: every one of these becomes the same URL with the host replaced.
LIMA_CASES = [
    "http://127.0.0.1", "http://127.0.0.1:8080", "https://127.0.0.1:8080", "sock4://127.0.0.1:8080",
    "sock5://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/path",
    "http://localhost:8080", "http://localhost:8080/", "http://localhost:8080/path",
    "http://docker.for.mac.localhost:8080", "http://docker.for.mac.localhost:8080/",
    "http://docker.for.mac.localhost:8080/path",
]


@pytest.mark.parametrize("value", LIMA_CASES)
def test_loopback_host_becomes_the_gateway(value):
    host = urlsplit(value).hostname
    assert lima_env({"http_proxy": value})["http_proxy"] == value.replace(host, GATEWAY)


@pytest.mark.parametrize("value", [
    "://localhost:8080",      # Lima's TestSetupInvalidEnv
    "127.0.0.1:3128",         # no scheme: Go's url.Parse fails ("first path segment ... colon")
    "localhost:3128",         # parses as scheme "localhost" with no host: nothing to rewrite
    "http://10.1.2.3:3128",   # not loopback
    "http://proxy.example:3128",
])
def test_anything_else_is_copied_unchanged(value):
    assert lima_env({"HTTP_PROXY": value}) == {"HTTP_PROXY": value, "http_proxy": value}


def test_ipv6_loopback_and_credentials():
    assert rewrite_loopback("http://[::1]:3128") == f"http://{GATEWAY}:3128"
    assert rewrite_loopback("http://u%40x:p@127.0.0.2:3128/") == f"http://u%40x:p@{GATEWAY}:3128/"


def test_no_proxy_is_never_rewritten_and_empty_deletes():
    env = lima_env({"NO_PROXY": "localhost,127.0.0.1", "https_proxy": ""})
    assert env == {"NO_PROXY": "localhost,127.0.0.1", "no_proxy": "localhost,127.0.0.1"}
    # an empty value deletes only that name: the other case then fills it again
    assert lima_env({"https_proxy": "", "HTTPS_PROXY": "http://127.0.0.1:1"})["https_proxy"] == f"http://{GATEWAY}:1"


def test_both_cases_are_written_and_lowercase_wins():
    env = lima_env({"HTTP_PROXY": "http://127.0.0.1:1", "http_proxy": "http://127.0.0.1:2", "ALL_PROXY": "http://127.0.0.1:3"})
    assert env["HTTP_PROXY"] == env["http_proxy"] == f"http://{GATEWAY}:2"
    assert env["ALL_PROXY"] == "http://127.0.0.1:3"  # not one of Lima's proxy variables: as it is


def test_block_is_sorted_between_the_markers():
    assert lima_block({"http_proxy": "http://127.0.0.1:3128", "NO_PROXY": "a"}) == (
        "#LIMA-START\nHTTP_PROXY=http://192.168.5.2:3128\nNO_PROXY=a\n"
        "http_proxy=http://192.168.5.2:3128\nno_proxy=a\n#LIMA-END\n")


@pytest.fixture(scope="module", params=[{}, {"proxy.port": 8118, "proxy.no_proxy": "localhost,.corp"}])
def rendered(request):
    with tempfile.TemporaryDirectory(prefix="proxydocs-lima-") as out:
        render(Path(out), request.param)
        yield Rendered(Path(out))


def test_colima_yaml_env_gives_the_guides_etc_environment(rendered):
    """The page's /etc/environment is what Lima writes for the page's colima.yaml."""
    env = yaml.safe_load(rendered.text("colima_yaml.j2"))["env"]
    shown = rendered.text("lima_environment.j2")
    block = shown[shown.index("#LIMA-START"):]
    assert lima_block(env) == block


def test_colima_yaml_env_gives_the_guides_daemon_json(rendered):
    env = yaml.safe_load(rendered.text("colima_yaml.j2"))["env"]
    assert json.loads(rendered.text("daemon_json.j2"))["proxies"] == colima_daemon_proxies(env)


def test_the_counterexample_reaches_the_vm_unchanged(rendered):
    env = shell_exports(rendered.text("proxy_env_simple.j2"))
    port = yaml.safe_load(rendered.text("colima_yaml.j2"))["env"]["HTTP_PROXY"].rsplit(":", 1)[1]
    assert env["http_proxy"] == f"127.0.0.1:{port}"
    assert f"\nhttp_proxy=127.0.0.1:{port}\n" in lima_block(env)
