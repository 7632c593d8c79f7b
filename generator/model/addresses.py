"""The grammar of the addresses in the settings: host names, IP literals, placeholders and
NO_PROXY entries. Narrow on purpose: every value ends up in ssh_config, systemd units, shell
scripts and URLs, so anything a reader of one of those files could take for syntax is refused
here rather than escaped later. Pure functions; ValueError carries the reason."""

from __future__ import annotations

import ipaddress
import re

PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z0-9_]{0,62}>")
_LABEL_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def printable(value: str) -> str:
    """A value quoted for a message: ascii() (every character outside printable ASCII escaped,
    so a look-alike letter shows as \u0430 and no Python or Unicode version changes the text),
    cut at 60 characters."""
    return ascii(value) if len(value) <= 60 else ascii(value[:57] + "...")


def check_hostname(value: str) -> str:
    """RFC 1123 host name (ASCII only: a look-alike letter is refused, not punycoded)."""
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 253:
        raise ValueError(f"host name is {len(value)} characters long; the limit is 253")
    if not value.isascii():
        raise ValueError(f"{printable(value)} contains non-ASCII characters; write the host name in ASCII (punycode)")
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    for label in labels:
        if not _LABEL_RE.fullmatch(label):
            raise ValueError(
                f"{printable(value)} is not a valid host name (RFC 1123: labels of letters, digits "
                "and inner hyphens, 1 to 63 characters, separated by dots)"
            )
    if labels[-1].isdigit():
        raise ValueError(f"{printable(value)} looks like an IP address but is not a valid one")
    return value


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP literal (IPv6 optionally in brackets), or None. Zone ids (`%eth0`) are refused:
    they cannot be carried through URLs, unit files and shell words safely."""
    text = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if "%" in text or not text.isascii():
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def format_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The address's text, the same on every Python: IPv4-mapped IPv6 addresses in mixed
    notation (::ffff:127.0.0.1, RFC 5952 section 5), which Python writes so from 3.13 only."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def is_loopback(host: str) -> bool:
    """Loopback as Lima (Go's net.IP.IsLoopback) sees it: localhost, 127.0.0.0/8, ::1, and
    IPv4-mapped 127.0.0.0/8 (Python says so from 3.13 only, so it is not asked)."""
    if host.lower() == "localhost":
        return True
    ip = parse_ip(host)
    if isinstance(ip, ipaddress.IPv6Address):
        return ip == ipaddress.IPv6Address(1) or (ip.ipv4_mapped is not None and ip.ipv4_mapped.packed[0] == 127)
    return ip is not None and ip.packed[0] == 127


_ENTRY_CHARS = re.compile(r"[A-Za-z0-9.:/*\[\]-]+")


def check_no_proxy_entry(entry: str) -> str:
    """One NO_PROXY entry, normalised: a host, a .domain or *.domain suffix, an IP, a CIDR
    range, or `*`. Nothing else: an entry is written into the same shell scripts, unit files
    and YAML as every other value, so it passes the same narrow rules."""
    if entry == "":
        raise ValueError("has an empty entry (a doubled or trailing comma)")
    if not _ENTRY_CHARS.fullmatch(entry):
        bad = next(c for c in entry if not _ENTRY_CHARS.fullmatch(c))
        raise ValueError(f"entry {printable(entry)} contains {bad!a}; an entry is a host name, .domain, *.domain, "
                         "an IP address, a CIDR range or *")
    if entry == "*":
        return entry
    if "/" in entry:
        address, _, prefix = entry.partition("/")
        ip = parse_ip(address)
        if ip is None or not prefix.isdigit() or len(prefix) > 3:
            raise ValueError(f"{printable(entry)} is not a valid CIDR range")
        try:
            net = ipaddress.ip_network(f"{ip}/{int(prefix)}", strict=False)
        except ValueError:
            raise ValueError(f"{printable(entry)} is not a valid CIDR range") from None
        return f"{format_ip(net.network_address)}/{net.prefixlen}"
    ip = parse_ip(entry)
    if ip is not None:
        return format_ip(ip)
    body = entry[2:] if entry.startswith("*.") else entry[1:] if entry.startswith(".") else entry
    if body.endswith(".") and body.strip("."):
        raise ValueError(f"entry {printable(entry)} ends with a dot: Go, urllib, requests, wget and apt then do not "
                         "match the host name; write it without the dot")
    try:
        check_hostname(body)
    except ValueError as exc:
        raise ValueError(f"entry {printable(entry)}: {exc}") from None
    return entry
