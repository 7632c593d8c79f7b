"""Value types of the settings schema. Each type checks one value and either returns it
normalised or raises ValueError with a reason a reader can act on. The rules are deliberately
narrow: every value ends up in ssh_config, systemd units, shell scripts and URLs, so anything
that a reader of one of those files could take for syntax is refused here, not escaped later."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..chars import CONTROLS, INVISIBLE, SPACES
from .addresses import PLACEHOLDER_RE, check_hostname, check_no_proxy_entry, format_ip, parse_ip, printable


@dataclass(frozen=True)
class FieldType:
    """Base type: `parse` takes a TOML value, `parse_text` a --set string."""

    name = "value"

    def parse(self, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_text(self, text: str) -> Any:
        return self.parse(text)

    def describe(self) -> str:
        """The type as the settings reference shows it."""
        return self.name

    def page_data(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """The type as the page script's port of this module reads it (site/static/core.js)."""
        raise NotImplementedError

    def alternative(self, value: Any) -> Any:  # pragma: no cover - abstract
        """A valid value that differs from `value` (the which-settings-feed-which-snippet
        experiment changes one key at a time to such a value)."""
        raise NotImplementedError

    def strategy(self, st: Any) -> Any:  # pragma: no cover - abstract
        """Hypothesis strategy (`st` is hypothesis.strategies, passed in so that the tool is
        imported by the tests only) of texts near the valid set, for the property tests."""
        raise NotImplementedError


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
            raise ValueError(f"must be an integer, got {type(value).__name__} {printable(str(value))}")
        if not self.low <= value <= self.high:
            raise ValueError(f"must be between {self.low} and {self.high}, got {value}")
        return value

    def parse_text(self, text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,10}", text.strip()):
            raise ValueError(f"must be an integer, got {printable(text)}")
        return self.parse(int(text.strip()))

    def page_data(self) -> dict[str, Any]:
        return {"kind": "integer", "low": self.low, "high": self.high}

    def alternative(self, value: Any) -> int:
        return self.low if value != self.low else self.low + 1

    def strategy(self, st: Any) -> Any:
        return st.integers(self.low - 2, self.high + 2).map(str)


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
            raise ValueError(f"must be one of {', '.join(self.choices)}; got {printable(value)}")
        return value

    def page_data(self) -> dict[str, Any]:
        return {"kind": "choice", "choices": list(self.choices)}

    def alternative(self, value: Any) -> str:
        return next(c for c in self.choices if c != value)

    def strategy(self, st: Any) -> Any:
        return st.sampled_from(self.choices)


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
            raise ValueError(f"{printable(value)} is not {self.what}")
        return value

    def page_data(self) -> dict[str, Any]:  # \UXXXXXXXX in JavaScript's spelling
        return {"kind": "pattern", "regex": re.sub(r"\\U([0-9a-fA-F]{8})", lambda m: "\\u{%x}" % int(m[1], 16),
                self.regex), "what": self.what, "max_length": self.max_length}

    def alternative(self, value: Any) -> str:
        return value + "x"

    def strategy(self, st: Any) -> Any:
        return st.from_regex(self.regex, fullmatch=True).filter(lambda v: 0 < len(v) <= self.max_length)


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

    def page_data(self) -> dict[str, Any]:
        return {"kind": "optional", "inner": self.inner.page_data()}

    def alternative(self, value: Any) -> Any:
        return self.inner.alternative(value) if value else "x"

    def strategy(self, st: Any) -> Any:
        return st.just("") | self.inner.strategy(st)


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
            return format_ip(ip)
        if self.ip_only:
            raise ValueError(f"{printable(value)} is not an IP address")
        if value.startswith("<") and not self.allow_placeholder:
            raise ValueError("a placeholder is not allowed here; give a real address")
        if value.startswith("<"):
            raise ValueError(f"{printable(value)} is not a placeholder: write <UPPER_CASE> (letters, digits, _)")
        return check_hostname(value)

    def page_data(self) -> dict[str, Any]:
        return {"kind": "host", "allow_placeholder": self.allow_placeholder, "ip_only": self.ip_only}

    def alternative(self, value: Any) -> str:
        return "198.51.100.7" if value != "198.51.100.7" else "198.51.100.8"

    def strategy(self, st: Any) -> Any:
        # names too when only IPs are valid: near misses that must be refused
        hosts = st.ip_addresses().map(str) | st.from_regex(r"[a-z][a-z0-9-]{0,8}(\.[a-z]{2,5}){0,2}", fullmatch=True)
        return hosts | st.just("<SERVER_IP>") if self.allow_placeholder else hosts


def split_list(text: str) -> list[str]:
    """A comma-separated --set (or form) value: spaces and tabs around each comma are not part
    of an entry (`localhost, 127.0.0.1` is two entries); nothing else is stripped."""
    return [] if text.strip(" \t") == "" else [item.strip(" \t") for item in text.split(",")]


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
                raise ValueError(f"entry {printable(entry)} contains spaces or commas; give one entry per item")
            out.append(check_no_proxy_entry(entry))
        if not out:
            raise ValueError("must list at least one entry (an empty NO_PROXY sends even localhost "
                             "through the proxy); localhost and 127.0.0.1 are the usual minimum")
        lower = [e.lower() for e in out]  # every program compares names case-insensitively
        if dup := next((e for e, low in zip(out, lower) if lower.count(low) > 1), None):
            raise ValueError(f"entry {printable(dup)} is listed twice")
        return tuple(out)

    def parse_text(self, text: str) -> tuple[str, ...]:
        return self.parse(split_list(text))

    def page_data(self) -> dict[str, Any]:
        return {"kind": "no_proxy"}

    def alternative(self, value: Any) -> tuple[str, ...]:
        return (*value, "example.org")

    def strategy(self, st: Any) -> Any:
        entry = st.sampled_from(["localhost", ".corp.example", "*.example.org", "10.0.0.0/8", "fd00::/8", "*"]) \
            | st.ip_addresses().map(str)
        return st.lists(entry, min_size=1, max_size=4, unique=True).map(",".join)


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
        return self.parse(split_list(text))

    def page_data(self) -> dict[str, Any]:
        return {"kind": "addresses"}

    def alternative(self, value: Any) -> tuple[str, ...]:
        return (*value, "198.51.100.9")

    def strategy(self, st: Any) -> Any:
        return st.lists(st.ip_addresses().map(str), max_size=2, unique=True).map(",".join)


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
# Characters no value may carry: every control, space and invisible character (generator/chars.py)
UNSAFE_CHARS = rf"\t\n {CONTROLS}{SPACES}{INVISIBLE}"
PROXY_USER = Pattern(
    rf"[^{UNSAFE_CHARS}]+",
    "a proxy user name (no spaces or control characters; it is percent-encoded in URLs)",
    128,
)
