"""Every bad setting gets its own clear message naming the file, the key and the reason,
exit code 2, and no file is written."""

from __future__ import annotations

import pytest

from support import ROOT, run_cli, snapshot
from generator.model import settings

BAD_FILE_VALUES = [
    # (toml body, key path named, words the reason must contain)
    ("[proxy]\nport = 70000\n", "proxy.port", "between 1 and 65535"),
    ("[proxy]\nport = 0\n", "proxy.port", "between 1 and 65535"),
    ('[proxy]\nport = "3128"\n', "proxy.port", "must be an integer"),
    ("[proxy]\nport = true\n", "proxy.port", "must be an integer"),
    ('[proxy]\nscheme = "ftp"\n', "proxy.scheme", "must be one of"),
    ('[proxy]\nlisten = "localhost:3128"\n', "proxy.listen", "not an IP address"),
    ('[proxy]\nno_proxy = "localhost"\n', "proxy.no_proxy", "must be a list"),
    ('[proxy]\nno_proxy = ["a,b"]\n', "proxy.no_proxy", "spaces or commas"),
    ('[proxy]\nno_proxy = [""]\n', "proxy.no_proxy", "empty entry"),
    ('[proxy]\nno_proxy = ["10.0.0.0/33"]\n', "proxy.no_proxy", "not a valid CIDR"),
    ('[proxy]\nno_proxy = ["a", "a"]\n', "proxy.no_proxy", "listed twice"),
    ('[proxy]\nprot = 1\n', "proxy.prot", "did you mean 'port'"),
    ('[tunel]\nalias = "x"\n', "tunel", "did you mean 'tunnel'"),
    ('[tunnel]\nalias = "My Proxy"\n', "tunnel.alias", "not an ssh Host alias"),
    ('[tunnel]\nalias = "*"\n', "tunnel.alias", "not an ssh Host alias"),
    ('[tunnel]\nhostname = "bad_host!"\n', "tunnel.hostname", "not a valid host name"),
    ('[tunnel]\nhostname = "<server ip>"\n', "tunnel.hostname", "not a placeholder"),
    ('[tunnel]\nhostname = "ехаmple.com"\n', "tunnel.hostname", "non-ASCII"),
    ('[tunnel]\nhostname = "999.1.1.1"\n', "tunnel.hostname", "not a valid one"),
    ('[tunnel]\nuser = "root\\nProxyCommand x"\n', "tunnel.user", "not a user name"),
    ('[tunnel]\nssh_port = 65536\n', "tunnel.ssh_port", "between 1 and 65535"),
    ('[tunnel]\nidentity_file = "~/my key"\n', "tunnel.identity_file", "no spaces"),
    ('[tunnel]\nremote_host = "<SERVER>"\n', "tunnel.remote_host", "placeholder is not allowed"),
    ('[tunnel]\nalso_bind = ["docker0"]\n', "tunnel.also_bind", "not an IP address"),
    ('[vm]\nbridge_address = "bridge.local"\n', "vm.bridge_address", "not an IP address"),
    ('[colima]\ncpus = 0\n', "colima.cpus", "between 1 and 256"),
    ('[colima]\nruntime = "podman"\n', "colima.runtime", "must be one of"),
    ('[colima]\nprofile = "../x"\n', "colima.profile", "not a colima profile"),
    ('proxy = 1\n', "proxy", "must be a table"),
]


@pytest.fixture
def out_dir(tmp_path):
    out = tmp_path / "out"
    assert run_cli("render", "--out", str(out)).code == 0
    return out


@pytest.mark.parametrize("body,key,reason", BAD_FILE_VALUES, ids=[b[1] + ":" + b[2] for b in BAD_FILE_VALUES])
def test_bad_settings_file(tmp_path, out_dir, body, key, reason):
    bad = tmp_path / "bad.toml"
    bad.write_text(body, encoding="utf-8")
    before = snapshot(out_dir)
    result = run_cli("render", "--settings", str(bad), "--out", str(out_dir))
    assert result.code == 2, result
    assert f"{bad}: {key}: " in result.err, result.err
    assert reason in result.err, result.err
    assert snapshot(out_dir) == before


