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
    text = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if "%" in text:  # zone ids cannot be carried through URLs and unit files safely
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def check_no_proxy_entry(entry: str) -> str:
    """One NO_PROXY entry in a form that Go, curl, Python and apt all read the same way, or
    at least harmlessly: a host, a .domain or *.domain suffix, an IP, a CIDR, or `*`."""
    if entry == "":
        raise ValueError("has an empty entry (a doubled or trailing comma)")
    if entry == "*":
        return entry
    if "/" in entry:
        try:
            net = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"{printable(entry)} is not a valid CIDR range") from None
        return str(net)
    ip = parse_ip(entry)
    if ip is not None:
        return str(ip)
    body = entry[2:] if entry.startswith("*.") else entry[1:] if entry.startswith(".") else entry
    try:
        check_hostname(body)
    except ValueError as exc:
        raise ValueError(f"entry {printable(entry)}: {exc}") from None
    return entry
