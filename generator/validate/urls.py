"""Proxy URLs and NO_PROXY lists as Go, curl and apt read them (facts file, section 5)."""

from __future__ import annotations

import re
import unicodedata

from ..model.addresses import PLACEHOLDER_RE, check_hostname, check_no_proxy_entry, parse_ip

SCHEMES = ("http", "https", "socks5", "socks5h")
# RFC 3986 userinfo: curl ends the address at '?', '#' or '/', and Go's net/url refuses any
# other character outside this set, so the user and password are percent-encoded
_USERINFO = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*")
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:(?P<userinfo>[^@/]*)@)?(?P<host>\[[^\]]*\]|[^:/]*)(?::(?P<port>[^/]*))?(?P<path>/.*)?")


def proxy_url_problems(value: str) -> list[str]:
    if "://" not in value:
        return [f"proxy URL {value!a} has no scheme and '//' (write http://HOST:PORT)"]
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        return [f"proxy URL {value!a} holds a blank or a control character"]
    m = _URL.fullmatch(value)
    if not m:
        return [f"proxy URL {value!a} is malformed"]
    problems = []
    if m["userinfo"] is not None and not _USERINFO.fullmatch(m["userinfo"]):
        problems.append(f"proxy URL {value!a}: the user and password must be percent-encoded (curl ends the "
                        "address at '?', '#' or '/', and Go refuses any character RFC 3986 does not allow there)")
    elif m["userinfo"] is not None and re.search(r"%[01][0-9A-Fa-f]", m["userinfo"]):
        problems.append(f"proxy URL {value!a}: the user or password holds a control character (%00 to %1F), "
                        "and curl then drops the proxy and connects directly")
    if m["scheme"] not in SCHEMES:
        problems.append(f"proxy URL {value!a}: scheme {m['scheme']!a} is not one of {', '.join(SCHEMES)}")
    host = m["host"]
    if not host:
        problems.append(f"proxy URL {value!a} has no host")
    elif host.startswith("["):
        if parse_ip(host) is None or ":" not in host:
            problems.append(f"proxy URL {value!a}: {host} is not an IPv6 literal")
    elif parse_ip(host) is None and not PLACEHOLDER_RE.fullmatch(host):
        if ":" in host:
            problems.append(f"proxy URL {value!a}: an IPv6 address must be in brackets")
        else:
            try:
                check_hostname(host)
            except ValueError as exc:
                problems.append(f"proxy URL {value!a}: {exc}")
    port = m["port"]
    if port is None or not re.fullmatch(r"[0-9]{1,5}", port) or not 1 <= int(port) <= 65535:  # ASCII digits only
        problems.append(f"proxy URL {value!a} needs a port 1..65535")
    if m["path"] not in (None, "/"):
        problems.append(f"proxy URL {value!a} has a path")
    return problems


def no_proxy_problems(value: str) -> list[str]:
    if value.endswith(","):
        return [f"NO_PROXY {value!a} ends with a comma (an empty entry)"]
    problems = []
    for entry in value.split(","):
        try:
            check_no_proxy_entry(entry.strip())
        except ValueError as exc:
            problems.append(f"NO_PROXY: {exc}")
    return problems


def variable_problems(name: str, value: str) -> list[str]:
    """A proxy variable's value, judged by its name."""
    lower = name.lower()
    if lower == "no_proxy":
        return no_proxy_problems(value)
    if lower.endswith("_proxy"):
        return proxy_url_problems(value)
    return []


def pair_problems(env: dict[str, str], expected_url: str, expected_no_proxy: str) -> list[str]:
    """Both cases present and equal, and equal to what the settings say."""
    problems = []
    for upper in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        lower = upper.lower()
        if upper not in env or lower not in env:
            missing = upper if upper not in env else lower
            problems.append(f"{missing} is not set (write both cases: Go reads uppercase first, curl/apt/wget lowercase)")
            continue
        if env[upper] != env[lower]:
            problems.append(f"{upper} and {lower} differ: {env[upper]!a} vs {env[lower]!a}")
        want = expected_no_proxy if upper == "NO_PROXY" else expected_url
        if env[upper] != want:
            problems.append(f"{upper} is {env[upper]!a}; the settings say {want!a}")
    return problems
