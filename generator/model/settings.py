"""Settings: the values of every key of the schema (generator/model/schema.py), loaded from
the defaults, the settings file and --set overrides, with every problem of every layer
reported together, each naming its file (or --set) and its key."""

from __future__ import annotations

import difflib
import re
import tomllib
from urllib.parse import quote
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..errors import SettingsError
from . import rules
from .schema import FIELDS, READER_ONLY, SCHEMA, SECTIONS, Field

# a URL's password: what stands between `scheme://user:` and the `@` before the host
_URL_PASSWORD = re.compile(r"(://[^\s/?#@:'\"]*:)[^\s/?#@'\"]+@")

__all__ = ["FIELDS", "READER_ONLY", "SCHEMA", "SECTIONS", "Field", "Settings", "defaults", "load", "to_toml"]


class Section:
    """Read-only attribute access to one section's values (what templates see)."""

    def __init__(self, values: Mapping[str, Any]):
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def __repr__(self) -> str:
        return f"Section({self.__dict__!r})"


def cross_problems(values: Mapping[str, Any], origin: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """Rules that involve more than one key (generator/model/rules.py); `origin` says where a
    key's value came from."""
    return rules.problems(values, origin)


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any]  # key path -> value, every key of the schema
    source: str = "<defaults>"
    # (user, password or None) once resolved for a reader's machine; None renders no
    # credentials at all, which is what the published site gets.
    credentials: tuple[str, str | None] | None = dc_field(default=None, repr=False)
    # key path -> where its value came from ("--set" or the file), for keys not defaulted
    origins: Mapping[str, str] = dc_field(default_factory=dict, repr=False, compare=False)

    def __getitem__(self, path: str) -> Any:
        return self.values[path]

    def origin(self, path: str) -> str:
        """Where the key's value came from: "--set", the settings file, or "<defaults>"."""
        return self.origins.get(path, "<defaults>")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The password in every form it takes in a rendered file (as is, percent-encoded, and
        with systemd's %% on top) or in a message (quoted with ascii() or repr()), and, for one
        with blanks, each part of four characters or more (a shell splits it there), longest
        first: what output other than the files redacts."""
        password = self.credentials[1] if self.credentials else None
        if not password:
            return ()
        encoded = quote(password, safe="")
        forms = {password, encoded, encoded.replace("%", "%%"), ascii(password)[1:-1], repr(password)[1:-1]}
        forms |= {part for part in password.split() if len(part) >= 4}
        return tuple(sorted(forms, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """text without the password: its forms, and, with credentials set, whatever stands in
        the password's place of a URL (a hand-edited copy may hold another spelling of it)."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _URL_PASSWORD.sub(r"\1***@", text) if self.secrets else text

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
        problems += cross_problems(raw, lambda key: "<replace>")
        if problems:
            raise SettingsError(problems)
        return Settings(MappingProxyType(raw), self.source, self.credentials, self.origins)

    def for_reader(self, environ: Mapping[str, str]) -> "Settings":
        """These settings with the proxy credentials filled in from `environ`, for a render
        that goes to a reader's machine and never to the site."""
        user, var = self["proxy.user"], self["proxy.password_env"]
        if not user:
            return self
        password = None
        if var:
            where = self.origin("proxy.password_env")
            if var not in environ:
                raise SettingsError([(where, "proxy.password_env",
                                      f"the environment variable {var} is not set; export it before rendering")])
            password = environ[var]
            try:
                password.encode("utf-8")
            except UnicodeEncodeError:  # os.environ keeps undecodable bytes as lone surrogates
                raise SettingsError([(where, "proxy.password_env",
                                      f"the environment variable {var} holds bytes that are not UTF-8; "
                                      "set the password as UTF-8 text")]) from None
            if not password:
                raise SettingsError([(where, "proxy.password_env",
                                      f"the environment variable {var} is empty; export the password in it")])
            if any(c < " " for c in password):
                raise SettingsError([(where, "proxy.password_env",
                                      f"the environment variable {var} holds a control character (below U+0020); "
                                      "curl drops a proxy whose password holds one and connects directly")])
        return Settings(self.values, self.source, (user, password), self.origins)


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
    found_in_file: dict[str, Any] = {}
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SettingsError([(source, "", "file not found")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError([(source, "", f"cannot be read: {exc}")]) from None
        if text.startswith("\ufeff"):
            raise SettingsError([(source, "", "starts with a byte-order mark (U+FEFF), which TOML does not allow; "
                                  "save the file as UTF-8 without BOM")])
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError([(source, "", f"TOML syntax error: {exc}")]) from None
        except RecursionError:
            raise SettingsError([(source, "", "TOML syntax error: values are nested too deeply")]) from None
        found_in_file, file_problems = _from_table(data, source)
        values.update(found_in_file)
        problems += file_problems
    origins = {key: source for key in found_in_file}
    found, set_problems = parse_overrides(overrides or [])
    values.update(found)
    origins.update({key: "--set" for key in found})
    problems += set_problems
    if not problems:
        problems += cross_problems(values, lambda key: origins.get(key, source))
    if problems:
        raise SettingsError(problems)
    return Settings(MappingProxyType(values), source, origins=MappingProxyType(origins))


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
