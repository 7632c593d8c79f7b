"""The render command: write only what changes, --check, --diff, --set, --out, hand edits,
atomicity and the lock."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import multiprocessing
import re

from support import DOCS, REFERENCE, ROOT, run_cli, snapshot
from generator import api, write
from generator.model import settings


def test_committed_tree_is_up_to_date():
    result = run_cli("render", "--check")
    assert result.code == 0, result.err


def test_render_twice_writes_nothing_the_second_time(tmp_path):
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    before = snapshot(tmp_path)
    result = run_cli("render", "--out", str(tmp_path))
    assert result.code == 0
    assert "created:" not in result.err and "changed:" not in result.err
    assert snapshot(tmp_path) == before  # same bytes and same mtimes: Sphinx re-reads nothing


def test_port_change_touches_exactly_the_files_that_carry_the_port(tmp_path):
    run_cli("render", "--out", str(tmp_path))
    before = snapshot(tmp_path)
    result = run_cli("render", "--out", str(tmp_path), "--set", "proxy.port=8118")
    assert result.code == 0
    changed = {p for p, v in snapshot(tmp_path).items() if before.get(p) != v} - {write.RECORD}
    # independent of the templates: the published files that mention the port, plus the new ones
    rendered = api.reader_copy_text(settings.defaults())
    carries_port = {p for p, text in rendered.items() if re.search(r"\b3128\b", text)}
    assert changed == carries_port
    for p in changed:
        assert "8118" in (tmp_path / p).read_text()
    assert [line.split(": ", 1)[1] for line in result.err.splitlines() if line.startswith("changed: ")] \
        == sorted(changed)  # paths relative to the output folder, sorted


def test_no_template_hard_codes_a_port():
    rendered = api.render_text(settings.load(None, ["proxy.port=8118", "tunnel.remote_port=8119"]))
    assert not [p for p, text in rendered.items() if "3128" in text]


def test_published_files_carrying_the_port_are_all_generated():
    generated = set(api.render_text(settings.defaults()))
    for path in REFERENCE.rglob("*"):
        if path.is_file() and "3128" in path.read_text(encoding="utf-8"):
            rel = str(path.relative_to(REFERENCE))
            if rel.endswith(("build_err", "build_error", "apt_err")):
                continue  # captured logs stay as they were captured
            assert rel in generated, f"{rel} carries a proxy value but is not generated"


def test_check_reports_drift_and_writes_nothing(tmp_path):
    run_cli("render", "--out", str(tmp_path))
    before = snapshot(tmp_path)
    result = run_cli("render", "--out", str(tmp_path), "--check", "--set", "tunnel.alias=Other")
    assert result.code == 1
    assert "would change:" in result.err and result.out == ""
    assert snapshot(tmp_path) == before


def test_diff_prints_unified_diff(tmp_path):
    run_cli("render", "--out", str(tmp_path))
    result = run_cli("render", "--out", str(tmp_path), "--check", "--diff", "--set", "proxy.port=8118")
    assert "-Acquire::http::Proxy \"http://192.168.5.2:3128/\";" in result.out
    assert "+Acquire::http::Proxy \"http://192.168.5.2:8118/\";" in result.out


def test_out_writes_the_same_layout(tmp_path):
    run_cli("render", "--out", str(tmp_path), "--set", "tunnel.hostname=proxy.example.org")
    assert "HostName proxy.example.org" in (tmp_path / "container/colima/colima_proxy_archive/ssh_config").read_text()
    docs_layout = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*") if p.is_file()}
    extras = {write.RECORD, "INDEX.txt", "proxydocs-settings.toml"}
    assert {p for p in snapshot(tmp_path) if p not in extras} <= docs_layout


def test_hand_edit_is_never_overwritten_silently(tmp_path):
    run_cli("render", "--out", str(tmp_path))
    target = tmp_path / "container/colima/colima_proxy/config.json"
    target.write_text(target.read_text() + "// my note\n")
    before = snapshot(tmp_path)
    result = run_cli("render", "--out", str(tmp_path), "--set", "proxy.port=8118")
    assert result.code == 3
    assert "container/colima/colima_proxy/config.json" in result.err and "--force" in result.err
    assert snapshot(tmp_path) == before  # not even the other, unedited files were written
    result = run_cli("render", "--out", str(tmp_path), "--set", "proxy.port=8118", "--force")
    assert result.code == 0 and "// my note" not in target.read_text()


def test_a_file_the_user_put_there_is_not_overwritten(tmp_path):
    mine = tmp_path / "container/colima/colima_proxy/config.json"
    mine.parent.mkdir(parents=True)
    mine.write_text("{}\n")
    assert run_cli("render", "--out", str(tmp_path)).code == 3
    assert mine.read_text() == "{}\n"


def test_non_generated_files_are_left_alone(tmp_path):
    run_cli("render", "--out", str(tmp_path))
    note = tmp_path / "container/colima/my-notes.rst"
    note.write_text("mine\n")
    run_cli("render", "--out", str(tmp_path), "--set", "proxy.port=8118")
    assert note.read_text() == "mine\n"


def test_failed_write_leaves_every_file_as_it_was(tmp_path, monkeypatch):
    run_cli("render", "--out", str(tmp_path))
    before = snapshot(tmp_path)
    stages = importlib.import_module("generator.write.plan")
    real = stages._stage
    calls = []

    def failing(tree, rel, data, mode):
        calls.append(rel)
        if len(calls) == 5:
            raise OSError(28, "No space left on device", str(tree.root / rel))
        return real(tree, rel, data, mode)

    monkeypatch.setattr(stages, "_stage", failing)
    result = run_cli("render", "--out", str(tmp_path), "--set", "proxy.port=8118")
    assert result.code == 4 and "nothing was changed" in result.err
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("*.tmp")]


def _render_port(args):
    out, port = args
    from generator.cli import main
    return main(["render", "--out", out, "--set", f"proxy.port={port}", "--force"])


def test_concurrent_renders_do_not_interleave(tmp_path):
    out = str(tmp_path)
    with multiprocessing.get_context("fork").Pool(4) as pool:
        codes = pool.map(_render_port, [(out, 9000 + i) for i in range(8)])
    assert codes == [0] * 8
    # whichever render came last, every file is from that one render, and the record agrees
    files = {p: (tmp_path / p).read_bytes() for p in snapshot(tmp_path) if p != write.RECORD}
    ports = {m for t in files.values() for m in re.findall(rb":(90\d\d)\b", t)}
    assert len(ports) == 1, ports
    record = json.loads((tmp_path / write.RECORD).read_text())["files"]
    assert record == {p: hashlib.sha256(data).hexdigest() for p, data in files.items()}


def test_python_dash_m_works():
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "generator", "render", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_committed_record_names_the_inputs_of_this_checkout():
    """So that `make html` in a fresh clone finds nothing to do and changes no tracked file."""
    from generator.render.stamp import inputs_digest, sealed

    record = json.loads((DOCS / write.RECORD).read_text())
    assert record.get("inputs") == sealed(inputs_digest(ROOT / "proxy.toml", []), record["files"]), \
        "run `make snippets` and commit docs/"


def test_the_fast_path_answers_only_when_nothing_changed(tmp_path):
    import shutil
    import subprocess
    import sys

    from support import copy_site

    site = copy_site(tmp_path / "site")
    fast = ("import sys; from generator.fastpath import try_noop; "
            "sys.exit(3 if try_noop(sys.argv[1:]) is None else 0)")
    def answers(*args):
        return subprocess.run([sys.executable, "-c", fast, *args], cwd=site, capture_output=True).returncode == 0
    assert run_cli("render", "--settings", str(site / "proxy.toml")).code == 0
    assert answers("render") and answers("render", "-q", "--check")
    assert not answers("render", "--set", "proxy.port=8118")  # other inputs
    assert not answers("render", "--diff") and not answers("render", "--out", "x")  # not a plain render
    target = site / "docs/container/colima/colima_proxy/config.json"
    target.write_bytes(target.read_bytes() + b" ")
    assert not answers("render")  # one byte differs: the full render decides (here: a hand edit)
    target.write_bytes(target.read_bytes()[:-1])
    assert answers("render")
    (target.parent / ".config.json.abcdefgh.tmp").write_text("x")
    assert not answers("render")  # an interrupted render's leftovers: the full render cleans them
    (target.parent / ".config.json.abcdefgh.tmp").unlink()
    assert answers("render")
    # what the full render refuses or repairs is never answered here
    record_path = site / "docs" / write.RECORD
    original = record_path.read_bytes()
    record = json.loads(original)
    for tampered in ({**record["files"], "./" + next(iter(record["files"])): "0" * 64},  # another spelling
                     {k: v for k, v in list(record["files"].items())[1:]}):  # a bad merge lost an entry
        record_path.write_text(json.dumps({**record, "files": tampered}))
        assert not answers("render")
    record_path.write_bytes(original)
    moved = tmp_path / "record.json"
    record_path.rename(moved)
    record_path.symlink_to(moved)  # the record through a link
    assert not answers("render")
    record_path.unlink()
    moved.rename(record_path)
    assert answers("render")
    # records the full render reads as broken: decoded and parsed as it does, never a traceback
    for broken in (b"\xef\xbb\xbf" + original, original.decode().encode("utf-16"),
                   original.replace(b'"proxydocs"', b'"proxydocs\xed\xa0\x80"'), b"[" * 100000 + b"]" * 100000):
        record_path.write_bytes(broken)
        proc = subprocess.run([sys.executable, "-c", fast, "render"], cwd=site, capture_output=True, timeout=20)
        assert proc.returncode == 3, proc.stderr[-300:]
    record_path.unlink()
    os.mkfifo(record_path)  # a FIFO as the record: answered at once
    proc = subprocess.run([sys.executable, "-c", fast, "render"], cwd=site, capture_output=True, timeout=20)
    assert proc.returncode == 3
    record_path.unlink()
    record_path.write_bytes(original)
    assert answers("render")
    kept = target.read_bytes()
    target.unlink()
    os.mkfifo(target)  # a FIFO where a file was: answered at once, not waited on
    proc = subprocess.run([sys.executable, "-c", fast, "render"], cwd=site, capture_output=True, timeout=20)
    assert proc.returncode == 3
    target.unlink()
    target.write_bytes(kept)
    shutil.rmtree(site / "docs")
    assert not answers("render")
