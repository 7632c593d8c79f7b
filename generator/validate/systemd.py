"""systemd drop-ins, checked by systemd itself: `systemd-analyze verify` must print nothing,
and `systemd --test` (as nobody) shows the Environment it merged. The systemctl_show
snippets must equal that Environment in `systemctl show` format."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from ..render.formats import systemctl_show
from . import urls
from .core import Finding, Target, prepare, register, run
from .heredoc import heredoc_body, heredoc_dropins

_UNIT = "[Unit]\nDescription=proxydocs check\n\n[Service]\nExecStart=/bin/true\n"


Key = tuple[str, tuple[tuple[str, str], ...]]  # (service, ((drop-in name, text), ...))
# systemd's reading of the same texts is the same: asked once per process (systemd --test
# takes ~90 ms, and the property tests ask about the same drop-ins many times)
_ANSWERS: dict[Key, tuple[tuple[str, ...], str]] = {}
_CHECK_TARGET = "proxydocs-check.target"


def merged_environment(service: str, dropins: dict[str, str]) -> tuple[list[str], str]:
    """(Environment entries in systemd's order, verify output) for SERVICE with drop-ins."""
    key = (service, tuple(sorted(dropins.items())))
    if key not in _ANSWERS:
        ask_systemd([key])
    entries, verify = _ANSWERS[key]
    return list(entries), verify


def ask_systemd(keys: list[Key]) -> None:
    """systemd's answers for these (service, drop-ins), one `systemd-analyze verify` and one
    `systemd --test` per round of distinct services (a target that wants them all)."""
    rounds: list[dict[str, Key]] = []
    shared: list[dict[str, Key]] = []
    for key in dict.fromkeys(k for k in keys if k not in _ANSWERS):
        if "@" in key[0]:  # a template unit is started by its own name, alone
            rounds.append({key[0]: key})
            continue
        free = next((r for r in shared if key[0] not in r), None)
        if free is None:
            shared.append(free := {})
            rounds.append(free)
        free[key[0]] = key
    if len(_ANSWERS) + len(keys) > 512:
        _ANSWERS.clear()
    for batch in rounds:
        _ANSWERS.update(_ask_round(batch))


def _ask_round(batch: dict[str, Key]) -> dict[Key, tuple[tuple[str, ...], str]]:
    unit_dir = Path(tempfile.mkdtemp(prefix="proxydocs-units-", dir="/tmp"))
    try:
        os.chmod(unit_dir, 0o755)  # systemd --test runs as nobody and must read the files
        for service, (_, dropins) in batch.items():
            (unit_dir / f"{service}.service").write_text(_UNIT)
            (unit_dir / f"{service}.service.d").mkdir()
            for name, text in dropins:
                (unit_dir / f"{service}.service.d" / name).write_text(text, encoding="utf-8")
        units = [f"{service}.service" for service in batch]
        start = units[0]
        if len(units) > 1:
            start = _CHECK_TARGET
            (unit_dir / start).write_text(f"[Unit]\nDescription=proxydocs check\nWants={' '.join(units)}\n")
        for p in unit_dir.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        env = {"SYSTEMD_UNIT_PATH": f"{unit_dir}:", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "HOME": "/tmp", "SYSTEMD_LOG_LEVEL": "warning"}
        verify = run(["systemd-analyze", "verify", *units], env=env, cwd="/")
        test = run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "/lib/systemd/systemd", "--test", "--system", f"--unit={start}", "--no-pager"],
                   env=env, cwd="/", timeout=60)
        entries: dict[str, list[str]] = {unit: [] for unit in units}
        inside = None
        for line in test.stdout.splitlines():
            if line.strip().startswith("-> Unit "):
                inside = line.strip()[len("-> Unit "):].rstrip(":")
            elif inside in entries and line.strip().startswith("Environment: "):
                entries[inside].append(line.strip()[len("Environment: "):])
        said = (verify.stdout + verify.stderr).strip().splitlines()
        answers = {}
        for service, key in batch.items():
            unit = f"{service}.service"
            if test.returncode != 0 and not entries[unit]:
                raise RuntimeError(f"systemd --test failed: {test.stderr.strip()[-500:]}")
            # a line of verify names its unit (or the unit's drop-in folder); one naming no unit
            # of the round is said of each
            mine = [line for line in said if _names(line, unit) or not any(_names(line, u) for u in units)]
            answers[key] = tuple(entries[unit]), "\n".join(mine)
        return answers
    finally:
        shutil.rmtree(unit_dir, ignore_errors=True)


