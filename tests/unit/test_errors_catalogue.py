"""The error catalogue page shows every message proxydocs can print (read from the source by
tests/messages.py), and the messages users meet most are shown exactly as the CLI prints them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from generator.errors import EXIT_CODES
from generator.model.rules import RULES
from support import ROOT, run_cli
from support.messages import collect

PAGE = ROOT / "docs/reference/errors.rst"


def page_cells() -> list[str]:
    """The page's table cells (each example on its own), whitespace collapsed: a message's
    pattern is matched against one cell at a time, so its wildcards stay cheap."""
    cells = re.split(r"\n\s*(?:\* )?- ", PAGE.read_text(encoding="utf-8"))
    return [re.sub(r"\s+", " ", c) for c in cells]


CELLS = page_cells()


MESSAGES = collect()


def test_the_source_has_messages_to_check():
    # the extractor itself must keep finding them: a refactor that hid them would pass vacuously
    assert len(MESSAGES) >= 90
    assert {m.file.split("/")[-1] for m in MESSAGES} >= {"types.py", "settings.py", "tree.py", "record.py", "guard.py", "urls.py", "ssh.py"}


@pytest.mark.parametrize("message", MESSAGES, ids=[f"{m.file}:{m.line}" for m in MESSAGES])
def test_every_message_is_in_the_catalogue(message):
    assert any(message.pattern.search(cell) for cell in CELLS), (
        f"{message.file}:{message.line}: {message.text!r} is not shown on {PAGE.relative_to(ROOT)}; "
        "add an example with its cause and fix")


@pytest.mark.parametrize("args", [
    ("render", "--set", "proxy.port=70000"),
    ("render", "--set", "tunnel.alias=My Proxy"),
    ("render", "--set", "proxy.no_proxy=a,,b"),
    ("render", "--set", "vm.host_adress=1.2.3.4"),
])
def test_printed_messages_match_the_catalogue(tmp_path, args):
    """What the CLI prints matches a catalogue entry's pattern (the entry is a real message)."""
    result = run_cli(*args, "--out", str(tmp_path))
    assert result.code == 2
    reason = result.err.strip().split(": ", 3)[-1]
    assert any(m.pattern.fullmatch(reason) for m in MESSAGES), reason


def test_the_readme_exit_codes_are_the_cli_table():
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert {int(code): text for code, text in rows} == {c: t.replace("\n", " ") for c, t in EXIT_CODES.items()}


def test_the_help_shows_the_exit_code_table():
    proc = subprocess.run([sys.executable, "-m", "generator", "render", "--help"], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    help_text = " ".join(proc.stdout.split())
    for code, text in EXIT_CODES.items():
        assert f" {code} " + " ".join(text.split()) in help_text


@pytest.mark.parametrize("rule", RULES, ids=[r["key"] for r in RULES])
def test_every_rule_between_keys_is_in_the_catalogue(rule):
    parts = re.split(r"\{[a-z_.]+\}", rule["reason"])
    pattern = re.compile(".+?".join(r"[\s`]+".join(map(re.escape, p.split())) for p in parts), re.S)
    assert any(pattern.search(cell) for cell in CELLS), f"{rule['reason']!r} is not shown on the catalogue page"
