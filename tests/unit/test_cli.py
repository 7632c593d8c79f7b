"""The command line's manners: --diff is a preview whose output applies as a patch, status
goes to stderr with paths relative to the output folder, -q and -h, lists with spaces after
commas, a hint that names --force, a reader's copy with its index and settings, and one line
from sphinx-build for a bad setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.model.settings import load
from generator.render import manifest
from support import ROOT, copy_site, run_cli, snapshot, sphinx_build

GUIDE = "container/colima/colima_proxy/"


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, **(env or {})})


def test_diff_writes_nothing_and_its_output_applies_as_a_patch(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    assert run_cli("render", "--out", str(old)).code == 0
    assert run_cli("render", "--out", str(new), "--set", "proxy.port=8118").code == 0
    before = snapshot(old)
    result = run_cli("render", "--out", str(old), "--diff", "--set", "proxy.port=8118")
    assert result.code == 0 and snapshot(old) == before
    assert "would change: " in result.err and "would change" not in result.out
    patch = tmp_path / "p.diff"
    patch.write_text(result.out + "\n")
    applied = subprocess.run(["git", "apply", "--unsafe-paths", str(patch)], cwd=old, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    for path in snapshot(new):
        if not path.startswith("."):
            assert (old / path).read_bytes() == (new / path).read_bytes(), path


def test_check_with_diff_exits_1_on_drift(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    assert run_cli("render", "--out", str(tmp_path), "--check", "--diff", "--set", "proxy.port=8118").code == 1
    assert run_cli("render", "--out", str(tmp_path), "--check", "--diff").code == 0


def test_quiet_prints_nothing_but_errors(tmp_path):
    result = run_cli("render", "--out", str(tmp_path), "-q")
    assert result.code == 0 and result.out == "" and result.err == ""
    result = run_cli("render", "--out", str(tmp_path), "-q", "--set", "proxy.port=0")
    assert result.code == 2 and "proxy.port" in result.err


@pytest.mark.parametrize("args", [["-h"], ["render", "-h"], ["validate", "-h"], ["settings", "-h"]])
def test_dash_h_is_help(args):
    short, long = cli(*args), cli(*args[:-1], "--help")
    assert short.returncode == 0 and short.stdout == long.stdout and "Usage:" in short.stdout


def test_spaces_after_commas_are_not_part_of_an_entry():
    s = load(None, ["proxy.no_proxy=localhost, 127.0.0.1 ,\t10.0.0.0/8", "tunnel.also_bind=172.17.0.1, 10.0.0.1",
                     "proxy.exposure=lan"])
    assert s["proxy.no_proxy"] == ("localhost", "127.0.0.1", "10.0.0.0/8")
    assert s["tunnel.also_bind"] == ("172.17.0.1", "10.0.0.1")
    with pytest.raises(Exception, match="contains ' '"):
        load(None, ["proxy.no_proxy=local host"])


def test_check_after_a_hand_edit_says_what_render_will_do(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    target = tmp_path / GUIDE / "config.json"
    target.write_text(target.read_text() + "\n")
    result = run_cli("render", "--out", str(tmp_path), "--check")
    assert result.code == 1 and "refuses to overwrite them (exit 3)" in result.err and "--force" in result.err
    assert run_cli("render", "--out", str(tmp_path)).code == 3
    assert run_cli("render", "--out", str(tmp_path), "--force").code == 0


def test_a_readers_copy_of_the_guide_has_an_index_and_its_settings(tmp_path, monkeypatch):
    sets = ["--set", "tunnel.hostname=proxy.example.org", "--set", "proxy.port=8118"]
    result = run_cli("render", "--out", str(tmp_path), "--page", "guide", *sets)
    assert result.code == 0, result.err
    guide = {s.output for s in manifest.load() if "container/colima/colima_proxy" in s.pages
             and s.generated and not s.counterexample and s.machine != "docs" and s.topology != "dynamic"}
    files = {p for p in snapshot(tmp_path) if not p.startswith(".")}
    assert files == guide | {"INDEX.txt", "proxydocs-settings.toml"}
    index = (tmp_path / "INDEX.txt").read_text()
    for s in manifest.load():
        if s.output in guide:
            assert s.output in index and (s.target in index if s.target else True), s.output
    # validate finds the settings in the copy: no --set needed, and nothing reported missing
    assert run_cli("validate", "--root", str(tmp_path)).code == 0
    # with other settings the same copy is wrong: the check can fail
    wrong = run_cli("validate", "--root", str(tmp_path), "--settings", str(ROOT / "proxy.toml"))
    assert wrong.code == 1 and "8118" in wrong.out


def test_a_readers_copy_holds_the_bridge_only_for_the_socks_topology(tmp_path):
    socks = ["--set", "tunnel.forward=dynamic", "--set", "proxy.scheme=socks5h"]
    assert run_cli("render", "--out", str(tmp_path / "socks"), *socks).code == 0
    assert run_cli("render", "--out", str(tmp_path / "http")).code == 0
    bridge = "container/colima/colima_proxy/privoxy_bridge"
    assert (tmp_path / "socks" / bridge).is_file() and not (tmp_path / "http" / bridge).exists()
    assert bridge in (tmp_path / "socks" / "INDEX.txt").read_text()
    assert bridge not in (tmp_path / "http" / "INDEX.txt").read_text()


def test_validate_refuses_a_path_that_is_not_a_snippet(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    stray = tmp_path / "notes.txt"
    stray.write_text("HTTP_PROXY=whatever\n")
    result = run_cli("validate", "--root", str(tmp_path), str(stray))
    assert result.code == 1 and "is not a snippet under" in result.out, result.out


def test_page_needs_out():
    result = run_cli("render", "--page", "guide")
    assert result.code == 2 and "--page limits a reader's copy" in result.err


def test_a_bad_setting_stops_sphinx_with_one_line(tmp_path):
    site = copy_site(tmp_path / "site")
    (site / "proxy.toml").write_text("[proxy]\nport = 70000\n")
    proc = sphinx_build(site, tmp_path / "html")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"proxydocs: error: {site / 'proxy.toml'}: proxy.port: must be between 1 and 65535, got 70000"]


def test_a_hand_edit_stops_sphinx_with_the_cli_message(tmp_path):
    site = copy_site(tmp_path / "site")
    target = site / "docs" / GUIDE / "config.json"
    target.write_text(target.read_text() + "\n")
    (site / "proxy.toml").write_text((site / "proxy.toml").read_text().replace("port = 3128", "port = 8118"))
    proc = sphinx_build(site, tmp_path / "html")
    assert proc.returncode == 3 and "--force" in proc.stderr and "Extension error" not in proc.stderr


def test_a_diff_shows_a_copys_escape_sequences_as_text(tmp_path):
    """A copy from someone else may hold an escape sequence (here one that retitles the
    terminal): the diff prints it as text."""
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    with open(tmp_path / "container/colima/colima_proxy/ssh_config", "a", encoding="utf-8") as fh:
        fh.write("# \x1b]0;PWNED\x07\n")
    result = run_cli("render", "--out", str(tmp_path), "--diff")
    assert "-# \\x1b]0;PWNED\\x07" in result.out and "\x1b" not in result.out + result.err, result.out
