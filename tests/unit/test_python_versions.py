"""The same settings give the same bytes and the same messages on every Python proxydocs
supports: the golden renders, a set of edge cases (IPv4-mapped addresses, CIDR forms,
look-alike letters) and the page's data file are produced by a second interpreter (3.13,
prepared by `make test` in .venv-alt) and compared byte for byte with this one's (3.11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import IN_CI, ROOT

ALT = Path(os.environ.get("PROXYDOCS_ALT_VENV", ROOT / ".venv-alt")) / "bin" / "python"

SETS = [
    [],
    ["vm.host_address=::ffff:192.168.5.2"],
    ["proxy.exposure=lan", "proxy.listen=FD00:0::7f00:1", "vm.host_address=::ffff:c0a8:502"],
    ["proxy.no_proxy=localhost,::ffff:127.0.0.0/104,10.1.2.3/8,fd00::1/8,[::1],0:0::1/128,*"],
    ["proxy.exposure=lan", "tunnel.also_bind=FD00:0::1,172.17.0.1", "tunnel.remote_host=::ffff:10.0.0.1"],
    ["tunnel.hostname=2001:DB8::1", "proxy.port=8118"],
]
BAD = [
    "tunnel.hostname=\u0435\u0445\u0430mple.com",
    "tunnel.hostname=a\U00018d80b",
    "proxy.no_proxy=fe80::1%eth0/64",
    "proxy.no_proxy=a,b,a,b",
    "proxy.user=a\u2028b",
    "proxy.listen=::ffff:127.0.0.1%lo",
    "proxy.listen=::ffff:127.0.0.1",
    "tunnel.also_bind=::ffff:172.17.0.1",
]
SCRIPT = """
import json, sys
from generator import api
from generator.errors import SettingsError
from generator.model.settings import defaults, load
from generator.site import pagedata
sets, bad = json.loads(sys.stdin.read())
out = {"renders": [api.render_text(load(None, s)) for s in sets], "messages": [], "data": pagedata.data_js(defaults())}
for b in bad:
    try:
        load(None, [b])
        out["messages"].append(None)
    except SettingsError as exc:
        out["messages"].append(str(exc))
sys.stdout.write(json.dumps(out, sort_keys=True))
"""


def outputs(python: str) -> dict:
    proc = subprocess.run([python, "-c", SCRIPT], input=json.dumps([SETS, BAD]), capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_second_python_gives_the_same_bytes_and_messages():
    if not ALT.exists():
        message = f"{ALT} is missing (make test creates it with Python 3.13)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    version = subprocess.run([str(ALT), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version != str(sys.version_info[:2]), f"{ALT} is the same Python as this one"
    here, there = outputs(sys.executable), outputs(str(ALT))
    assert there["messages"] == here["messages"]
    assert all(m is not None for m in here["messages"])
    for i, (a, b) in enumerate(zip(here["renders"], there["renders"])):
        assert a == b, f"settings {SETS[i]} render differently on {version}"
    assert there["data"] == here["data"]
