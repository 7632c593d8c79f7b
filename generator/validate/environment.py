"""/etc/environment-style files, read by the machine's own pam_env (validate/pam.py) and by a
model of Linux-PAM's _parse_env_file (1.5 to 1.7, built without libeconf) that says what is
wrong: plain NAME=VALUE lines, no expansion, `export ` (one space) skipped, `#` ends the
line, a value that starts with a quote loses that quote and its last character if that is a
quote, blanks at its end are kept."""

from __future__ import annotations

import re
from typing import NamedTuple

from . import urls
from .core import Finding, Target, register
from .pam import read_environment

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # what a shell can use
_PAM_NAME = re.compile(r"[A-Za-z0-9_]+")  # what pam_env sets (C isalnum, then '_')
_QUOTES = ("'", '"')
_MAX_VARIABLES = 1000  # libpam's pam_putenv searches its list for each one: 80,000 take 10 s
_LINE_MAX = 8190  # bytes before the \n: Linux-PAM 1.5's line buffer (8 KiB, fgets) stops the file there


class PamEnv(NamedTuple):
    values: dict[str, str]  # what pam_env sets, name by name
    # (line, why): each is an error. What Linux-PAM versions read differently (a line joined
    # by a backslash, a NUL byte, an over-long line) is one too; the values are then 1.6's
    problems: list[tuple[int, str]]


def _physical(text: str) -> list[str]:
    """The file's lines as fgets/getline return them: ended by \n; nothing after the last \n
    is no line. Each is cut at a NUL byte, as 1.6 and later cut it."""
    lines = [line.split("\0", 1)[0] for line in text.split("\n")]
    return lines[:-1] if lines[-1] == "" else lines


def _lines(text: str):
    """(first line number, assembled line, joined?, cut at a `#`?) as Linux-PAM 1.6 and
    later assemble them: a line ends at \n only; leading blanks go; a `#` ends the line; a
    line whose last non-blank is a backslash (and has no `#`) goes on with the next one, up
    to a blank or comment line (1.5 keeps the next line's leading blanks and skips those)."""
    pending: tuple[int, str] | None = None
    for n, raw in enumerate(_physical(text), 1):
        line = raw.lstrip(" \t")
        if pending is None and (not line or line.startswith("#")):
            continue
        comment = "#" in line
        line = line.split("#", 1)[0]
        body = line.rstrip(" \t")
        if not comment and body.endswith("\\"):
            first, before = pending if pending is not None else (n, "")
            pending = (first, before + body[:-1])
            continue
        if pending is not None:
            yield pending[0], pending[1] + line, True, comment
            pending = None
        else:
            yield n, line, False, comment
    if pending is not None:  # the file ends inside a joined line: pam_env drops it
        yield pending[0], None, True, False


