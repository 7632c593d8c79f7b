"""apt configuration: ask apt-config what it read."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from . import urls
from .core import Finding, Target, register, run


# apt reads $APT_CONFIG, /etc/apt/apt.conf.d/ and then /etc/apt/apt.conf before the -c file: a
# proxy set on this machine (where the readers of this guide often have one) would fill in one
# the snippet lacks. Our own APT_CONFIG points both at /dev/null, so apt reads the file alone.
_ALONE = 'Dir::Etc::Main "/dev/null";\nDir::Etc::Parts "/dev/null";\n'


def apt_proxies(path: str) -> tuple[dict[str, str], str, int]:
    with tempfile.TemporaryDirectory(prefix="proxydocs-apt-") as folder:
        alone = Path(folder) / "apt.conf"
        alone.write_text(_ALONE, encoding="utf-8")
        proc = run(["apt-config", "-c", path, "dump"], env={**os.environ, "APT_CONFIG": str(alone)})
    found = {}
    for line in proc.stdout.splitlines():
        m = re.fullmatch(r'Acquire::(https?)::Proxy "(.*)";', line)
        if m:
            found[m.group(1)] = m.group(2)
    return found, proc.stderr, proc.returncode


@register("apt")
def check_apt(t: Target) -> list[Finding]:
    found, err, code = apt_proxies(str(t.path))
    if code != 0 or "E: " in err:
        m = re.search(r":(\d+): ", err)
        return [t.finding(int(m.group(1)) if m else 0, f"apt-config: {err.strip()}")]
    findings = []
    want = t.expect.apt_proxy
    for scheme in ("http", "https"):
        have = found.get(scheme)
        if have is None:
            findings.append(t.finding(0, f"apt reads no Acquire::{scheme}::Proxy"))
            continue
        findings += [t.finding(0, f"Acquire::{scheme}::Proxy: {p}") for p in urls.proxy_url_problems(have)]
        if have != want:
            findings.append(t.finding(0, f"apt reads Acquire::{scheme}::Proxy {have!a}; the settings say {want!a}"))
    return findings
