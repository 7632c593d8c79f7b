"""Escaping for each output format, used as Jinja2 filters.

The settings types already refuse characters that no format could carry; these filters make
sure what remains is read back as data by each program.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

from ..model.derive import systemd_escape, url_host

_SH_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_YAML_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./:,*@%+=~-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}
# systemd's shell_maybe_quote(): characters that make it quote a word, and those it escapes
_SYSTEMD_NEED_QUOTES = set(" \t\n\"\\`$*?[\'()<>|&;!")
_SYSTEMD_NEED_ESCAPE = set("\"\\`$")


def sh(value: str) -> str:
    """A POSIX shell word: bare when it is plainly safe, else single-quoted."""
    if _SH_SAFE.fullmatch(value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def sh_dq(value: str) -> str:
    """A double-quoted shell word (the author's style for export lines)."""
    return '"' + re.sub(r'([$`"\\])', r"\\\1", value) + '"'


def json_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def yaml_scalar(value: str) -> str:
    """A plain YAML scalar only where every reader (YAML 1.1 as PyYAML, YAML 1.2 as Colima's
    Go reader) takes it for the same string: it starts with a letter, `_` or `/` (so no number,
    .inf, .nan, 0x1f, 0b1, sexagesimal or date), has no space and no indicator, does not end
    with `:` and is not a boolean or null word. Anything else is double-quoted."""
    if _YAML_PLAIN.fullmatch(value) and not value.endswith(":") and value.lower() not in _YAML_WORDS:
        return value
    return '"' + "".join(_yaml_char(c) for c in value) + '"'


def _yaml_char(c: str) -> str:
    """One character inside a double-quoted YAML scalar, in ASCII: YAML's own \\x, \\u and
    \\U escapes (a surrogate pair, as JSON would write it, is two characters to YAML 1.1)."""
    cp = ord(c)
    if c in '"\\':
        return "\\" + c
    if 0x20 <= cp < 0x7f:
        return c
    if cp <= 0xff:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp <= 0xffff else f"\\U{cp:08x}"


def systemd_value(value: str) -> str:
    """Inside Environment="..." : specifiers (%) doubled, quotes and backslashes escaped."""
    return systemd_escape(value).replace("\\", "\\\\").replace('"', '\\"')


def systemd_show_word(word: str) -> str:
    if not set(word) & _SYSTEMD_NEED_QUOTES:
        return word
    return '"' + "".join("\\" + c if c in _SYSTEMD_NEED_ESCAPE else c for c in word) + '"'


def systemctl_show(pairs: Iterable[tuple[str, str]]) -> str:
    """`systemctl show -p Environment` prints the words space-separated, each passed
    through shell_maybe_quote() (systemd src/basic/escape.c)."""
    return " ".join(systemd_show_word(f"{name}={value}") for name, value in pairs)


FILTERS = {
    "sh": sh,
    "sh_dq": sh_dq,
    "json": json_str,
    "yaml": yaml_scalar,
    "systemd": systemd_value,
    "systemctl_show": systemctl_show,
    "url_host": url_host,
}
