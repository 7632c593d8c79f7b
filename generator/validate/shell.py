"""Shell snippets: bash -n, shellcheck, the values bash really assigns, and the systemd
drop-in that a script writes through a heredoc."""

from __future__ import annotations

import os
import re

from . import urls
from ..render.guard import forbidden
from .core import Finding, Target, register, run

_EXPORT = re.compile(r"[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=")  # bash's blanks only, not Unicode's
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(#.*)?")
# a whole line that assigns a value and does nothing else when bash reads it: a double-quoted
# value without $, ` or \, a single-quoted one, or a bare word of characters bash takes as is
# (a comment only after a blank: `#` inside a word is a character to bash), of a proxy variable
# (one named PATH or LD_PRELOAD would change what bash runs next)
_PLAIN = re.compile(r"""[ \t]*(export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*_(proxy|PROXY)="""
                    r"""("[^"$`\\]*"|'[^']*'|[A-Za-z0-9_.,:/@%+=-]*)([ \t]+(#.*)?)?""")
_HEREDOC = re.compile(r"cat <<'?(\w+)'? >(/etc/systemd/system/([\w@.-]+)\.service\.d/[\w.-]+\.conf)[ \t]*")


@register("shell")
def check_syntax(t: Target) -> list[Finding]:
    proc = run(["bash", "-n", str(t.path)])
    if proc.returncode != 0:
        m = re.search(r"line (\d+)", proc.stderr)
        return [t.finding(int(m.group(1)) if m else 0, f"bash -n: {proc.stderr.strip()}")]
    return []


_SHELLCHECKED: dict[str, tuple[tuple[int, str], ...]] = {}


def shellcheck_findings(text: str) -> tuple[tuple[int, str], ...] | str:
    """shellcheck's (line, message) findings for a script, or why shellcheck failed. The
    script is read from standard input, and no .shellcheckrc of any folder or of the user
    (--norc) and no SHELLCHECK_OPTS of the caller (either may disable a check) take part: the
    verdict is the text's alone (tests/validators: the same as for the file, for every
    snippet), so a text is asked once per process. Snippets are shown without a shebang (the
    pages include them as they are): say bash."""
    if text in _SHELLCHECKED:
        return _SHELLCHECKED[text]
    env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}
    proc = run(["shellcheck", "--norc", "--shell=bash", "--format=gcc", "-"], env=env, input=text, encoding="utf-8")
    found = tuple((int(m.group(1)), m.group(2)) for line in proc.stdout.splitlines()
                  if (m := re.match(r"-:(\d+):\d+: (.*)", line)))
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not found):
        return f"shellcheck failed: {proc.stderr.strip()}"
    if len(_SHELLCHECKED) >= 512:
        _SHELLCHECKED.clear()
    _SHELLCHECKED[text] = found
    return found


@register("shell")
def check_shellcheck(t: Target) -> list[Finding]:
    found = shellcheck_findings(t.text)
    if isinstance(found, str):
        return [t.finding(0, found)]
    return [t.finding(line, f"shellcheck: {message}") for line, message in found]


def sourced_environment(t: Target) -> tuple[dict[str, str], str]:
    """The variables as bash itself assigns them from a file of assignments that expand and
    run nothing, and what bash said while it read the file (nothing, for a file that is right)."""
    proc = run(["bash", "--norc", "--noprofile", "-c", 'set -a; . "$1"; /usr/bin/env -0', "_", str(t.path)],
               env={"PATH": "/usr/bin:/bin"})
    env = dict(item.split("=", 1) for item in proc.stdout.split("\0") if "=" in item)
    return {k: v for k, v in env.items() if k.lower().endswith("_proxy")}, proc.stderr.strip()


@register("shell")
def check_assignments(t: Target) -> list[Finding]:
    """A file of proxy variables (one a reader appends to a file every new shell reads, or any
    file of assignments only) is read by bash itself, but only once nothing in it would expand
    or run: a copy may come from someone else, and validate never runs what it checks."""
    # blank and comment lines as bash sees them (only a space or a tab is a blank to bash)
    lines = [(n, ln) for n, ln in enumerate(t.text.split("\n"), 1) if not _BLANK_OR_COMMENT.fullmatch(ln)]
    others = [n for n, ln in lines if not _EXPORT.match(ln)]
    if others or not lines:
        return [t.finding(n, f"not a variable assignment: this file is appended to {t.snippet.target}, which every "
                             "new shell reads, and holds NAME=VALUE lines only") for n in others] if t.snippet.target else []
    running = [t.finding(n, "not a plain assignment of a proxy variable: a `$`, a backquote, a `;`, a redirection, "
                            "another command or another variable makes the shell expand, run or look up something when "
                            "it reads the file (validate does not read such a file with bash)")
               for n, ln in lines if not _PLAIN.fullmatch(ln)]
    if running:
        return running
    if forbidden("").search(t.text):  # a control or invisible character, even quoted: the text check says where
        return []
    env, said = sourced_environment(t)
    findings = [t.finding(0, f"bash, sourcing the file: {said.splitlines()[0]}")] if said else []
    findings += [t.finding(0, f"{name}: {p}") for name, value in sorted(env.items())
                 for p in urls.variable_problems(name, value)]
    for name, value in sorted(env.items()):
        want = t.expect.variable(name)
        if value != want:
            findings.append(t.finding(0, f"{name} is {value!a}; the settings say {want!a}"))
    return findings


@register("shell")
def check_heredoc_dropin(t: Target) -> list[Finding]:
    """A script that writes a systemd drop-in: the heredoc is checked as the drop-in itself."""
    from .systemd import dropin_findings

    # lines as bash reads them: ended by \n only, and a heredoc ends at a line that is exactly
    # its word (not at "EOF\r", nor at a U+2028 or \r inside a line, which splitlines() cuts at)
    lines = t.text.split("\n")
    findings = []
    for i, line in enumerate(lines):
        m = _HEREDOC.fullmatch(line)
        if not m:
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j] == m.group(1)), None)
        if end is None:
            findings.append(t.finding(i + 1, "heredoc is never closed"))
            continue
        if not line.startswith("cat <<'"):
            findings.append(t.finding(i + 1, "unquoted heredoc: the shell would expand $ and ` in the drop-in"))
        body = "\n".join(lines[i + 1:end]) + "\n"
        # a line of the drop-in is line i + 1 + n of the script
        findings += [t.finding(i + 1 + f.line if f.line else i + 1, f.message)
                     for f in dropin_findings(t, body, m.group(3))]
    return findings
