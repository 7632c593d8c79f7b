"""apt configuration: ask apt-config what it read."""

from __future__ import annotations

import re

from . import urls
from .core import Finding, Target, register, run


def apt_proxies(path: str) -> tuple[dict[str, str], str, int]:
    proc = run(["apt-config", "-c", path, "dump"])
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
