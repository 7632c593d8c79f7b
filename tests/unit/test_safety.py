"""Reader safety, one regression test per finding: nothing injected into a root shell, nothing
deleted or read outside the output folder, credentials kept private, bytes compared as bytes,
YAML read back as strings, and one line (never a traceback) for each way input can be bad.
Interruptions are in tests/e2e/test_interrupt.py; the setup scripts in tests/validators."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from generator import api
from generator.errors import UnsafeOutputError
from generator.model.settings import defaults
from generator.render import guard
from generator.render.formats import yaml_scalar
from generator.write import RECORD
from support import ROOT, run_cli, snapshot

GUIDE = "container/colima/colima_proxy/"
INJECTION = "proxy.no_proxy=localhost,fe80::%\nEOF\ntouch pwned\n: <<'EOF'\n/64"
# one hostile character (or zone id) per list item, in every position of the list
LIST_HOSTILE = ["%eth0", "\x00", "\r", "\u2028", "\t", "'", '"', "$(id)", "`id`", "\n", "\u202e", "\ufeff", ";", " "]


def cli(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, **(env or {})})


# ---------------------------------------------------------------------------------- 1. injection
def test_the_reported_injection_is_refused_and_nothing_is_written(tmp_path):
    result = run_cli("render", "--set", INJECTION, "--out", str(tmp_path / "out"))
    assert result.code == 2 and "proxy.no_proxy: entry" in result.err and "contains '%'" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["proxy.no_proxy", "tunnel.also_bind"])
@pytest.mark.parametrize("position", [0, 1, 2])
@pytest.mark.parametrize("bad", LIST_HOSTILE, ids=ascii)
def test_every_list_item_goes_through_the_narrow_rules(tmp_path, key, position, bad):
    items = ["localhost", "10.0.0.0/8", "fd00::1"] if key == "proxy.no_proxy" else ["10.1.1.1", "10.1.1.2", "fd00::1"]
    items[position] = items[position][:2] + bad + items[position][2:]  # inside: blanks at the ends are trimmed
    result = run_cli("render", "--set", f"{key}={','.join(items)}", "--out", str(tmp_path))
    assert result.code == 2 and f"--set: {key}: " in result.err, result.err
    assert list(tmp_path.iterdir()) == []


def _bypassing_the_types(**changes: str):
    """Settings whose values never went through the types: the render boundary alone guards."""
    values = dict(defaults().values)
    values.update(changes)
    return type(defaults())(MappingProxyType(values))


@pytest.mark.parametrize("char", ["\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u200b",
                                  "\u202e", "\u2066", "\ufeff", "\ud800", "\t"], ids=ascii)
@pytest.mark.parametrize("key", ["tunnel.alias", "tunnel.hostname", "tunnel.identity_file", "vm.host_address",
                                 "colima.profile"])
def test_the_render_boundary_refuses_on_its_own(tmp_path, key, char):
    settings = _bypassing_the_types(**{key: f"a{char}b"})
    with pytest.raises(UnsafeOutputError) as exc:
        api.render(settings, tmp_path)
    assert "nothing was written" in str(exc.value) and ascii(char) in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_the_guard_names_file_line_and_column_and_lets_plain_text_through():
    guard.check({"a": "中文 ✓ emoji \U0001f600\nline\n"}, {"a": "shell"})
    with pytest.raises(UnsafeOutputError) as exc:
        guard.check({"ok": "fine\n", "bad": "one\ntwo x\u2028y\n"}, {})
    assert "bad:2:6: would contain '\\u2028'" in str(exc.value) and "ok:" not in str(exc.value)


def test_validate_reports_an_unbalanced_quote_instead_of_crashing(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    show = tmp_path / GUIDE / "systemctl_show_env"
    show.write_text(show.read_text().replace('NO_PROXY=', 'NO_PROXY="', 1))
    result = run_cli("validate", "--root", str(tmp_path), str(show))
    assert result.code == 1 and "not systemctl's quoting" in result.out


# ------------------------------------------------------------------------------------- 2. record
@pytest.mark.parametrize("key", ["../../victim", "/VICTIM", "a/../../victim", "./x", "a//b", "a\\..\\b", "\u0000"])
def test_a_tampered_record_touches_nothing(tmp_path, key):
    out, victim = tmp_path / "docs", tmp_path / "victim"
    assert run_cli("render", "--out", str(out)).code == 0
    victim.write_text("precious\n")
    record = json.loads((out / RECORD).read_text())
    key = key.replace("VICTIM", str(victim).lstrip("/"))
    record["files"][key] = hashlib.sha256(b"precious\n").hexdigest()
    (out / RECORD).write_text(json.dumps(record))
    before = snapshot(tmp_path)
    for extra in ([], ["--force"], ["--set", "proxy.port=8118"], ["--set", "proxy.port=8118", "--force"]):
        result = run_cli("render", "--out", str(out), *extra)
        assert result.code == 2 and "did not write this record" in result.err, result.err
        assert snapshot(tmp_path) == before


@pytest.mark.parametrize("content", ["[1,2]", '{"files":[1]}', '{"files":{"a":1}}', '{"files":{"a":"x"}}', "\xff", "{"])
def test_a_record_proxydocs_did_not_write_is_one_line_and_exit_2(tmp_path, content):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    (tmp_path / RECORD).write_bytes(content.encode("latin-1"))
    before = snapshot(tmp_path)
    result = cli("render", "--set", "proxy.port=8118", "--out", str(tmp_path))
    assert result.returncode == 2 and "did not write this record" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_sphinx_does_not_delete_through_a_tampered_record(tmp_path):
    from support import copy_site, sphinx_build

    site, victim = copy_site(tmp_path / "site"), tmp_path / "victim"
    victim.write_text("precious\n")
    record = json.loads((site / "docs" / RECORD).read_text())
    record["files"]["../../victim"] = hashlib.sha256(b"precious\n").hexdigest()
    (site / "docs" / RECORD).write_text(json.dumps(record))
    proc = sphinx_build(site, tmp_path / "html")
    assert proc.returncode != 0 and "did not write this record" in proc.stderr
    assert victim.read_text() == "precious\n"


def test_a_snippet_no_longer_generated_is_left_in_place_and_reported(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    old = tmp_path / "container/colima/old_snippet"
    old.write_text("mine\n")
    record = json.loads((tmp_path / RECORD).read_text())
    record["files"]["container/colima/old_snippet"] = hashlib.sha256(b"mine\n").hexdigest()
    (tmp_path / RECORD).write_text(json.dumps(record))
    result = run_cli("render", "--out", str(tmp_path), "--force")
    assert result.code == 0 and old.read_text() == "mine\n" and "no longer generated" in result.err
    assert "container/colima/old_snippet" not in (tmp_path / RECORD).read_text()


# -------------------------------------------------------------------------------- 4. credentials
CREDS = ["--set", "proxy.user=me@corp", "--set", "proxy.password_env=PROXYDOCS_PW"]
SECRET = "s3cr#t p%ss"
ENCODED = "s3cr%23t%20p%25ss"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_files_with_credentials_are_0600_whatever_the_umask(tmp_path, umask):
    proc = subprocess.run(["sh", "-c", f"umask {umask:o} && exec \"$@\"", "-", sys.executable, "-m", "generator",
                           "render", *CREDS, "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PROXYDOCS_PW": SECRET}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    modes = {p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()}
    assert modes == {0o600}  # the record too: it names the files that hold a password


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_without_credentials_follow_the_umask(tmp_path, umask, mode):
    proc = subprocess.run(["sh", "-c", f"umask {umask:o} && exec \"$@\"", "-", sys.executable, "-m", "generator",
                           "render", "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert {p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()} == {mode}


def test_the_password_is_never_on_a_command_line(tmp_path):
    proc = cli("render", *CREDS, "--out", str(tmp_path), env={"PROXYDOCS_PW": SECRET})
    assert proc.returncode == 0, proc.stderr
    for name in ("setup_mac.sh", "ssh_tunnel"):
        for line in (tmp_path / GUIDE / name).read_text().splitlines():
            if ENCODED in line:
                assert not line.lstrip().startswith(("curl", "ssh")) and " -x " not in line, f"{name}: {line}"


def test_diff_and_findings_redact_the_password(tmp_path):
    env = {"PROXYDOCS_PW": SECRET}
    assert cli("render", *CREDS, "--out", str(tmp_path), env=env).returncode == 0
    diff = cli("render", *CREDS, "--set", "proxy.port=8118", "--out", str(tmp_path), "--check", "--diff", env=env)
    assert diff.returncode == 1 and "8118" in diff.stdout
    apt = tmp_path / "container/colima/colima_proxy_archive/apt_proxy"
    apt.write_text(apt.read_text().replace(":3128/", ":3128/x"))
    found = cli("validate", *CREDS, "--root", str(tmp_path), str(apt), env=env)
    assert found.returncode == 1 and "apt reads" in found.stdout
    for output in (diff.stdout + diff.stderr, found.stdout + found.stderr):
        assert SECRET not in output and ENCODED not in output and "***" in output


@pytest.mark.parametrize("where", ["--set", "file"])
def test_credentials_for_the_site_are_refused_naming_their_origin(tmp_path, where):
    site = tmp_path / "site"
    site.mkdir()
    (site / "conf.py").write_text("")
    (site / "proxy.toml").write_text('[proxy]\nuser = "me"\n' if where == "file" else "")
    args = ["--set", "proxy.user=me"] if where == "--set" else []
    proc = cli("render", *args, cwd=site)
    origin = "--set" if where == "--set" else str(site / "proxy.toml")
    assert proc.returncode == 2 and f"{origin}: proxy.user: is set, but credentials" in proc.stderr
    assert not (site / "docs").exists()


def test_a_password_that_is_not_utf8_is_one_line(tmp_path):
    env = {**os.environ, "PROXYDOCS_PW": "x"}
    env_b = {k.encode(): v.encode() for k, v in env.items()}
    env_b[b"PROXYDOCS_PW"] = b"p\xffw"
    proc = subprocess.run([sys.executable, "-m", "generator", "render", *CREDS, "--out", str(tmp_path)],
                          capture_output=True, text=True, env=env_b, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "holds bytes that are not UTF-8" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------ 5. symlinks
def test_a_symlinked_folder_in_the_output_is_never_followed(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (out / "container").mkdir(parents=True)
    (out / "container" / "colima").symlink_to(outside)
    result = run_cli("render", "--out", str(out))
    assert result.code == 4 and "is a symbolic link" in result.err
    assert list(outside.iterdir()) == [] and not (out / RECORD).exists()


def test_leftovers_are_never_removed_through_a_symlinked_folder(tmp_path):
    """A file named like an interrupted render's leftover, in a folder the link leads to, stays."""
    out, outside = tmp_path / "out", tmp_path / "outside"
    (outside / "colima_proxy").mkdir(parents=True)
    bait = outside / "colima_proxy" / ".setup_vm.sh.abcdefgh.tmp"
    bait.write_text("the user's own file")
    (out / "container").mkdir(parents=True)
    (out / "container" / "colima").symlink_to(outside)
    result = run_cli("render", "--out", str(out))
    assert result.code == 4 and "is a symbolic link" in result.err
    assert bait.read_text() == "the user's own file"


