"""/etc/environment as the machine's own pam_env reads it (libpam, through ctypes): for the
odd files a reader may write, the model that explains a wrong line reads every variable as
pam_env does, and names what is wrong; a model that reads otherwise is reported; the lines
Linux-PAM versions read differently are refused, whatever this machine's version does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support import DOCS, IN_CI, ROOT
from generator.errors import ToolMissing
from generator.model import settings
from generator.render import manifest
from generator.validate import Target, environment, validate_file
from generator.validate.pam import read_environment

SNIPPETS = [s for s in manifest.load() if s.kind == "environment"]
GUIDE = next(s for s in SNIPPETS if not s.counterexample and s.output.endswith("colima_proxy/environment"))

# id: (the file, words one of the problems must hold; None: no problem at all)
CASES = {
    "plain": ("HTTP_PROXY=http://h:1\nNO_PROXY=localhost\n", None),
    "export and one space": ("export A=1\n", None),
    "export and two spaces": ("export  A=1\nB=2\n", "`export` and one space only"),
    "export and a tab": ("export\tA=1\n", "cannot read"),
    "blanks at the end": ("A=x \t\n", "blanks at the end"),
    "quoted, a blank after": ('A="x" \n', "unbalanced quote"),
    "quote inside quotes": ('A="x"y"\n', "quote inside a quoted value"),
    "the other quote inside": ("A='s\"'\n", None),
    "escaped quotes": ('A="say \\"hi\\""\n', "escaped quotes"),
    "quotes that differ": ("A=\"x'\n", "unbalanced quote"),
    "a lone quote": ('A="\n', "unbalanced quote"),
    "empty quotes": ('A=""\nB=\n', None),
    "a quote at the end only": ('A=x"\n', None),
    "hash": ("A=a#b\n", "'#' ends the value"),
    "hash in quotes": ('A="a#b"\n', "'#' ends the value"),
    "name with a digit first": ("1A=x\n", "starts with a digit"),
    "no name": ("=x\nB=1\n", "cannot read"),
    "blank in the name": ("A B=x\n", "cannot read"),
    "blank before =": ("A =x\n", "cannot read"),
    "a bare name unsets": ("A=1\nA\nB=2\n", "a name alone makes pam_env unset"),
    "export and a bare name": ("A=1\nexport A\n", "'export A': a name alone"),
    "hash cuts a quoted value": ('A="u:p#w@h"\n', "'#' ends the value"),
    "set twice": ("A=1\nA=2\n", "set twice"),
    "comments, blanks, indent": ("# c\n\n   \t# d\n  A=1\n\tB=2\n", None),
    "CR LF": ("A=1\r\nB=2\r\n", "carriage return"),
    "no final newline": ("A=1\nB=2", None),
    "a blank after =": ("A= x\n", None),
    "not ASCII": ("A=пароль✓\nB=a\u2028b\u0085c\n", None),
    "a backslash inside": ("A=a\\b\nB=c\\ d\n", None),
}

# what Linux-PAM 1.5 and 1.6 or later read differently (see environment.py): refused
VERSION_DEPENDENT = {
    "joined lines": ("A=1\\\n  2\nB=3\n", "ends in a backslash"),
    "joined over a blank line": ("A=1\\\n\nB=2\n", "ends in a backslash"),
    "joined at the end of the file": ("A=1\\\n", "ends in a backslash"),
    "NUL byte": ("A=1\nB=2\0x\nC=3\n", "NUL byte"),
    "over-long line": ("A=" + "x" * 9000 + "\nB=1\n", "longer than"),
}


@pytest.fixture(scope="module", autouse=True)
def pam(tmp_path_factory):
    empty = tmp_path_factory.mktemp("pam") / "empty"
    empty.write_bytes(b"")
    try:
        read_environment(empty)
    except ToolMissing as exc:
        (pytest.fail if IN_CI else pytest.skip)(str(exc))


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "environment"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("text,words", CASES.values(), ids=list(CASES))
def test_the_model_reads_what_pam_env_reads(tmp_path, text, words):
    model = environment.pam_env_parse(text)
    assert model.values == read_environment(written(tmp_path, text))
    messages = [m for _, m in model.problems]
    if words is None:
        assert messages == []
    else:
        assert any(words in m for m in messages), messages


@pytest.mark.parametrize("text,words", VERSION_DEPENDENT.values(), ids=list(VERSION_DEPENDENT))
def test_what_versions_read_differently_is_refused(tmp_path, text, words):
    model = environment.pam_env_parse(text)
    assert any(words in m for _, m in model.problems), model.problems
    read_environment(written(tmp_path, text))  # whatever this version makes of it, it reads it


def test_a_model_that_reads_otherwise_is_reported(tmp_path, monkeypatch):
    """The guard: check_environment compares the model with pam_env for every variable."""
    text = (DOCS / GUIDE.output).read_text(encoding="utf-8")
    path = written(tmp_path, text)
    assert [f.message for f in validate_file(Target(path, GUIDE, settings.defaults())) if not f.warning] == []
    real = environment.pam_env_parse

    def blind(text):  # a model that reads one value with a character more
        model = real(text)
        return model._replace(values={**model.values, "HTTP_PROXY": model.values["HTTP_PROXY"] + "/"})

    monkeypatch.setattr(environment, "pam_env_parse", blind)
    messages = [f.message for f in validate_file(Target(path, GUIDE, settings.defaults()))]
    assert any(m.startswith("pam_env reads HTTP_PROXY as 'http://") and "model of it as" in m for m in messages), messages


def test_every_environment_snippet_reads_the_same_in_both(tmp_path):
    for snippet in SNIPPETS:
        text = (DOCS / snippet.output).read_text(encoding="utf-8")
        model = environment.pam_env_parse(text)
        assert model.values == read_environment(DOCS / snippet.output), snippet.output
        assert snippet.counterexample or model.problems == [], (snippet.output, model.problems)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user; CI runs as root")
def test_pam_env_reads_for_a_user_who_is_not_root(tmp_path):
    """validate runs as the reader: libpam and pam_env need no privilege for this. The user
    may not reach the project (a clone in a private folder), so the reader's own modules are
    copied beside the file, and Debian's python3 runs them."""
    shared = Path(tempfile.mkdtemp())  # pytest's own folders are root's alone
    try:
        shared.chmod(0o755)
        for rel in ("__init__.py", "errors.py", "validate/__init__.py", "validate/pam.py"):
            target = shared / "generator" / rel
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(b"" if rel.endswith("__init__.py") else (ROOT / "generator" / rel).read_bytes())
        for p in [shared, *shared.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        path = written(shared, 'HTTP_PROXY="http://h:1"\n')
        code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
                "from generator.validate.pam import read_environment; print(read_environment(Path(sys.argv[2])))")
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
        done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", python, "-I", "-c",
                               code, str(shared), str(path)], capture_output=True, text=True, timeout=30,
                              cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent"})
    finally:
        shutil.rmtree(shared)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'HTTP_PROXY': 'http://h:1'}"


