"""The launchd_plist kind: Python's plistlib reads the LaunchAgent the guide publishes, the
keys are ones launchd.plist(5) lists, and it keeps `ssh -N ALIAS` running; broken copies are
caught one defect at a time."""

from __future__ import annotations

import plistlib

import pytest

from generator import api
from generator.model import settings
from generator.model.derive import derive
from generator.render import manifest
from generator.validate import Target, kinds, validate_file

OUTPUT = "container/colima/colima_proxy/tunnel.plist"
SNIPPET = next(s for s in manifest.load() if s.output == OUTPUT)
DEFAULTS = settings.defaults()
TEXT = api.render_text(DEFAULTS)[OUTPUT]


def findings(tmp_path, text: str, s=DEFAULTS) -> list[str]:
    path = tmp_path / "tunnel.plist"
    path.write_text(text, encoding="utf-8")
    return [f.message for f in validate_file(Target(path, SNIPPET, s))]


def test_the_kind_is_registered_and_the_published_plist_passes(tmp_path):
    assert "launchd_plist" in kinds() and SNIPPET.kind == "launchd_plist"
    assert findings(tmp_path, TEXT) == []


def test_plistlib_reads_what_launchd_needs():
    data = plistlib.loads(TEXT.encode())
    assert data["Label"] == derive(DEFAULTS).launchd_label
    assert data["ProgramArguments"][0] == "/usr/bin/ssh" and data["ProgramArguments"][-1] == "MyProxy"
    assert "-N" in data["ProgramArguments"]
    assert data["KeepAlive"] is True and data["RunAtLoad"] is True
    assert isinstance(data["ThrottleInterval"], int)


def test_other_settings_pass_too(tmp_path):
    s = settings.load(None, ["tunnel.alias=work-proxy.2"])
    text = api.render_text(s)[OUTPUT]
    assert "<string>local.proxydocs.tunnel.work-proxy.2</string>" in text
    assert findings(tmp_path, text, s) == []


@pytest.mark.parametrize("old,new,expected", [
    ("</plist>", "", "not a property list"),
    ("<key>KeepAlive</key>", "<key>KeepAlives</key>", "launchd does not read the key 'KeepAlives'"),
    ("<key>KeepAlive</key>\n  <true/>", "<key>KeepAlive</key>\n  <false/>", "KeepAlive and RunAtLoad must be true"),
    ("<key>RunAtLoad</key>\n  <true/>\n", "", "KeepAlive and RunAtLoad must be true"),
    ("<integer>30</integer>", "<string>30</string>", "ThrottleInterval is a str, which launchd does not take there"),
    ("<integer>30</integer>", "<true/>", "ThrottleInterval is a bool, which launchd does not take there"),
    ("<key>KeepAlive</key>\n  <true/>", "<key>KeepAlive</key>\n  <dict><key>Crashed</key><true/></dict>",
     "KeepAlive: launchd does not read 'Crashed' with this value"),
    ("<string>/usr/bin/ssh</string>", "<string>ssh</string>", "give the program's absolute path"),
    ("<string>-N</string>\n", "", "the tunnel needs ssh -N ... MyProxy"),
    ("<string>MyProxy</string>", "<string>OtherProxy</string>", "the tunnel needs ssh -N ... MyProxy"),
    ("<string>local.proxydocs.tunnel.MyProxy</string>", "<string>tunnel</string>",
     "Label is 'tunnel'; the settings say 'local.proxydocs.tunnel.MyProxy'"),
    ("  <key>Label</key>\n  <string>local.proxydocs.tunnel.MyProxy</string>\n", "", "Label is missing (launchd needs it)"),
])
def test_each_defect_is_caught(tmp_path, old, new, expected):
    assert old in TEXT
    assert any(expected in m for m in findings(tmp_path, TEXT.replace(old, new, 1))), expected


def test_a_plist_that_is_not_a_dictionary_or_has_no_arguments(tmp_path):
    array = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<array/>\n</plist>\n'
    assert findings(tmp_path, array) == ["is not a property list dictionary"]
    empty = TEXT.replace(TEXT[TEXT.index("  <array>"):TEXT.index("</array>") + len("</array>")], "<array/>")
    assert "ProgramArguments must be a non-empty list of strings" in findings(tmp_path, empty)
