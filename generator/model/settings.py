"""The one settings schema: every key, its type, its default and its help text.

The schema documents itself: the settings reference page and `proxydocs settings` are made
from SCHEMA, and the defaults are the values the author published.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from . import types as t
from ..errors import SettingsError


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    type: t.FieldType
    default: Any
    help: str

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"


SECTIONS = {
    "proxy": "The HTTP proxy as clients on the Mac use it: the local end of the SSH tunnel.",
    "tunnel": "The SSH tunnel from the Mac to the server abroad that runs squid or privoxy.",
    "vm": "Addresses inside the Colima VM.",
    "colima": "How the Colima VM is started.",
}

SCHEMA: tuple[Field, ...] = (
    Field("proxy", "scheme", t.Choice(("http", "https", "socks5h")), "http",
          "How clients talk to the proxy. squid and privoxy speak ``http``; ``socks5h`` goes with "
          "an ssh ``DynamicForward`` instead of a proxy server."),
    Field("proxy", "listen", t.Host(ip_only=True), "127.0.0.1",
          "Where the tunnel's local end listens on the Mac. A loopback address is rewritten to "
          "``vm.host_address`` inside the VM, exactly as Lima does."),
    Field("proxy", "port", t.PORT, 3128,
          "The local port of the tunnel on the Mac (squid's default is 3128, privoxy's 8118)."),
    Field("proxy", "no_proxy", t.NoProxyList(),
          ("localhost", "127.0.0.1", "*.baidu.com", "192.168.0.0/16", "10.0.0.0/8"),
          "Destinations reached directly, without the proxy. One list for every file and both "
          "articles; written comma-separated into NO_PROXY/no_proxy."),
    Field("proxy", "user", t.Optional(t.PROXY_USER), "",
          "The proxy's user name, if it asks for one (squid ``auth_param``). Only a render for a "
          "reader's machine (``proxydocs render --out DIR``) writes it, percent-encoded, into the "
          "proxy URLs; the published site never shows credentials."),
    Field("proxy", "password_env", t.Optional(t.ENV_NAME), "",
          "The name of the environment variable that holds the proxy's password when you run "
          "``proxydocs render --out DIR``; never the password itself. Needs ``proxy.user``."),
    Field("tunnel", "alias", t.SSH_ALIAS, "MyProxy",
          "The ``Host`` alias of the tunnel in ``~/.ssh/config``; ``ssh ALIAS`` opens it."),
    Field("tunnel", "hostname", t.Host(allow_placeholder=True), "<SERVER_IP>",
          "The server that runs the proxy. A ``<PLACEHOLDER>`` is allowed for published docs; "
          "real host names and addresses are validated."),
    Field("tunnel", "user", t.USER_NAME, "admin", "The login name on the server."),
    Field("tunnel", "ssh_port", t.PORT, 22, "The server's sshd port."),
    Field("tunnel", "identity_file", t.PATH, "~/.ssh/proxy/id_rsa",
          "The private key for the server (``IdentityFile``)."),
    Field("tunnel", "remote_host", t.Host(), "127.0.0.1",
          "Where the proxy listens, as seen from the server (loopback keeps it private)."),
    Field("tunnel", "remote_port", t.PORT, 3128, "The proxy's port on the server."),
    Field("tunnel", "also_bind", t.AddressList(), (),
          "Extra local addresses the same forward binds, such as ``172.17.0.1`` (docker0) on a "
          "Linux host that runs docker directly. Leave empty on a Mac: the address does not exist "
          "there and, with ``ExitOnForwardFailure``, the failed bind takes the tunnel down."),
    Field("vm", "host_address", t.Host(), "192.168.5.2",
          "The Mac as seen from inside the Colima VM (Lima's gateway, ``host.lima.internal``)."),
    Field("vm", "bridge_address", t.Host(ip_only=True), "172.17.0.1",
          "The VM as seen from its containers (the docker0 bridge gateway)."),
    Field("colima", "profile", t.PROFILE, "default",
          "The colima profile; its config is ``~/.colima/PROFILE/colima.yaml``."),
    Field("colima", "vm_type", t.Choice(("vz", "qemu", "krunkit")), "vz",
          "The virtualisation backend (``vz``: Apple Virtualization, macOS 13+)."),
    Field("colima", "cpus", t.Integer(1, 256), 4, "Virtual CPUs of the VM."),
    Field("colima", "memory", t.Integer(1, 1024, "GiB"), 8, "Memory of the VM in GiB."),
    Field("colima", "runtime", t.Choice(("containerd", "docker")), "containerd",
          "The container runtime inside the VM; it cannot change after the VM is created."),
)

FIELDS: Mapping[str, Field] = MappingProxyType({f.path: f for f in SCHEMA})
# keys that only a reader's copy (render --out) may carry; the site publishes their defaults
READER_ONLY = frozenset({"proxy.user", "proxy.password_env"})


class Section:
    """Read-only attribute access to one section's values (what templates see)."""

    def __init__(self, values: Mapping[str, Any]):
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def __repr__(self) -> str:
        return f"Section({self.__dict__!r})"


