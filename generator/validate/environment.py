"""/etc/environment-style files, read by pam_env's rules (facts file, section 5): plain
NAME=VALUE lines, no expansion, an optional leading `export `, `#` ends the value, a value
that starts with a quote has its quote characters stripped."""

from __future__ import annotations

import re

from . import urls
from .core import Finding, Target, register

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def pam_env_parse(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    values: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for n, raw in enumerate(text.split("\n"), 1):  # pam_env ends a line at \n only: a \r stays
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, eq, value = line.partition("=")
        if not eq or not _NAME.fullmatch(name):
            problems.append((n, f"pam_env cannot read {raw!a} (expected NAME=VALUE)"))
            continue
        if "#" in value:
            problems.append((n, f"{name}: '#' ends the value for pam_env; {value.split('#')[0]!a} is all it reads"))
            value = value.split("#", 1)[0]
        if value[:1] in ("'", '"'):
            if value[-1:] != value[:1] or len(value) < 2:
                problems.append((n, f"{name}: unbalanced quote"))
            if "\\" + value[:1] in value:
                problems.append((n, f"{name}: pam_env does not understand escaped quotes"))
            value = value.replace(value[:1], "")
        if name in values:
            problems.append((n, f"{name} is set twice"))
        values[name] = value
    return values, problems


@register("environment")
def check_environment(t: Target) -> list[Finding]:
    values, problems = pam_env_parse(t.text)
    findings = [t.finding(n, m) for n, m in problems]
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
