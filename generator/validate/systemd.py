"""systemd drop-ins, checked by systemd itself: `systemd-analyze verify` must print nothing,
and `systemd --test` (as nobody) shows the Environment it merged. The systemctl_show
snippets must equal that Environment in `systemctl show` format."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from ..render.formats import systemctl_show
from . import urls
from .core import Finding, Target, register, run

# First only this unit's folder is on the unit path (no host unit, no host drop-in for the
# same service, no generator), so the check is the same on every machine and systemd loads
# about sixteen units instead of a few hundred. Without the system's targets on the path, the
# stand-in service must not ask for them (sysinit.target and the rest of the defaults). A
# drop-in that asks for another unit (Requires=, DefaultDependencies=yes ...) is read again
# with the system's unit folders after this one (still no generator). The machine's own
# drop-ins for the service that systemd then reports are shadowed by empty files of the same
# names in this folder (the first on the path wins) and it is read once more, so that they
# take no part.
_UNIT = "[Unit]\nDescription=proxydocs check\nDefaultDependencies=no\n\n[Service]\nExecStart=/bin/true\n"
TEST_FAILED = "systemd --test: "  # the report's line when systemd could not start the unit


def merged_environment(service: str, dropins: dict[str, str]) -> tuple[list[str], str]:
    """(Environment entries in systemd's order, report) for SERVICE with drop-ins: the report
    is `systemd-analyze verify`'s output, and a TEST_FAILED line when `systemd --test` could
    not start the unit (then there are no entries)."""
    entries, verify, failure = _merged(service, tuple(sorted(dropins.items())))
    return list(entries), "\n".join(filter(None, [verify, failure and TEST_FAILED + failure]))


def _ask(service: str, unit_path: str, no_generators: Path):
    # systemd refuses --test as root: as root, it runs as nobody (who must read the files)
    as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []
    env = {"SYSTEMD_UNIT_PATH": unit_path, "SYSTEMD_GENERATOR_PATH": str(no_generators),
           "SYSTEMD_ENVIRONMENT_GENERATOR_PATH": str(no_generators), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": "/tmp", "SYSTEMD_LOG_LEVEL": "warning"}
    # --man=no: verify would run man on each Documentation= page, with what the file names as arguments
    # (and as nobody, like --test: an Exec= line makes it look at a file as its user)
    verify = run([*as_user, "systemd-analyze", "verify", "--man=no", "--generators=no", "--", f"{service}.service"],
                 env=env, cwd="/")  # a name may start with -
    test = run([*as_user, "/lib/systemd/systemd", "--test", "--system", f"--unit={service}.service", "--no-pager"],
               env=env, cwd="/", timeout=60)
    return (verify.stdout + verify.stderr).strip(), test


def _unit_lines(dump: str, service: str, label: str) -> list[str]:
    """The values of LABEL lines in systemd --test's dump of SERVICE."""
    found, inside = [], False
    for line in dump.split("\n"):
        if line.strip().startswith("-> Unit "):
            inside = line.strip() == f"-> Unit {service}.service:"
        elif inside and line.strip().startswith(label):
            found.append(line.strip()[len(label):])
    return found


_UNIT_NAME = re.compile(r"[A-Za-z0-9_@:-][A-Za-z0-9_.@:-]*")


@lru_cache(maxsize=512)
def _merged(service: str, dropins: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], str, str]:
    """systemd's reading of the same texts is the same: asked once per process (systemd --test
    takes ~15 ms, and the property tests ask about the same drop-ins many times)."""
    # names from the file itself (a copy may come from someone else): never a path
    for name in (service, *(name for name, _ in dropins)):
        if not _UNIT_NAME.fullmatch(name) or ".." in name:
            return (), f"{name!a} is not a unit or drop-in name (letters, digits, and : - _ . @ inside)", ""
    root = Path(tempfile.mkdtemp(prefix="proxydocs-units-", dir="/tmp"))
    unit_dir, no_generators = root / "units", root / "generators"
    try:
        unit_dir.mkdir()
        no_generators.mkdir()
        os.chmod(root, 0o755)  # systemd --test runs as nobody and must read the files
        (unit_dir / f"{service}.service").write_text(_UNIT)
        (unit_dir / f"{service}.service.d").mkdir()
        for name, text in dropins:
            (unit_dir / f"{service}.service.d" / name).write_text(text, encoding="utf-8")
        for p in root.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        verify, test = _ask(service, str(unit_dir), no_generators)
        if test.returncode != 0 or " not found." in verify:
            verify, test = _ask(service, f"{unit_dir}:", no_generators)  # ":" appends the system's folders
            # every file of each foreign drop-in folder (a name systemd prints with a line break
            # in it would be cut in the dump; the folder's own name is not)
            folders = {Path(p).parent for p in _unit_lines(test.stdout, service, "DropIn Path: ")
                       if not p.startswith(f"{unit_dir}/")}
            foreign = [(f.name, name) for f in folders if f.is_dir() for name in os.listdir(f)]
            for folder, name in foreign:
                (unit_dir / folder).mkdir(exist_ok=True)
                (unit_dir / folder / name).touch()
                os.chmod(unit_dir / folder, 0o755)
                os.chmod(unit_dir / folder / name, 0o644)
            if foreign:
                verify, test = _ask(service, f"{unit_dir}:", no_generators)
        entries = _unit_lines(test.stdout, service, "Environment: ")
        failure = ""
        if test.returncode != 0 and not entries:
            failure = " ".join(test.stderr.split())[-500:] or f"exit status {test.returncode}"
        return tuple(entries), verify, failure
    finally:
        shutil.rmtree(root, ignore_errors=True)


def dropin_findings(t: Target, text: str, service: str) -> list[Finding]:
    # systemd's failure to start the unit is kept apart from verify's lines, which echo the
    # drop-in's own text and may hold any line a value makes them hold
    entries, verify, failure = _merged(service, (("http-proxy.conf", text),))
    findings = [t.finding(0, TEST_FAILED + failure)] if failure else []
    for line in filter(None, verify.split("\n")):
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


@register("systemctl_show")
def check_systemctl_show(t: Target) -> list[Finding]:
    """Each `Environment=` line must be exactly what systemd reports for the drop-in that
    the same settings produce (the systemd_dropin snippet, rendered afresh)."""
    from ..render.manifest import load
    from ..render.engine import render_all

    snippets = load()
    dropin = next(s for s in snippets if s.kind == "systemd_dropin")
    text = render_all(t.settings, (dropin,))[dropin.output]
    findings = []
    lines = t.text.splitlines()
    services = [(n, m.group(1)) for n, line in enumerate(lines, 1)
                if (m := re.fullmatch(r"# systemctl show (\S+) --property Environment", line))]
    if not services:
        return [t.finding(0, "no `# systemctl show SERVICE --property Environment` line")]
    odd = [t.finding(n, f"{name!a} is not a unit name (letters, digits, and : - _ . @ inside)")
           for n, name in services if not _UNIT_NAME.fullmatch(name) or ".." in name]
    if odd:
        return odd
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