def pam_env_parse(text: str) -> PamEnv:
    values: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for n, raw in enumerate(text.split("\n"), 1):
        if "\0" in raw:
            problems.append((n, "a NUL byte: Linux-PAM 1.5 stops reading the file there, and 1.6 and later "
                                "ignore the rest of the line"))
        if len(raw.encode()) > _LINE_MAX:
            problems.append((n, f"a line longer than {_LINE_MAX} bytes: Linux-PAM 1.5 stops reading the file there"))
    for n, line, was_joined, cut in _lines(text):
        if was_joined:
            problems.append((n, "a line that ends in a backslash goes on with the next one, and Linux-PAM "
                                "versions join them differently (1.5 keeps the next line's leading blanks "
                                "and skips blank and comment lines in between; 1.6 and later drop those "
                                "blanks and end the joined line at a blank or comment line)"))
        if line is None:
            continue
        shown = line.rstrip()
        if line.startswith("export "):
            line = line[len("export "):]
            if line[:1] in (" ", "\t"):
                problems.append((n, f"pam_env skips `export` and one space only: it ignores {line.strip()!a}"))
                continue
        name, eq, value = line.partition("=")
        if not eq and _PAM_NAME.fullmatch(name):
            problems.append((n, f"{shown!a}: a name alone makes pam_env unset the variable (expected NAME=VALUE)"))
            values.pop(name, None)
            continue
        if not eq or not _PAM_NAME.fullmatch(name):
            problems.append((n, f"pam_env cannot read {shown!a} (expected NAME=VALUE)"))
            continue
        if not _NAME.fullmatch(name):
            problems.append((n, f"{name}: pam_env sets it, but no shell can use a name that starts with a digit"))
        if value != value.rstrip(" \t"):
            problems.append((n, f"{name}: pam_env keeps the blanks at the end of the value"))
        if "\r" in value:
            problems.append((n, f"{name}: pam_env keeps the carriage return in the value (a file saved with "
                                "Windows line ends)"))
        if value[:1] in _QUOTES:
            quote = value[0]
            if (value[-1:] != quote or len(value) < 2) and not cut:  # a cut value: the '#' message says it
                problems.append((n, f"{name}: unbalanced quote"))
            if "\\" + quote in value:
                problems.append((n, f"{name}: pam_env does not understand escaped quotes"))
            elif quote in value[1:-1]:
                problems.append((n, f"{name}: pam_env keeps a quote inside a quoted value as it is"))
            value = value[1:]
            if value[-1:] in _QUOTES:  # only the very last character, if it is a quote
                value = value[:-1]
        if cut:
            problems.append((n, f"{name}: '#' ends the value for pam_env; {value!a} is all it reads"))
        if name in values:
            problems.append((n, f"{name} is set twice"))
        values[name] = value
    if len(values) > _MAX_VARIABLES:
        problems.append((0, f"{len(values)} variables: no /etc/environment needs more than {_MAX_VARIABLES}"))
    return PamEnv(values, sorted(problems))


@register("environment")
def check_environment(t: Target) -> list[Finding]:
    """The model says why a line is wrong. A file it finds nothing wrong with is read by the
    machine's pam_env, which says what each variable is, and the model must read the same.
    A file with a wrong line is not given to pam_env: it logs each line it ignores, whole
    (a password too), to the system's auth log."""
    model = pam_env_parse(t.text)
    findings = [t.finding(n, m) for n, m in model.problems]
    values = model.values
    if not model.problems:
        values = read_environment(t.path)
        for name in sorted(set(values) | set(model.values)):
            if values.get(name) != model.values.get(name):
                findings.append(t.finding(0, f"pam_env reads {name} as {values.get(name)!a}, and proxydocs' model "
                                             f"of it as {model.values.get(name)!a}"))
    proxies = {k: v for k, v in values.items() if k.lower().endswith("_proxy")}
    for name, value in sorted(proxies.items()):
        findings += [t.finding(0, f"{name}: {p}") for p in urls.variable_problems(name, value)]
    findings += [t.finding(0, p) for p in urls.pair_problems(proxies, t.expect.url, t.expect.no_proxy)]
    return findings


@register("dockerfile")
def check_dockerfile(t: Target) -> list[Finding]:
    """ENV lines: each variable once, both cases, valid values (no engine to build with)."""
    env: dict[str, str] = {}
    findings = []
    for n, line in enumerate(t.text.splitlines(), 1):
        if not line.startswith("ENV "):
            continue
        m = re.fullmatch(r'ENV ([A-Za-z_][A-Za-z0-9_]*)="([^"\\$]*)"', line)
        if not m:
            m = re.fullmatch(r'ENV ([A-Za-z_][A-Za-z0-9_]*) +"?([^"\\$]*)"?', line)
            findings.append(t.finding(n, "expected ENV NAME=\"value\" (BuildKit warns about the legacy `ENV NAME value` form)"))
            if not m:
                continue
        if m.group(1) in env:
            findings.append(t.finding(n, f"{m.group(1)} is set twice"))
        env[m.group(1)] = m.group(2)
    for name, value in sorted(env.items()):
        findings += [t.finding(0, f"{name}: {p}") for p in urls.variable_problems(name, value)]
    findings += [t.finding(0, p) for p in urls.pair_problems(env, t.expect.url, t.expect.no_proxy)]
    return findings