def test_a_file_with_a_wrong_line_never_reaches_pam_env(tmp_path, monkeypatch):
    """pam_env logs each line it ignores, whole, to the auth log: a password in a wrong line
    would land there. Such a file is judged by the model alone."""
    def refuse(path):
        raise AssertionError("pam_env was asked")

    monkeypatch.setattr(environment, "read_environment", refuse)
    path = written(tmp_path, "HTTP_PROXY =http://alice:s3cret@192.168.5.2:3128\n")
    messages = [f.message for f in validate_file(Target(path, GUIDE, settings.defaults()))]
    assert any("cannot read" in m for m in messages), messages


def test_too_many_variables_are_refused_before_pam_env():
    text = "".join(f"V{i}=x\n" for i in range(1001))
    assert any("1001 variables" in m for _, m in environment.pam_env_parse(text).problems)


@pytest.mark.skipif(os.geteuid() != 0, reason="libpam writes audit records only as root; CI runs as root")
def test_no_session_reaches_the_audit_log(tmp_path):
    """Run as root, libpam sends the kernel an audit record of the session it opens (a login
    of nobody, on a host with auditd): the kernel must refuse it (the thread gave up
    CAP_AUDIT_WRITE). strace shows the kernel's answer to each record."""
    strace = shutil.which("strace")
    if strace is None:
        (pytest.fail if IN_CI else pytest.skip)("strace is not installed (.ci/run installs it)")
    path = written(tmp_path, "A=1\n")
    trace = tmp_path / "trace"
    code = ("import sys; from pathlib import Path; from generator.validate.pam import read_environment; "
            "assert read_environment(Path(sys.argv[1])) == {'A': '1'}")
    done = subprocess.run([strace, "-f", "-qq", "-e", "trace=socket,recvfrom,recvmsg", "-o", str(trace), sys.executable,
                           "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr
    log = trace.read_text()
    answers = re.findall(r"nlmsg_type=NLMSG_ERROR.*?error=(-?\w+)", log)
    if "NETLINK_AUDIT) = " in log and "NETLINK_AUDIT) = -1" not in log:
        assert answers and all(a == "-EPERM" for a in answers), log


@pytest.mark.skipif(os.geteuid() != 0, reason="only root has CAP_AUDIT_WRITE to give up; CI runs as root")
def test_the_capability_comes_back_or_the_read_fails(tmp_path):
    """The thread's CAP_AUDIT_WRITE comes back after a read; if the kernel refused to give it
    back (made to fail here: libc's second capset answers -1), the read fails, and does not
    go on quietly without it."""
    from generator.validate import pam

    def effective() -> int:
        return int(re.search(r"^CapEff:\s*(\w+)", Path("/proc/thread-self/status").read_text(), re.M)[1], 16)

    before = effective()
    assert before & pam._AUDIT_WRITE
    path = written(tmp_path, "A=1\n")
    assert pam.read_environment(path) == {"A": "1"} and effective() == before
    lib, libc = pam._library()

    class RefusingLibc:  # the real libc, except that capset refuses once it has been called once
        calls = 0

        def __getattr__(self, name):
            return getattr(libc, name)

        def capset(self, *args):
            self.calls += 1
            return libc.capset(*args) if self.calls == 1 else -1

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pam, "_library", lambda: (lib, RefusingLibc()))
        with pytest.raises(RuntimeError, match="cannot take CAP_AUDIT_WRITE back"):
            pam.read_environment(path)
    assert not effective() & pam._AUDIT_WRITE  # what the refusal left: the read said so
    header, data = pam._CapHeader(pam._CAPABILITY_V3, 0), (pam._CapData * 2)()
    assert libc.capget(header, data) == 0
    data[0].effective |= pam._AUDIT_WRITE
    assert libc.capset(header, data) == 0 and effective() == before


@pytest.mark.parametrize("url", [
    "http://192.168.5.2:\u0663\u0661\u0662\u0668",  # Arabic-Indic digits: int() reads them, curl does not
    "http://192.168.5.2:\uff13\uff11\uff12\uff18",  # fullwidth digits
    "http://192.168.5.2:\u00b9",  # a superscript one: isdigit() says yes, int() fails
    "http://u\x01\x1b[2J s\t@192.168.5.2:3128",  # control characters and blanks in the user
    "http://\x7f@192.168.5.2:3128",
    "http://localhost?x@192.168.5.2:3128",  # curl connects to localhost: '?' ends its address
    "http://a#b@192.168.5.2:3128",
], ids=["arabic-indic port", "fullwidth port", "superscript port", "control characters", "DEL", "query", "fragment"])
def test_any_other_proxy_variable_is_a_url_curl_and_go_read_alike(tmp_path, url):
    """Every *_proxy variable pam_env sets is judged, not only the ones the settings name."""
    text = (DOCS / GUIDE.output).read_text(encoding="utf-8") + f"ALL_PROXY={url}\n"
    path = written(tmp_path, text)
    errors = [f.message for f in validate_file(Target(path, GUIDE, settings.defaults())) if not f.warning]
    assert any("ALL_PROXY" in m for m in errors), errors