def test_check_diff_never_prints_a_symlink_target(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    secret = tmp_path.parent / f"{tmp_path.name}-id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n")
    target = tmp_path / GUIDE / "config.json"
    target.unlink()
    target.symlink_to(secret)
    for args in (["--check", "--diff"], ["--diff"], []):
        result = run_cli("render", "--out", str(tmp_path), *args)
        assert result.code == 4 and "is a symbolic link" in result.err
        assert "PRIVATE KEY" not in result.out + result.err
    assert secret.read_text().startswith("-----BEGIN")


# ---------------------------------------------------------------------------------- 8. byte drift
def test_crlf_is_drift_and_render_repairs_it(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    target = tmp_path / GUIDE / "ssh_config"
    good = target.read_bytes()
    target.write_bytes(good.replace(b"\n", b"\r\n"))
    assert run_cli("render", "--out", str(tmp_path), "--check").code == 1
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    assert target.read_bytes() == good


# ----------------------------------------------------------------------------------------- 10. YAML
@pytest.mark.parametrize("value", [".inf", ".NaN", "0x1f", "0b1", "0o17", "1:20", "2001-12-14", "yes", "Off", "~",
                                   "null", "-", "=", "a:", "*a", "&a", "!a", "%a", "@a", "`a", "? a", "1e3", "+1", ""])
def test_yaml_values_are_read_back_as_the_same_string(value):
    from ruamel.yaml import YAML

    text = f"env:\n  NO_PROXY: {yaml_scalar(value)}\n"
    assert yaml.safe_load(text)["env"]["NO_PROXY"] == value  # YAML 1.1 (PyYAML)
    assert YAML(typ="safe", pure=True).load(text)["env"]["NO_PROXY"] == value  # YAML 1.2 (ruamel)


@given(value=st.text(max_size=20) | st.from_regex(r"[-+.0-9a-zA-Z_:/*@%=~]{1,12}", fullmatch=True))
@hsettings(max_examples=300, deadline=None, derandomize=True, database=None,
           suppress_health_check=list(HealthCheck))
def test_any_yaml_scalar_reads_back_in_yaml_1_1_and_1_2(value):
    from ruamel.yaml import YAML

    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0xd800 <= ord(c) <= 0xdfff for c in value):
        return  # the render boundary refuses these before any YAML is written
    text = f"k: {yaml_scalar(value)}\n"
    assert yaml.safe_load(text)["k"] == value
    assert YAML(typ="safe", pure=True).load(text)["k"] == value


