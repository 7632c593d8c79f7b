"""What Lima and Colima compute from colima.yaml's `env:` before the VM sees it, re-implemented
from their sources so the test VM gets exactly what a Colima VM would:

- Lima, pkg/cidata/cidata.go setupEnv(): for ftp/http/https_proxy in either case (never
  no_proxy), a value that parses as a URL whose host is loopback gets the gateway address
  instead, port and path kept; a value that does not parse as a URL with a scheme is copied as
  it is; an empty value deletes the variable; then both cases are set, and where they differ
  the lowercase value wins. The block is written with the keys in sorted order
  (cidata.TEMPLATE.d/etc_environment: a Go template ranging over the map) between #LIMA-START
  and #LIMA-END.
- Colima, environment/container/docker/proxy.go: daemon.json "proxies" from the same
  variables, loopback replaced by the address of host.lima.internal (the gateway).

Lima resolves the host name and rewrites it if any address is loopback; this module counts
as loopback what resolves to loopback everywhere: 127.0.0.0/8, ::1, "localhost" and names
under ".localhost" (RFC 6761).
"""

from __future__ import annotations

import ipaddress
import re

GATEWAY = "192.168.5.2"
LOWER = ("ftp_proxy", "http_proxy", "https_proxy", "no_proxy")
# Go's url.Parse takes a scheme only when it is a letter followed by letters, digits, + - .
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<userinfo>[^/?#@]*@)?(?P<host>\[[^]]*\]|[^/?#:]*)(?P<port>:[0-9]*)?(?P<rest>[/?#].*)?$", re.S)


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rewrite_loopback(value: str, gateway: str = GATEWAY) -> str:
    m = _URL.match(value)
    if not m or not is_loopback(m["host"]):
        return value  # not a URL with a scheme (e.g. "127.0.0.1:3128"): Lima copies it unchanged
    return f"{m['scheme']}://{m['userinfo'] or ''}{gateway}{m['port'] or ''}{m['rest'] or ''}"


def lima_env(env: dict[str, str], gateway: str = GATEWAY) -> dict[str, str]:
    """The variables Lima writes into the VM's /etc/environment for colima.yaml's env: map."""
    out = dict(env)
    for lower in LOWER:
        for name in (lower, lower.upper()):
            if name not in out:
                continue
            if out[name] == "":
                del out[name]
            elif lower != "no_proxy":
                out[name] = rewrite_loopback(out[name], gateway)
    for lower in LOWER:
        upper = lower.upper()
        if lower in out:
            out[upper] = out[lower]
        elif upper in out:
            out[lower] = out[upper]
    return out


def lima_block(env: dict[str, str], gateway: str = GATEWAY) -> str:
    """The #LIMA-START ... #LIMA-END block, byte for byte as Lima writes it."""
    values = lima_env(env, gateway)
    return "#LIMA-START\n" + "".join(f"{k}={values[k]}\n" for k in sorted(values)) + "#LIMA-END\n"


def colima_daemon_proxies(env: dict[str, str], gateway: str = GATEWAY) -> dict[str, str]:
    """The "proxies" object Colima writes into /etc/docker/daemon.json on the docker runtime."""
    values = lima_env(env, gateway)
    keys = {"http-proxy": "http_proxy", "https-proxy": "https_proxy", "no-proxy": "no_proxy"}
    return {key: values[var] for key, var in keys.items() if var in values}


def shell_exports(text: str) -> dict[str, str]:
    """The variables of a snippet of `export NAME="value"` lines (a reader's ~/.zshrc)."""
    env = {}
    for line in text.splitlines():
        m = re.match(r'^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|\'([^\']*)\'|(\S*))\s*$', line)
        if m:
            env[m[1]] = next(g for g in m.groups()[1:] if g is not None)
    return env
