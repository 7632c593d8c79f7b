"""privoxy's configuration (the SOCKS topology's HTTP bridge on the Mac). `privoxy --config-test`
exits 0 even for an unknown directive or a malformed forward (it only logs `Error:`), so the
directives are checked here against the names privoxy 3.0.34 knows (loadcfg.c), its own
stderr is read for `Error:`, and the bridge must listen and forward where the settings say."""

from __future__ import annotations

import re

from .core import Finding, Target, register, run

# privoxy 3.0.34 loadcfg.c, the hash_* table (the Windows GUI directives left out)
DIRECTIVES = frozenset("""
accept-intercepted-requests actionsfile admin-address allow-cgi-request-crunching buffer-limit ca-cert-file
ca-directory ca-key-file ca-password certificate-directory cipher-list client-header-order client-specific-tag
client-tag-lifetime compression-level confdir connection-sharing cors-allowed-origin debug default-server-timeout
deny-access enable-accept-filter enable-compression enable-edit-actions enable-proxy-authentication-forwarding
enable-remote-http-toggle enable-remote-toggle enforce-blocks filterfile forward forward-socks4 forward-socks4a
forward-socks5 forward-socks5t forwarded-connect-retries handle-as-empty-doc-returns-ok hostname keep-alive-timeout
listen-address listen-backlog logdir logfile max-client-connections permit-access proxy-info-url
receive-buffer-size single-threaded socket-timeout split-large-cgi-forms suppress-blocklists templdir
temporary-directory toggle tolerate-pipelining trust-info-url trust-x-forwarded-for trusted-cgi-referrer
trusted-cas-files trustfile user-manual
""".split())
TEMPLATE_DIRECTIVES = frozenset({"listen-address", "forward-socks5"})  # what snippets/ writes, and all privoxy is given
ARGUMENTS = {"forward-socks5": 3, "forward-socks5t": 3, "forward-socks4": 3, "forward-socks4a": 3, "forward": 2,
             "listen-address": 1}


@register("privoxy_config")
def check_privoxy(t: Target) -> list[Finding]:
    findings, seen = [], {}
    for n, line in enumerate(t.text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        name, args = words[0].lower(), words[1:]
        if name not in DIRECTIVES:
            findings.append(t.finding(n, f"privoxy has no directive {words[0]!a} (it would log an error and go on)"))
            continue
        if name in ARGUMENTS and len(args) != ARGUMENTS[name]:
            findings.append(t.finding(n, f"{name} takes {ARGUMENTS[name]} arguments, not {len(args)}"))
            continue
        if name not in TEMPLATE_DIRECTIVES:
            findings.append(t.finding(n, f"{name}: the template writes only listen-address and forward-socks5 (another "
                                         "directive may make privoxy read other files; validate does not give privoxy "
                                         "this file)"))
            continue
        seen.setdefault(name, []).append(args)
    findings += [t.finding(n, "a line continued with `\\`: privoxy joins it to the next (validate does not give privoxy "
                              "this file)") for n, line in enumerate(t.text.split("\n"), 1) if line.endswith("\\")]
    if findings:  # privoxy is given only a file of the template's own, understood lines
        return findings
    proc = run(["privoxy", "--no-daemon", "--config-test", str(t.path)], timeout=30)
    for line in (proc.stdout + proc.stderr).splitlines():
        m = re.search(r"(Error|Fatal error): .*", line)
        if m:
            findings.append(t.finding(0, f"privoxy --config-test: {m.group().strip()}"))
    if t.expect.derived.dynamic:
        want = {"listen-address": [[t.expect.derived.bridge_listen]],
                "forward-socks5": [["/", t.expect.derived.forwards[0].ssh, "."]]}
        for name, value in want.items():
            if seen.get(name) != value:
                findings.append(t.finding(0, f"{name} is {seen.get(name)!a}; the settings say {value!a}"))
    elif seen:
        findings.append(t.finding(0, "has privoxy directives, but the settings use no SOCKS bridge (tunnel.forward is local)"))
    return findings
