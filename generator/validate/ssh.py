"""ssh_config: ask OpenSSH what it understood (`ssh -T -G -F FILE ALIAS`)."""

from __future__ import annotations

import os
import re

from .core import Finding, Target, register, run

# Every keyword the templates write. Anything else in ssh's effective config that differs
# from ssh's own defaults was smuggled in (e.g. a newline-injected ProxyCommand).
TEMPLATE_KEYWORDS = {
    "host", "hostname", "user", "port", "identityfile", "identitiesonly", "localforward", "dynamicforward",
    "exitonforwardfailure", "serveraliveinterval", "serveralivecountmax", "stricthostkeychecking",
    "controlmaster", "controlpath", "controlpersist", "compression",
}


def effective(config: str, alias: str) -> tuple[int, dict[str, list[str]], str]:
    # ssh expands ${VAR} in some values: it is given no variable of the caller's but these
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/")}
    proc = run(["ssh", "-T", "-G", "-F", config, alias], timeout=15, env=env)
    values: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        values.setdefault(key.lower(), []).append(value)
    return proc.returncode, values, proc.stderr


def _keyword(line: str) -> str | None:
    """The keyword of a line as ssh's readconf.c finds it (leading blanks, CR included, then
    one `=` at most; a keyword may be quoted), or None for a blank or comment line."""
    rest = line.lstrip(" \t\r")
    if not rest or rest.startswith("#"):
        return None
    if rest.startswith("="):
        rest = rest[1:].lstrip(" \t\r")
    # the first word up to a blank or `=`, quotes and all: ssh drops a quote inside it and reads
    # on (`User"KnownHostsFile"` is UserKnownHostsFile), so only a plain or wholly quoted word
    # of letters is taken for a keyword
    word = re.match(r'[^ \t\r=]*', rest)[0]
    m = re.fullmatch(r'([A-Za-z]+)|"([A-Za-z]+)"', word)
    return (m[1] or m[2]) if m else word


@register("ssh_config")
def check_ssh_config(t: Target) -> list[Finding]:
    # ssh runs a `Match exec` command while it reads a file (-G too), `Include` brings in other
    # files, and other keywords look names up: a copy may come from someone else, so ssh is
    # given a file of the template's own keywords only
    refused = [t.finding(n, f"{keyword!a} is not a keyword the template writes (validate gives ssh no other: a Match "
                            "exec runs its command, and an Include reads other files, as ssh reads the file)")
               for n, line in enumerate(t.text.split("\n"), 1)
               if (keyword := _keyword(line)) is not None and keyword.lower() not in TEMPLATE_KEYWORDS]
    if refused:
        return refused
    alias = t.settings["tunnel.alias"]
    code, got, err = effective(str(t.path), alias)
    if code != 0:
        line = 0
        for part in err.split(":"):
            if part.strip().startswith("line "):
                line = int(part.strip()[5:])
        return [t.finding(line, f"ssh rejects the file: {err.strip()}")]
    _, defaults, _ = effective("/dev/null", alias)
    findings = []
    for key, want in t.expect.ssh.items():
        have = got.get(key, [""])[0]
        if (have.lower() if key == "hostname" else have) != want:
            findings.append(t.finding(0, f"ssh -G shows {key} {have!a}; the settings say {want!a}"))
    keyword, want_forwards = t.expect.forwards
    have_forwards = sorted(got.get(keyword, []))
    if have_forwards != want_forwards:
        shown = "DynamicForward" if keyword == "dynamicforward" else "LocalForward"
        findings.append(t.finding(0, f"ssh -G shows {shown} {have_forwards}; the settings say {want_forwards}"))
    for key, values in sorted(got.items()):
        if key not in TEMPLATE_KEYWORDS and values != defaults.get(key):
            findings.append(t.finding(0, f"unexpected keyword in the effective config: {key} {' '.join(values)}"))
    return findings
