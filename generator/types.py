"""Value types of the settings schema.

Each type checks one value and either returns it normalised or raises ValueError with a
reason a reader can act on. The rules are deliberately narrow: every value ends up in
ssh_config, systemd units, shell scripts and URLs, so anything that a reader of one of those
files could take for syntax is refused here rather than escaped later.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z0-9_]{0,62}>")
_LABEL_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _printable(value: str) -> str:
    return repr(value) if len(value) <= 60 else repr(value[:57] + "...")


def check_hostname(value: str) -> str:
    """RFC 1123 host name (ASCII only: a look-alike letter is refused, not punycoded)."""
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 253:
        raise ValueError(f"host name is {len(value)} characters long; the limit is 253")
    if not value.isascii():
        raise ValueError(f"{_printable(value)} contains non-ASCII characters; write the host name in ASCII (punycode)")
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    for label in labels:
        if not _LABEL_RE.fullmatch(label):
            raise ValueError(
                f"{_printable(value)} is not a valid host name (RFC 1123: labels of letters, digits "
                "and inner hyphens, 1 to 63 characters, separated by dots)"
            )
    if labels[-1].isdigit():
        raise ValueError(f"{_printable(value)} looks like an IP address but is not a valid one")
    return value


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    if "%" in text:  # zone ids cannot be carried through URLs and unit files safely
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class FieldType:
    """Base type: `parse` takes a TOML value, `parse_text` a --set string."""

    name = "value"

    def parse(self, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_text(self, text: str) -> Any:
        return self.parse(text)

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class Integer(FieldType):
    low: int
    high: int
    unit: str = ""

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"integer {self.low}..{self.high}" + (f" ({self.unit})" if self.unit else "")

    def parse(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be an integer, got {type(value).__name__} {_printable(str(value))}")
        if not self.low <= value <= self.high:
            raise ValueError(f"must be between {self.low} and {self.high}, got {value}")
        return value

    def parse_text(self, text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,10}", text.strip()):
            raise ValueError(f"must be an integer, got {_printable(text)}")
        return self.parse(int(text.strip()))


PORT = Integer(1, 65535)


def _require_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Choice(FieldType):
    choices: tuple[str, ...]

    @property
    def name(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(f"``{c}``" for c in self.choices)

    def parse(self, value: Any) -> str:
        value = _require_str(value)
        if value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}; got {_printable(value)}")
        return value


@dataclass(frozen=True)
class Pattern(FieldType):
    regex: str
    what: str
    max_length: int = 64

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.what

    def parse(self, value: Any) -> str:
        value = _require_str(value)
        if not value:
            raise ValueError("must not be empty")
        if len(value) > self.max_length:
            raise ValueError(f"is {len(value)} characters long; the limit is {self.max_length}")
        if not re.fullmatch(self.regex, value):
            raise ValueError(f"{_printable(value)} is not {self.what}")
        return value


@dataclass(frozen=True)
class Optional(FieldType):
    """An optional value: the empty string means "not set"."""

    inner: FieldType

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.inner.describe()}, or empty (not set)"

    def parse(self, value: Any) -> Any:
        if value == "":
            return ""
        return self.inner.parse(value)


@dataclass(frozen=True)
class Host(FieldType):
    """A host name or an IP literal; optionally a <PLACEHOLDER> for published docs."""

    allow_placeholder: bool = False
    ip_only: bool = False

    @property
    def name(self) -> str:  # type: ignore[override]
        kinds = "an IP address" if self.ip_only else "a host name (RFC 1123) or an IP address"
        if self.allow_placeholder:
            kinds += ", or a placeholder such as ``<SERVER_IP>``"
        return kinds

    def parse(self, value: Any) -> str:
        value = _require_str(value)
        if self.allow_placeholder and PLACEHOLDER_RE.fullmatch(value):
            return value
        ip = parse_ip(value)
        if ip is not None:
            return str(ip)
        if self.ip_only:
            raise ValueError(f"{_printable(value)} is not an IP address")
        if value.startswith("<") and not self.allow_placeholder:
            raise ValueError("a placeholder is not allowed here; give a real address")
        if value.startswith("<"):
            raise ValueError(f"{_printable(value)} is not a placeholder: write <UPPER_CASE> (letters, digits, _)")
        return check_hostname(value)


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
            raise ValueError(f"{_printable(entry)} is not a valid CIDR range") from None
        return str(net)
    ip = parse_ip(entry)
    if ip is not None:
        return str(ip)
    body = entry[2:] if entry.startswith("*.") else entry[1:] if entry.startswith(".") else entry
    try:
        check_hostname(body)
    except ValueError as exc:
        raise ValueError(f"entry {_printable(entry)}: {exc}") from None
    return entry


@dataclass(frozen=True)
class NoProxyList(FieldType):
    name = "list of host names, ``.domain`` or ``*.domain`` suffixes, IP addresses, CIDR ranges or ``*``"

    def parse(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError(f"must be a list of strings, got {type(value).__name__}")
        out = []
        for entry in value:
            entry = _require_str(entry)
            if entry != entry.strip() or "," in entry:
                raise ValueError(f"entry {_printable(entry)} contains spaces or commas; give one entry per item")
            out.append(check_no_proxy_entry(entry))
        if not out:
            raise ValueError("must list at least one entry (an empty NO_PROXY sends even localhost "
                             "through the proxy); localhost and 127.0.0.1 are the usual minimum")
        if len(set(out)) != len(out):
            dup = next(e for e in out if out.count(e) > 1)
            raise ValueError(f"entry {_printable(dup)} is listed twice")
        return tuple(out)

    def parse_text(self, text: str) -> tuple[str, ...]:
        return self.parse([] if text == "" else text.split(","))


@dataclass(frozen=True)
class AddressList(FieldType):
    name = "list of IP addresses"

    def parse(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError(f"must be a list of strings, got {type(value).__name__}")
        out = tuple(Host(ip_only=True).parse(v) for v in value)
        if len(set(out)) != len(out):
            raise ValueError("lists an address twice")
        return out

    def parse_text(self, text: str) -> tuple[str, ...]:
        return self.parse([] if text == "" else text.split(","))


SSH_ALIAS = Pattern(
    r"[A-Za-z0-9_][A-Za-z0-9_.-]*",
    "an ssh Host alias (letters, digits, '.', '_', '-'; no spaces or wildcards)",
)
USER_NAME = Pattern(r"[A-Za-z_][A-Za-z0-9_.-]*", "a user name (letters, digits, '.', '_', '-')", 32)
PATH = Pattern(
    r"[A-Za-z0-9_.~/+@:-]+",
    "a path of letters, digits and ~ / . _ - + @ : (no spaces, quotes, % or control characters)",
    1024,
)
PROFILE = Pattern(r"[A-Za-z0-9][A-Za-z0-9_.-]*", "a colima profile name (letters, digits, '.', '_', '-')")
ENV_NAME = Pattern(r"[A-Za-z_][A-Za-z0-9_]*", "an environment variable name", 128)
PROXY_USER = Pattern(
    r"[^\s\x00-\x1f\x7f]+",
    "a proxy user name (no spaces or control characters; it is percent-encoded in URLs)",
    128,
)
