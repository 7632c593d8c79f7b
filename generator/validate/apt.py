"""apt configuration: ask apt-config what it read."""

from __future__ import annotations

import functools
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
    found, err, code, _ = _dump(path)
    return found, err, code


@functools.cache
def _baseline() -> frozenset[str]:
    """What apt-config dumps from an empty file (with this module's own settings)."""
    return frozenset(_dump("/dev/null")[3])


def _dump(path: str) -> tuple[dict[str, str], str, int, list[str]]:
    with tempfile.TemporaryDirectory(prefix="proxydocs-apt-") as folder:
        alone = Path(folder) / "apt.conf"
        alone.write_text(_ALONE, encoding="utf-8")
        # apt-config runs Dir::Bin::dpkg (with DPkg::Options, both of which the file may set) to
        # learn the architectures unless it is told them: they are given after the file
        proc = run(["apt-config", "-c", path, "-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64",
                    "dump"], env={**os.environ, "APT_CONFIG": str(alone)})
    found = {}
    lines = proc.stdout.splitlines()
    for line in lines:
        m = re.fullmatch(r'Acquire::(https?)::Proxy "(.*)";', line)
        if m:
            found[m.group(1)] = m.group(2)
    return found, proc.stderr, proc.returncode, lines


# the lines the templates write: apt-config is given no other (`#include` reads another file,
# anywhere a statement starts, and its lines reach apt's errors; other keys run programs)
# (a missing `;` is left to apt-config, which says where)
_TEMPLATE_LINE = re.compile(r'[ \t]*(Acquire::https?::Proxy "[^"\x00-\x1f\\]*";?[ \t]*)?(//[^\x00-\x08\x0b-\x1f]*)?')


# the keys the templates write, the scopes that hold them, and apt-config's own command line
_OURS = re.compile(r'Acquire::https?::Proxy "|(Acquire|Acquire::https?) ""|CommandLine::')


@register("apt")
def check_apt(t: Target) -> list[Finding]:
    refused = [t.finding(n, "not a line the template writes (Acquire::http::Proxy \"URL\"; or a // comment): another "
                            "may make apt read a file (#include) or run a program, and validate does not give "
                            "apt-config this file") for n, line in enumerate(t.text.split("\n"), 1)
               if not _TEMPLATE_LINE.fullmatch(line)]
    if refused:
        return refused
    found, err, code, lines = _dump(str(t.path))
    if code != 0 or "E: " in err:
        m = re.search(r":(\d+): ", err)
        return [t.finding(int(m.group(1)) if m else 0, f"apt-config: {err.strip()}")]
    findings = [t.finding(0, f"apt reads {line.rstrip(';')}: the templates set only Acquire::http::Proxy and "
                             "Acquire::https::Proxy (another key changes what apt does, e.g. runs a program)")
                for line in lines if line not in _baseline() and not _OURS.match(line)]
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
