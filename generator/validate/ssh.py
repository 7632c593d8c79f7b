"""ssh_config: ask OpenSSH what it understood (`ssh -T -G -F FILE ALIAS`)."""

from __future__ import annotations

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
    proc = run(["ssh", "-T", "-G", "-F", config, alias], timeout=15)
    values: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" ")
        values.setdefault(key.lower(), []).append(value)
    return proc.returncode, values, proc.stderr


# ssh runs `Match exec` commands while it reads a file (-G too), and `Include` brings in other
# files, which may hold one: validate does not hand ssh a file with either (the templates write
# neither, and a copy may come from someone else). A keyword may be quoted, in any case.
_RUNS_OR_READS = re.compile(r'[ \t]*"?(match|include)"?(?=[ \t="]|$)', re.I)


@register("ssh_config")
def check_ssh_config(t: Target) -> list[Finding]:
    refused = [t.finding(n, f"{m[1]}: ssh runs a Match exec command, and reads an Include's files, as it reads the "
                            "file; the templates write neither, and validate does not give ssh this file")
               for n, line in enumerate(t.text.split("\n"), 1) if (m := _RUNS_OR_READS.match(line))]
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