BAD_SETS = [
    ("proxy.port=abc", "proxy.port", "must be an integer"),
    ("proxy.port=", "proxy.port", "must be an integer"),
    ("proxy.port", "proxy.port", "expected KEY=VALUE"),
    ("proxy.no_proxy=a,,b", "proxy.no_proxy", "empty entry"),
    ("proxy.no_proxy=a,", "proxy.no_proxy", "empty entry"),
    ("vm.host_adress=1.2.3.4", "vm.host_adress", "did you mean 'vm.host_address'"),
    ("tunnel.hostname=a\nProxyCommand=touch /tmp/x", "tunnel.hostname", "not a valid host name"),
]


@pytest.mark.parametrize("pair,key,reason", BAD_SETS)
def test_bad_set(out_dir, pair, key, reason):
    before = snapshot(out_dir)
    result = run_cli("render", "--set", pair, "--out", str(out_dir))
    assert result.code == 2
    assert f"--set: {key}: " in result.err and reason in result.err, result.err
    assert snapshot(out_dir) == before


def test_every_problem_reported_at_once(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[proxy]\nport = 0\nlisten = 'x'\n[colima]\ncpus = 0\n")
    result = run_cli("render", "--settings", str(bad), "--out", str(tmp_path / "o"), "--set", "tunnel.ssh_port=0")
    assert result.code == 2
    for key in ("proxy.port", "proxy.listen", "colima.cpus", "tunnel.ssh_port"):
        assert f": {key}: " in result.err
    assert not (tmp_path / "o").exists()


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[proxy]\nport = 3128\nlisten = \n")
    result = run_cli("render", "--settings", str(bad), "--out", str(tmp_path / "o"))
    assert result.code == 2
    assert "TOML syntax error" in result.err and "line 3, column" in result.err


def test_missing_settings_file(tmp_path):
    result = run_cli("render", "--settings", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o"))
    assert result.code == 2 and "nope.toml: file not found" in result.err


def test_project_settings_are_valid_and_documented():
    loaded = settings.load(ROOT / "proxy.toml")
    text = (ROOT / "proxy.toml").read_text()
    for field in settings.SCHEMA:
        assert f"{field.key} = " in text, f"proxy.toml does not show {field.path}"
        assert field.help.strip(), f"{field.path} has no help text"
        # the published site is built from the author's values
        assert loaded[field.path] == field.default, field.path


def test_defaults_are_the_authors_values():
    d = settings.defaults()
    assert (d["proxy.port"], d["proxy.listen"], d["tunnel.alias"], d["vm.host_address"]) == (
        3128, "127.0.0.1", "MyProxy", "192.168.5.2")


def test_ipv6_is_normalised_and_bracketed(tmp_path):
    s = settings.load(None, ["vm.host_address=FD00:0::2", "tunnel.remote_host=0:0::1"])
    from generator.model.derive import derive
    d = derive(s)
    assert d.mac_url == "http://127.0.0.1:3128"
    assert d.vm_url == "http://[fd00::2]:3128"  # the listen address is loopback: Lima's rewrite applies
    assert s["tunnel.remote_host"] == "::1"
    lan = derive(settings.load(None, ["proxy.exposure=lan", "proxy.listen=FD00:0::5"]))
    assert lan.mac_url == lan.vm_url == "http://[fd00::5]:3128"  # not loopback: Lima copies it as it is


def test_a_rules_fix_is_taken_only_if_it_settles_the_rule():
    """SOCKS with the bridge on proxy.port's 8118: moving the bridge to 8118 would settle nothing,
    so the next fix (the tunnel's port) is the one taken; the result keeps every rule."""
    from generator.model import rules

    values = {**settings.defaults().values, "tunnel.forward": "dynamic", "proxy.scheme": "socks5h",
              "proxy.port": 8118, "tunnel.bridge_port": 8118}
    fix = rules.companions(values, "tunnel.forward")
    assert fix == {"proxy.port": 1080}
    assert rules.problems({**values, **fix}, str) == []


def test_the_mac_names_in_no_proxy_are_not_repeated_in_another_case():
    from generator.model.derive import derive

    d = derive(settings.load(None, ["proxy.no_proxy=localhost,HOST.LIMA.INTERNAL"]))
    assert [e.lower() for e in d.no_proxy.split(",")].count("host.lima.internal") == 1
