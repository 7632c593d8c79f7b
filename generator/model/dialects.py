"""Proxy dialects: how each program that reads the proxy variables treats them.

One table per consumer (a library or program whose proxy logic other programs embed): which
variables it reads and which case wins, which proxy URL schemes it speaks, and which NO_PROXY
entry forms it honours. Every value was observed by running the real program in a private
network namespace against a logging proxy (tests/e2e/test_dialects.py); the version each
was proven with is in `Consumer.tested`. Pure data and stdlib only: the rest of the project
may import this module, never the other way round.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
             "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
SCHEMES = ("http", "https", "socks5", "socks5h")
# What a consumer speaks to the proxy: "http" plain proxy requests (GET or CONNECT), "tls"
# HTTP inside TLS, "socks5" SOCKS5 with the address resolved locally, "socks5h" SOCKS5 with
# the host name sent to the proxy, "" the URL is refused or the proxy is never contacted.
SPEAKS = {"http": ("http",), "https": ("tls",), "socks5": ("socks5", "socks5h"), "socks5h": ("socks5h",)}


@dataclass(frozen=True)
class Form:
    """A NO_PROXY rule: `value` set as no_proxy should send a request for `url` direct.

    `shape` is what entry_forms() says of the value's last entry (None: not an entry form).
    `doc` is the rule's docstring: what decides it in each upstream source.
    """

    label: str
    value: str
    url: str
    shape: str | None
    doc: str


FORMS: dict[str, Form] = {
    "host": Form("a host name", "registry.example.com", "http://registry.example.com/", "domain",
                 "Exact name, case-insensitive, everywhere: curl lib/noproxy.c Curl_check_noproxy, "
                 "wget src/host.c sufmatch, apt apt-pkg/contrib/strutl.cc CheckDomainList, CPython "
                 "Lib/urllib/request.py proxy_bypass_environment, requests/utils.py "
                 "should_bypass_proxies, Go x/net/http/httpproxy/proxy.go domainMatch."),
    "domain": Form("a bare domain", "example.com", "http://registry.example.com/", "domain",
                   "A bare domain also covers its subdomains everywhere: each matcher above "
                   "compares a name suffix."),
    "leading-dot": Form("a leading-dot domain", ".example.com", "http://registry.example.com/",
                        "leading-dot", "Subdomains: curl and Python strip the dot first, wget "
                        "sufmatch and Go domainMatch keep it, apt compares the raw suffix."),
    "leading-dot-apex": Form("a leading-dot domain", ".example.com", "http://example.com/", None,
                             "The domain itself only where the dot is stripped (curl noproxy.c, "
                             "urllib lstrip('.'), requests lstrip('.')); Go (matchHost false), "
                             "wget and apt need the dot in the host."),
    "wildcard": Form("a `*.` wildcard", "*.example.com", "http://registry.example.com/", "wildcard",
                     "Only Go turns `*.x` into `.x` (proxy.go init); the others compare the text."),
    "star": Form("a lone `*`", "*", "http://registry.example.com/", "star",
                 "Whole value `*`: curl strcmp in noproxy.c, urllib `no_proxy == '*'`, Go allMatch; "
                 "wget sufmatch and apt CheckDomainList take it as a name suffix."),
    "star-in-list": Form("`*` inside a list", "localhost,*", "http://registry.example.com/",
                         "star-in-list", "Only Go honours `*` among other entries (proxy.go init); curl and "
                         "urllib compare the whole value with `*`."),
    "ipv4": Form("an IPv4 address", "192.0.2.10", "http://192.0.2.10/", "ipv4",
                 "Compared as text (wget, apt, urllib, requests: hostname == entry) or as an address (curl, Go)."),
    "ipv6": Form("an IPv6 address", "2001:db8::10", "http://[2001:db8::10]/", "ipv6",
                 "Bare literal: curl (the host arrives without brackets), wget, apt, requests "
                 "(urlparse().hostname), Go net.ParseIP. urllib compares req.host, which keeps "
                 "the brackets."),
    "ipv6-bracketed": Form("a bracketed IPv6 address", "[2001:db8::10]", "http://[2001:db8::10]/",
                           "ipv6-bracketed", "Only urllib: its host keeps the brackets; Go "
                           "net.SplitHostPort fails without a port and the rest strip them."),
    "ipv4-cidr": Form("an IPv4 CIDR", "192.0.2.0/24", "http://192.0.2.10/", "ipv4-cidr",
                      "curl >= 7.86 Curl_cidr4_match, requests address_in_network, Go "
                      "net.ParseCIDR; wget, apt and urllib compare text."),
    "ipv6-cidr": Form("an IPv6 CIDR", "2001:db8::/32", "http://[2001:db8::10]/", "ipv6-cidr",
                      "Only Go. curl 7.88 has Curl_cidr6_match, but the host reaches "
                      "Curl_check_noproxy without brackets so the IPv6 branch is never taken "
                      "(curl PR #19828); requests checks CIDRs for IPv4 hosts only."),
    "host-port": Form("a host:port", "registry.example.com:8080", "http://registry.example.com:8080/",
                      "host-port", "That port only: Go (SplitHostPort, domainMatch.port), urllib "
                      "(also compares host:port), requests (host_with_port). curl, wget and apt "
                      "match names without the port, so the entry never matches."),
    "loopback": Form("no entry (loopback)", "", "http://127.0.0.1:1/", None,
                     "Without any NO_PROXY, Go never proxies localhost or loopback addresses "
                     "(proxy.go useProxy); the others send 127.0.0.1 to the proxy."),
}


@dataclass(frozen=True)
class Consumer:
    """One proxy dialect. `matcher`/`env_source` name the upstream code that decides it."""

    label: str
    programs: tuple[str, ...]
    tested: str
    matcher: str
    env_source: str
    reads: frozenset[str]
    prefers: str  # "lower" or "upper": the case that wins when both are set
    honoured: frozenset[str]  # FORMS whose url goes direct
    schemes: dict[str, tuple[str, str]]  # proxy scheme -> SPEAKS value for (http://, https://) URLs
    http_proxy_for_https: bool = False  # https:// URLs fall back to http_proxy
    # scheme -> (first version, SPEAKS values, source): what releases newer than `tested` do.
    # The programs named in `programs` are built with such a release today.
    newer: dict[str, tuple[str, tuple[str, str], str]] | None = None


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMMON = "host domain leading-dot ipv4"  # honoured by all six
CONSUMERS: dict[str, Consumer] = {
    "go": Consumer(
        "Go net/http", ("dockerd", "containerd", "buildkitd", "docker CLI", "nerdctl", "colima"),
        "go1.19.8 (Debian golang-go, vendored x/net/http/httpproxy)",
        "golang.org/x/net/http/httpproxy/proxy.go (config.init, useProxy)",
        "httpproxy/proxy.go FromEnvironment (getEnvAny upper case first)",
        _set("HTTP_PROXY http_proxy HTTPS_PROXY https_proxy NO_PROXY no_proxy"), "upper",
        _set(f"{_COMMON} ipv6 wildcard star star-in-list ipv4-cidr ipv6-cidr host-port loopback"),
        # go1.19: socks5h is not a scheme to parseProxy: it becomes http://socks5h://... (host "socks5h")
        {"http": ("http", "http"), "https": ("tls", "tls"), "socks5": ("socks5h", "socks5h"),
         "socks5h": ("", "")},
        newer={"socks5h": ("go1.23", ("socks5h", "socks5h"),
                           "net/http transport.go (Go CL 569977, go1.23) and x/net/http/httpproxy "
                           "v0.23.0 (commit 8c07e20f, 'allow any scheme'); the go.mod of containerd "
                           "v2.2.1, buildkit v0.28.1, nerdctl v2.2.2 and colima v0.10.3 require Go "
                           "1.24 or newer (dockerd's toolchain not checked)")}),
    "curl": Consumer(
        "curl", ("curl", "libcurl users"), "curl 7.88.1 (Debian 12)",
        "curl lib/noproxy.c Curl_check_noproxy", "curl lib/url.c detect_proxy (http_proxy lower only)",
        _set("http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy NO_PROXY no_proxy"), "lower",
        _set(f"{_COMMON} leading-dot-apex ipv6 star ipv4-cidr"),
        {"http": ("http", "http"), "https": ("tls", "tls"), "socks5": ("socks5", "socks5"),
         "socks5h": ("socks5h", "socks5h")}),
    "apt": Consumer(
        "apt", ("apt-get", "apt", "apt-helper"), "apt 2.6.2 (Debian 12)",
        "apt apt-pkg/contrib/strutl.cc CheckDomainList", "apt methods/http.cc HttpServerState::Open",
        _set("http_proxy https_proxy no_proxy"), "lower",
        _set(f"{_COMMON} ipv6"),
        {"http": ("http", "http"), "https": ("tls", "tls"), "socks5": ("", ""),
         "socks5h": ("socks5h", "socks5h")},
        http_proxy_for_https=True),
    "urllib": Consumer(
        "Python urllib", ("Python code using urllib.request",), "CPython 3.11",
        "CPython Lib/urllib/request.py proxy_bypass_environment",
        "CPython Lib/urllib/request.py getproxies_environment (lower case wins)",
        _set("HTTP_PROXY http_proxy HTTPS_PROXY https_proxy NO_PROXY no_proxy"), "lower",
        _set(f"{_COMMON} leading-dot-apex star ipv6-bracketed host-port"),
        # ProxyHandler: https:// URLs always tunnel with a plain CONNECT, whatever the scheme
        {"http": ("http", "http"), "https": ("tls", "http"), "socks5": ("", "http"),
         "socks5h": ("", "http")}),
    "requests": Consumer(
        "Python requests", ("Python code using requests",), "requests 2.34.2 (urllib3 2.7, 2.8), PySocks 1.7.1",
        "requests/utils.py should_bypass_proxies", "requests/utils.py get_environ_proxies (urllib)",
        frozenset(VARIABLES), "lower",
        _set(f"{_COMMON} leading-dot-apex ipv6 star ipv4-cidr host-port"),
        {"http": ("http", "http"), "https": ("tls", "tls"), "socks5": ("socks5", "socks5"),
         "socks5h": ("socks5h", "socks5h")}),
    "wget": Consumer(
        "wget", ("wget",), "GNU Wget 1.21.3 (Debian 12)",
        "wget src/host.c sufmatch (via src/retr.c no_proxy_match)",
        "wget src/retr.c getproxy, src/init.c (getenv lower case only)",
        _set("http_proxy https_proxy no_proxy"), "lower",
        _set(f"{_COMMON} ipv6"),
        # src/retr.c: a proxy URL must be http:// or the request's own scheme; it then speaks plain
        {"http": ("http", "http"), "https": ("", "http"), "socks5": ("", ""), "socks5h": ("", "")}),
}


def _consumer(consumer: str | Consumer) -> Consumer:
    return consumer if isinstance(consumer, Consumer) else CONSUMERS[consumer]


def classify(entry: str) -> str:
    """The form of one NO_PROXY entry: domain, leading-dot, wildcard, star, ipv4, ipv6,
    ipv6-bracketed, ipv4-cidr, ipv6-cidr, host-port, or other."""
    e = entry.strip()
    if e == "*":
        return "star"
    if e.startswith("*."):
        return "wildcard"
    if "/" in e:
        try:
            return f"ipv{ipaddress.ip_network(e, strict=False).version}-cidr"
        except ValueError:
            return "other"
    if e.startswith("[") and e.endswith("]"):
        return "ipv6-bracketed" if _ip(e[1:-1]) == 6 else "other"
    if _ip(e):
        return f"ipv{_ip(e)}"
    host, sep, port = e.rpartition(":")
    if sep and port.isdigit() and host and (_ip(host.strip("[]")) or ":" not in host):
        return "host-port"
    if not e or any(c in e for c in " :/@[]*"):
        return "other"
    return "leading-dot" if e.startswith(".") else "domain"


def _ip(text: str) -> int:
    try:
        return ipaddress.ip_address(text).version
    except ValueError:
        return 0


def honours(consumer: str | Consumer, form: str) -> bool | None:
    """Whether the consumer honours a FORMS rule (None for a form it has no rule for)."""
    return form in _consumer(consumer).honoured if form in FORMS else None


def speaks(consumer: str | Consumer, scheme: str, *, tested: bool = False) -> tuple[str, str] | None:
    """What the consumer speaks to a proxy URL of this scheme, for (http://, https://)
    requests: in current releases, or (`tested`) in the version it was observed with."""
    c = _consumer(consumer)
    if not tested and c.newer and scheme in c.newer:
        return c.newer[scheme][1]
    return c.schemes.get(scheme)


def accepts(consumer: str | Consumer, scheme: str) -> bool | None:
    """Whether current releases use a proxy URL with this scheme for both http:// and https://."""
    said = speaks(consumer, scheme)
    return None if said is None else all(s in SPEAKS[scheme] for s in said)


def entry_forms(entries: Iterable[str]) -> list[tuple[str, str]]:
    """Each non-empty entry with its rule: a `*` among other entries is star-in-list."""
    kept = [e.strip() for e in entries if e.strip()]
    return [(e, "star-in-list" if e == "*" and len(kept) > 1 else classify(e)) for e in kept]


def problems(entries: Iterable[str], consumers: Iterable[str]) -> list[tuple[str, str, str]]:
    """(entry, consumer, reason) for every entry a consumer will not honour."""
    found = []
    for entry, form in entry_forms(entries):
        for name in consumers:
            c = CONSUMERS[name]
            for rule in (("host", "domain") if form == "domain" else (form,)):
                if honours(c, rule) is False:
                    what = "subdomains of" if rule == "domain" else FORMS[rule].label
                    found.append((entry, name, f"{c.label} ({', '.join(c.programs)}) ignores "
                                  f"{what} {entry!r}: {c.matcher}"))
                    break
    return found


def variables_problems(present_names: Iterable[str], consumer: str | Consumer) -> list[tuple[str, str]]:
    """(name, reason) for each proxy variable present that the consumer never reads."""
    c = _consumer(consumer)
    return [(n, f"{c.label} ignores {n}; it reads {', '.join(v for v in VARIABLES if v in c.reads)} "
                f"({c.env_source})")
            for n in present_names if n in VARIABLES and n not in c.reads]


# the table's columns, in this order, and their headings
TABLE_COLUMNS = {"go": "Go", "curl": "curl", "apt": "apt", "urllib": "urllib", "requests": "requests", "wget": "wget"}


def support_table(entries: Iterable[str]) -> str:
    """A plain-text table of which program honours which NO_PROXY entry (+ yes, - no), for the
    page (its JavaScript port builds the same text: site/static/core.js noProxyTable)."""
    forms = entry_forms(entries)
    width = max([len(e) for e, _ in forms] + [len("NO_PROXY")]) + 2
    lines = ["NO_PROXY".ljust(width) + "  ".join(TABLE_COLUMNS.values())]
    for entry, form in forms:
        rules = ("host", "domain") if form == "domain" else (form,)
        cells = []
        for consumer, heading in TABLE_COLUMNS.items():
            ok = [honours(consumer, r) for r in rules]
            cells.append(("?" if None in ok else "+" if all(ok) else "-").ljust(len(heading)))
        lines.append(entry.ljust(width) + "  ".join(cells).rstrip())
    return "\n".join(lines)


def page_data() -> dict:
    """What the page's port of support_table needs: the columns in order (a list, since the
    page data's keys are sorted) and each column's honoured forms."""
    return {"columns": list(TABLE_COLUMNS.items()), "honoured": {c: sorted(CONSUMERS[c].honoured) for c in TABLE_COLUMNS},
            "forms": sorted(FORMS)}