def cross_problems(values: Mapping[str, Any], source: str) -> list[tuple[str, str, str]]:
    """Rules that involve more than one key."""
    if values.get("proxy.password_env") and not values.get("proxy.user"):
        return [(source, "proxy.password_env", "is set but proxy.user is empty; set both or neither")]
    return []


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]  # key path -> value, every key of the schema
    source: str = "<defaults>"
    # (user, password or None) once resolved for a reader's machine; None renders no
    # credentials at all, which is what the published site gets.
    credentials: tuple[str, str | None] | None = dc_field(default=None, repr=False)

    def __getitem__(self, path: str) -> Any:
        return self.values[path]

    def section(self, name: str) -> Section:
        prefix = name + "."
        return Section({k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)})

    def replace(self, changes: Mapping[str, Any]) -> "Settings":
        """Copy with some values changed ({key path: value}); values are validated."""
        raw = dict(self.values)
        problems = []
        for path, value in changes.items():
            try:
                raw[path] = FIELDS[path].type.parse(value)
            except ValueError as exc:
                problems.append(("<replace>", path, str(exc)))
        problems += cross_problems(raw, "<replace>")
        if problems:
            raise SettingsError(problems)
        return Settings(MappingProxyType(raw), self.source, self.credentials)

    def for_reader(self, environ: Mapping[str, str]) -> "Settings":
        """These settings with the proxy credentials filled in from `environ`, for a render
        that goes to a reader's machine and never to the site."""
        user, var = self["proxy.user"], self["proxy.password_env"]
        if not user:
            return self
        password = None
        if var:
            if var not in environ:
                raise SettingsError([(self.source, "proxy.password_env",
                                      f"the environment variable {var} is not set; export it before rendering")])
            password = environ[var]
        return Settings(self.values, self.source, (user, password))


def defaults() -> Settings:
    return Settings(MappingProxyType({f.path: f.default for f in SCHEMA}))


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _from_table(data: Mapping[str, Any], source: str) -> tuple[dict[str, Any], list]:
    values: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    for section, table in data.items():
        if section not in SECTIONS:
            problems.append((source, section, f"unknown section{_suggest(section, list(SECTIONS))}; "
                             f"known sections: {', '.join(SECTIONS)}"))
            continue
        if not isinstance(table, dict):
            problems.append((source, section, "must be a table ([" + section + "])"))
            continue
        keys = [f.key for f in SCHEMA if f.section == section]
        for key, value in table.items():
            path = f"{section}.{key}"
            field = FIELDS.get(path)
            if field is None:
                problems.append((source, path, f"unknown key{_suggest(key, keys)}"))
                continue
            try:
                values[path] = field.type.parse(value)
            except ValueError as exc:
                problems.append((source, path, str(exc)))
    return values, problems


def parse_overrides(pairs: list[str]) -> tuple[dict[str, Any], list]:
    """`--set section.key=value` strings; lists are comma-separated."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    for pair in pairs:
        source = "--set"
        path, sep, text = pair.partition("=")
        path = path.strip()
        if not sep:
            problems.append((source, path, "expected KEY=VALUE, e.g. proxy.port=8118"))
            continue
        field = FIELDS.get(path)
        if field is None:
            problems.append((source, path, f"unknown key{_suggest(path, list(FIELDS))}"))
            continue
        try:
            values[path] = field.type.parse_text(text)
        except ValueError as exc:
            problems.append((source, path, str(exc)))
    return values, problems


def load(path: Path | None = None, overrides: list[str] | None = None) -> Settings:
    """Defaults, then the settings file (if given), then --set overrides. Every problem in
    every layer is reported together, each naming its file and key path."""
    values = dict(defaults().values)
    problems: list[tuple[str, str, str]] = []
    source = "<defaults>"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SettingsError([(source, "", "file not found")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError([(source, "", f"cannot be read: {exc}")]) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError([(source, "", f"TOML syntax error: {exc}")]) from None
        found, file_problems = _from_table(data, source)
        values.update(found)
        problems += file_problems
    found, set_problems = parse_overrides(overrides or [])
    values.update(found)
    problems += set_problems
    if not problems:
        problems += cross_problems(values, source)
    if problems:
        raise SettingsError(problems)
    return Settings(MappingProxyType(values), source)


def to_toml(settings: Settings) -> str:
    """The settings as a commented proxy.toml (used to write the default file and the docs)."""
    lines: list[str] = []
    for section, doc in SECTIONS.items():
        if lines:
            lines.append("")
        lines.append(f"# {doc}")
        lines.append(f"[{section}]")
        for field in (f for f in SCHEMA if f.section == section):
            lines.append(f"{field.key} = {toml_value(settings[field.path])}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