def _names(line: str, unit: str) -> bool:
    return re.search(rf"(?<![\w@.-]){re.escape(unit)}(?![\w@-])", line) is not None


@prepare("systemd_dropin", "systemctl_show", "shell")
def ask_systemd_once(targets: list[Target]) -> None:
    """Every drop-in the targets hold or stand for, asked of systemd together."""
    keys: list[Key] = []
    for t in targets:
        if t.snippet.kind == "systemd_dropin":
            keys.append(("docker", (("http-proxy.conf", t.text),)))
        elif t.snippet.kind == "systemctl_show":
            text, services = _show_request(t)
            keys += [(service, (("http-proxy.conf", text),)) for _, service in services]
        else:
            text = t.text
            keys += [(m.group(3), (("http-proxy.conf", heredoc_body(text, i, end)),))
                     for i, end, m in heredoc_dropins(text) if end is not None]
    ask_systemd(keys)


def dropin_findings(t: Target, text: str, service: str) -> list[Finding]:
    entries, verify = merged_environment(service, {"http-proxy.conf": text})
    findings = []
    for line in verify.splitlines():
        m = re.search(r"\.conf:(\d+): (.*)", line)
        findings.append(t.finding(int(m.group(1)) if m else 0, f"systemd-analyze verify: {m.group(2) if m else line}"))
    env = dict(e.split("=", 1) for e in entries)
    want = t.expect.service_env
    if env != want:
        findings.append(t.finding(0, f"systemd merges Environment {env}; the settings say {want}"))
    for name, value in env.items():
        findings += [t.finding(0, f"{name}: {p}") for p in urls.variable_problems(name, value)]
    return findings


@register("systemd_dropin")
def check_dropin(t: Target) -> list[Finding]:
    return dropin_findings(t, t.text, "docker")


def _show_request(t: Target) -> tuple[str, list[tuple[int, str]]]:
    """(the drop-in the same settings produce, rendered afresh; (line, service) of each
    `# systemctl show SERVICE --property Environment` line of the snippet)."""
    from ..render.manifest import load
    from ..render.engine import render_all

    dropin = next(s for s in load() if s.kind == "systemd_dropin")
    text = render_all(t.settings, (dropin,))[dropin.output]
    services = [(n, m.group(1)) for n, line in enumerate(t.text.splitlines(), 1)
                if (m := re.fullmatch(r"# systemctl show (\S+) --property Environment", line))]
    return text, services


@register("systemctl_show")
def check_systemctl_show(t: Target) -> list[Finding]:
    """Each `Environment=` line must be exactly what systemd reports for the drop-in that
    the same settings produce (the systemd_dropin snippet, rendered afresh)."""
    text, services = _show_request(t)
    findings = []
    lines = t.text.splitlines()
    if not services:
        return [t.finding(0, "no `# systemctl show SERVICE --property Environment` line")]
    for n, line in enumerate(lines, 1):
        if line.startswith("Environment="):
            try:
                words = shlex.split(line[len("Environment="):])
            except ValueError as exc:  # e.g. an unbalanced quote: systemctl never prints one
                findings.append(t.finding(n, f"Environment= line is not systemctl's quoting: {exc}"))
                continue
            for word in words:
                name, _, value = word.partition("=")
                findings += [t.finding(n, f"{name}: {p}") for p in urls.variable_problems(name, value)]
    for n, service in services:
        entries, _ = merged_environment(service, {"http-proxy.conf": text})
        want = "Environment=" + systemctl_show(e.split("=", 1) for e in entries)
        have = lines[n] if n < len(lines) else ""
        if have != want:
            findings.append(t.finding(n + 1, f"systemd reports {want!a}, the snippet shows {have!a}"))
    return findings