# ---------------------------------------------------------------------------------- 11. one line
@pytest.mark.parametrize("args,code,words", [
    (["render", "--out", "README.md/x"], 4, "cannot be created (Not a directory)"),
    (["render", "--out", "/proc/proxydocs-x"], 4, "cannot be created"),
])
def test_bad_output_paths_are_one_line(args, code, words):
    proc = cli(*args)
    assert proc.returncode == code and words in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_an_output_path_that_is_a_folder_is_one_line(tmp_path):
    (tmp_path / GUIDE / "config.json").mkdir(parents=True)
    proc = cli("render", "--out", str(tmp_path))
    assert proc.returncode == 4 and "is a folder where a generated file goes" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / RECORD).exists()


@pytest.mark.parametrize("content,words", [
    ("[a]\nb = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("\ufeff[proxy]\nport = 3128\n", "byte-order mark"),
])
def test_bad_settings_files_are_one_line(tmp_path, content, words):
    settings = tmp_path / "proxy.toml"
    settings.write_text(content, encoding="utf-8")
    proc = cli("render", "--settings", str(settings), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_validate_without_the_extra_names_it(tmp_path):
    blocker = tmp_path / "jsonschema.py"
    blocker.write_text("raise ImportError('blocked', name='jsonschema')\n")
    proc = cli("validate", env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 2 and "pip install 'proxydocs[validate]'" in proc.stderr
    assert "Traceback" not in proc.stderr


# ----------------------------------------------------------------------------------- 12. cache, lock
def test_no_cache_is_read_or_written(tmp_path):
    cache = tmp_path / "cache"
    (cache / "jinja2").mkdir(parents=True)
    marker = tmp_path / "executed"
    planted = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')"
    for name in ("__jinja2_" + "0" * 40 + ".cache",):
        (cache / "jinja2" / name).write_bytes(planted.encode())
    before = snapshot(cache)
    proc = cli("render", "--out", str(tmp_path / "out"), env={"PROXYDOCS_CACHE": str(cache),
                                                               "XDG_CACHE_HOME": str(cache)})
    assert proc.returncode == 0 and not marker.exists() and snapshot(cache) == before


def test_a_waiting_render_says_so_and_gives_up(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        start = time.monotonic()
        proc = cli("render", "--set", "proxy.port=8118", "--out", str(tmp_path), env={"PROXYDOCS_LOCK_TIMEOUT": "1"})
        assert time.monotonic() - start < 20
    finally:
        os.close(fd)
    assert proc.returncode == 4 and "waiting for another proxydocs render" in proc.stderr
    assert "held it for 1 s; nothing was changed" in proc.stderr


def test_a_waiting_render_goes_on_when_the_lock_is_released(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    proc = subprocess.Popen([sys.executable, "-m", "generator", "render", "--set", "proxy.port=8118", "--out",
                             str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PROXYDOCS_LOCK_TIMEOUT": "60"})
    try:
        first = proc.stderr.readline()  # it says it waits, and waits
        assert "waiting for another proxydocs render" in first
        time.sleep(0.3)
        assert proc.poll() is None
    finally:
        os.close(fd)  # released: it goes on
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, rest
    assert "8118" in (tmp_path / GUIDE / "ssh_config").read_text()


def test_no_file_mode_is_executable_or_world_writable(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert not p.stat().st_mode & (stat.S_IXUSR | stat.S_IWOTH), p


def racing_open(monkeypatch, folder: Path, outside: Path, moved: Path) -> tuple[list[str], list[str]]:
    """os.open that swaps `folder` for a link to `outside` at the first open into (or of) it,
    and notes every file it then opens outside (even if deleted again afterwards)."""
    real_open, swapped, leaked = os.open, [], []

    def opener(path, *args, **kw):
        text = os.fsdecode(path)
        if not swapped and folder.is_dir() and (text == folder.name or text.startswith(f"{folder}/")):
            folder.rename(moved)
            folder.symlink_to(outside)
            swapped.append(text)
        fd = real_open(path, *args, **kw)
        if os.path.realpath(f"/proc/self/fd/{fd}").startswith(f"{outside}/"):
            leaked.append(text)
        return fd

    monkeypatch.setattr(os, "open", opener)
    return swapped, leaked


def test_a_folder_swapped_for_a_link_during_the_render_is_not_written_through(tmp_path, monkeypatch):
    """The race an attacker found: every path check passes, then a folder becomes a link to the
    outside just before the write opens a file in it. Writes go through the folder handle
    opened without following links, so nothing lands outside and the render says why."""
    from generator import api, write
    from generator.errors import WriteError
    from generator.model.settings import defaults

    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    rendered = {p: t.encode() for p, t in api.render_text(defaults()).items()}
    tree = write.Tree(out)
    tree.ensure_root()
    changes = write.plan(tree, rendered)
    swapped, leaked = racing_open(monkeypatch, out / "container/colima/colima_proxy", outside, tmp_path / "moved")
    with pytest.raises(WriteError, match="symbolic link"):
        write.apply(tree, changes, rendered)
    monkeypatch.undo()
    assert swapped and leaked == [] and list(outside.iterdir()) == []


def test_a_folder_swapped_for_a_link_is_not_read_through(tmp_path, monkeypatch):
    """The same race for reads (what --diff and --check print): the outside file is not read."""
    from generator import write
    from generator.errors import WriteError

    out, outside = tmp_path / "out", tmp_path / "outside"
    assert run_cli("render", "--out", str(out)).code == 0
    outside.mkdir()
    (outside / "config.json").write_text("a private key")
    swapped, leaked = racing_open(monkeypatch, out / "container/colima/colima_proxy", outside, tmp_path / "moved")
    with pytest.raises(WriteError, match="symbolic link"):
        write.Tree(out).read("container/colima/colima_proxy/config.json")
    monkeypatch.undo()
    assert swapped and leaked == []
