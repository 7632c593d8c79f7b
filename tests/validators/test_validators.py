"""Each validator asks the real program, passes the generated tree, and catches a broken
input; the counter-example fails the way the guide says; the author's published files show
every listed defect."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from support import DOCS, REFERENCE, ROOT, require, require_root, run_cli
from generator import api
from generator.render import manifest
from generator.model import settings
from generator.validate import Target, kinds, validate_file, validate_tree, validators_for

SNIPPETS = {s.output: s for s in manifest.load()}
DEFAULTS = settings.defaults()
TOOLS = ("ssh", "bash", "shellcheck", "apt-config", "systemd-analyze", "setpriv", "systemd", "docker")


@pytest.fixture(scope="module", autouse=True)
def tools():
    return require(*TOOLS)


def findings_for(tmp_path: Path, output: str, text: str, s=DEFAULTS) -> list[str]:
    path = tmp_path / output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return [f.message for f in validate_file(Target(path, SNIPPETS[output], s))]


def errors_for(tmp_path: Path, output: str, text: str) -> list[str]:
    path = tmp_path / output
    path.write_text(text, encoding="utf-8")
    return [f.message for f in validate_file(Target(path, SNIPPETS[output], DEFAULTS)) if not f.warning]


def test_every_kind_has_a_validator():
    assert {s.kind for s in SNIPPETS.values()} <= kinds()


def errors(findings) -> list[str]:
    return [str(f) for f in findings if not f.warning]


def test_the_committed_tree_passes():
    assert errors(api.validate(DEFAULTS, DOCS)) == []


@pytest.mark.parametrize("overrides", [
    ["proxy.port=8118", "tunnel.hostname=proxy.example.org", "tunnel.user=ops", "tunnel.ssh_port=2222"],
    ["proxy.exposure=lan", "proxy.listen=fd00::5", "vm.host_address=fd00::2",
     "proxy.no_proxy=localhost,.corp.example,fd00::/8"],
    ["proxy.exposure=lan", "tunnel.also_bind=172.17.0.1", "colima.runtime=docker", "colima.profile=work"],
    ["tunnel.forward=dynamic", "proxy.scheme=socks5h", "proxy.port=1080", "tunnel.bridge_port=8119"],
    ["proxy.exposure=lan", "proxy.listen=192.168.1.10", "proxy.no_proxy=localhost,example.com"],
])
def test_other_settings_pass_too(tmp_path, overrides):
    s = settings.load(None, overrides)
    api.render(s, tmp_path)
    generated = tuple(x for x in manifest.load() if x.generated)
    assert errors(validate_tree(tmp_path, s, generated)) == []


ARCHIVE = "container/colima/colima_proxy_archive/"
GUIDE = "container/colima/colima_proxy/"
RENDERED = api.render_text(DEFAULTS)

BROKEN = [
    # (snippet, old, new, words a finding must contain)
    (ARCHIVE + "ssh_config", "  User admin\n", "  User admin\n  ProxyCommand sh -c 'touch /tmp/pwned'\n", "'ProxyCommand' is not a keyword the template writes"),
    (ARCHIVE + "ssh_config", "LocalForward 127.0.0.1:3128", "LocalForward 127.0.0.1:3129", "LocalForward"),
    (GUIDE + "ssh_config", "  LocalForward 127.0.0.1:3128 127.0.0.1:3128\n", "", "LocalForward"),
    (GUIDE + "ssh_config", "Port 22", "Port 2x2", "ssh rejects the file"),
    (GUIDE + "ssh_config", "User admin", "User root", "user"),
    (ARCHIVE + "apt_proxy", '3128/";\nAcquire::https', '3128/"\nAcquire::https', "Syntax error"),
    (ARCHIVE + "apt_proxy", "http://192.168.5.2:3128/\";\n", "http://127.0.0.1:3128/\";\n", "the settings say"),
    (ARCHIVE + "environment", 'http_proxy="http://192.168.5.2:3128"\n', "", "http_proxy is not set"),
    (ARCHIVE + "environment", 'HTTPS_PROXY="http://192.168.5.2:3128"', 'HTTPS_PROXY="http://192.168.5.2:3128#x"', "'#' ends the value"),
    (GUIDE + "environment", "NO_PROXY=localhost", "NO_PROXY=,localhost", "empty entry"),
    (GUIDE + "colima_env", "http_proxy=http://192.168.5.2:3128", "http_proxy=http://127.0.0.1:3128", "differ"),
    ("docker/network/docker_proxy/http-proxy.conf", 'Environment="HTTP_PROXY', 'Environment="HTTP_PROXY\n', "systemd-analyze verify"),
    ("docker/network/docker_proxy/http-proxy.conf", "[Service]", "[Servce]", "systemd-analyze verify"),
    ("docker/network/docker_proxy/http-proxy.conf", "HTTPS_PROXY=http://192.168.5.2", "HTTPS_PROXY=http://192.168.5.3", "systemd merges"),
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "cat <<'EOF'", "cat <<EOF", "unquoted heredoc"),
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "fi\n", "", "bash -n"),
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "systemctl restart docker", "systemctl restart $1", "shellcheck"),
    (GUIDE + "systemctl_show_env", '192.168.5.2"', '192.168.5.2,"', "ends with a comma"),
    (GUIDE + "systemctl_show_env", '"NO_PROXY=', 'NO_PROXY="', "systemd reports"),
    (GUIDE + "config.json", '"httpProxy"', '"httpproxy"', "httpproxy"),
    (GUIDE + "config.json", '"default":', '"default":,', "not JSON"),
    (GUIDE + "config.json", '"httpProxy": "http://192.168.5.2:3128"', '"httpProxy": 3128', "Error parsing config file"),
    (GUIDE + "config.json", "http://192.168.5.2:3128\",\n     \"httpsProxy", "http://127.0.0.1:3128\",\n     \"httpsProxy", "docker create sends"),
    (GUIDE + "daemon.json", '"http-proxy"', '"httpProxy"', "httpProxy"),
    (GUIDE + "colima.yaml", "env:", "vmtype: vz\nenv:", "vmtype"),
    (GUIDE + "colima.yaml", "env:", "cpu: four\nenv:", "'four' is not of type 'integer'"),
    (GUIDE + "colima.yaml", "HTTP_PROXY: http://127.0.0.1:3128", "HTTP_PROXY: 127.0.0.1:3128", "no scheme"),
    (GUIDE + "proxy_env", 'https_proxy="http://127.0.0.1:3128"', 'https_proxy="http:127.0.0.1:3128"', "no scheme"),
    (GUIDE + "dockerfile_env", "ENV HTTPS_PROXY=", "ENV HTTP_PROXY=", "set twice"),
    ("_generated/settings.txt", ".. |proxy_port|", "|proxy_port|", "not an RST comment"),
]


SOCKS = settings.load(None, ["tunnel.forward=dynamic", "proxy.scheme=socks5h"])
SOCKS_RENDERED = api.render_text(SOCKS)
BROKEN_SOCKS = [
    (GUIDE + "privoxy_bridge", "listen-address ", "listen-adress ", "has no directive 'listen-adress'"),
    (GUIDE + "privoxy_bridge", "127.0.0.1:3128 .", "127.0.0.1:3128", "takes 3 arguments, not 2"),
    (GUIDE + "privoxy_bridge", "listen-address 127.0.0.1:8118", "listen-address 0.0.0.0:8118", "the settings say"),
    (GUIDE + "privoxy_bridge", "127.0.0.1:3128 .", "127.0.0.1:3129 .", "the settings say"),
    (GUIDE + "privoxy_bridge", "forward-socks5 /", "forward-socks5t /", "forward-socks5t: the template writes only"),
    (GUIDE + "ssh_config", "DynamicForward 127.0.0.1:3128", "LocalForward 127.0.0.1:3128 127.0.0.1:3128", "DynamicForward"),
    (GUIDE + "ssh_config", "DynamicForward 127.0.0.1:3128", "DynamicForward 3128", "DynamicForward"),
    (GUIDE + "proxy_env", 'https_proxy="socks5h://', 'https_proxy="socks5://', "the settings say"),
]


CASES = [(DEFAULTS, RENDERED, *b) for b in BROKEN] + [(SOCKS, SOCKS_RENDERED, *b) for b in BROKEN_SOCKS]


@pytest.mark.parametrize("settings_,rendered,output,old,new,words", CASES,
                         ids=[f"{'socks:' if c[0] is SOCKS else ''}{c[2].rsplit('/', 1)[-1]}:{c[5]}" for c in CASES])
def test_broken_input_is_caught(tmp_path, settings_, rendered, output, old, new, words):
    text = rendered[output]
    assert old in text, "the test's mutation no longer applies"
    found = findings_for(tmp_path, output, text.replace(old, new, 1), settings_)
    assert any(words in f for f in found), found


def test_the_bridge_is_refused_when_the_settings_use_no_socks(tmp_path):
    found = findings_for(tmp_path, GUIDE + "privoxy_bridge", SOCKS_RENDERED[GUIDE + "privoxy_bridge"])
    assert any("tunnel.forward is local" in f for f in found), found


def test_buildkitd_toml_without_the_env_key_passes_and_a_typo_does_not(tmp_path):
    text = RENDERED[GUIDE + "buildkitd.toml"]
    assert "env = [" in text
    fixed = re.sub(r"env = \[.*?\]\n", "", text, flags=re.S)
    assert findings_for(tmp_path, GUIDE + "buildkitd.toml", fixed) == []
    typo = findings_for(tmp_path, GUIDE + "buildkitd.toml", fixed.replace("enabled = true", "enable = true"))
    assert any("[worker.containerd] enable: buildkitd reads no such key" in f for f in typo), typo


def test_counterexample_is_rejected_by_validators():
    s = SNIPPETS[GUIDE + "proxy_env_simple"]
    found = validate_file(Target(DOCS / s.output, s, DEFAULTS))
    assert any("has no scheme" in f.message for f in found)


def apt_download_with_env(env_file: Path) -> str:
    """Source the snippet with bash and let apt fetch through the proxy it names."""
    tools = require("apt-helper", "bash")
    work = Path(tempfile.mkdtemp(prefix="proxydocs-apt-"))
    shutil.chown(work, "_apt") if os.geteuid() == 0 else None
    script = ('set -a; . "$1"; exec "$2" -o Acquire::Retries=0 -o Acquire::http::Timeout=3 '
              'download-file http://127.0.0.2:9/never "$3/out"')
    proc = subprocess.run([tools["bash"], "--norc", "-c", script, "_", str(env_file), tools["apt-helper"], str(work)],
                          capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    shutil.rmtree(work, ignore_errors=True)
    return proc.stdout + proc.stderr


def test_apt_rejects_the_short_form_as_the_guide_says():
    output = apt_download_with_env(DOCS / GUIDE / "proxy_env_simple")
    # the guide's words (substitution |apt_unsupported|) are apt's own words
    assert "Unsupported proxy configured: 127.0.0.1://3128" in output, output


def test_apt_accepts_the_correct_form():
    output = apt_download_with_env(DOCS / GUIDE / "proxy_env")
    assert "Unsupported proxy" not in output
    assert "127.0.0.1:3128" in output  # it went to the proxy (nothing listens there: that is fine)


DEFECTS = [
    # (published file, words of the finding): the defects the issue names, and more
    (GUIDE + "proxy_env", "'http:127.0.0.1:3128' has no scheme"),
    (GUIDE + "dockerfile_env", "HTTP_PROXY is set twice"),
    (GUIDE + "dockerfile_env", "HTTPS_PROXY is not set"),
    (GUIDE + "systemctl_show_env", "ends with a comma"),
    (ARCHIVE + "systemctl_show_env", "ends with a comma"),
    (ARCHIVE + "apt_proxy", "not a line the template writes"),
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "trailing whitespace"),
    ("kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd", "trailing whitespace"),
    ("docker/network/docker_proxy/create_http_proxy_conf_for_docker", "unquoted heredoc"),
    (ARCHIVE + "ssh_config", "LocalForward"),
    (ARCHIVE + "environment", "http_proxy is not set"),
    (GUIDE + "config.json", "docker create sends"),
    (GUIDE + "dockerfile_env", "scheme 'ftp'"),
]


@pytest.fixture(scope="module")
def published_findings():
    present = tuple(s for s in manifest.load() if (REFERENCE / s.output).exists())
    return [f for f in validate_tree(REFERENCE, DEFAULTS, present) if not f.warning]


@pytest.mark.parametrize("output,words", DEFECTS, ids=[f"{d[0].rsplit('/', 1)[-1]}:{d[1]}" for d in DEFECTS])
def test_published_defect_is_found(published_findings, output, words):
    mine = [f.message for f in published_findings if f.file == str(REFERENCE / output)]
    assert any(words in m for m in mine), mine


def test_published_defect_count_is_the_documented_one(published_findings):
    page = (DOCS / "reference" / "snippets.rst").read_text(encoding="utf-8")
    assert f"共 {len(published_findings)} 处问题" in page


def test_a_missing_program_is_an_error_not_a_pass():
    import sys

    proc = subprocess.run([sys.executable, "-m", "generator", "validate"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PATH": "/nonexistent"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not installed" in proc.stderr


def test_a_shell_snippet_whose_path_starts_with_a_dash_is_still_checked(tmp_path, monkeypatch):
    """validate --root may be a relative folder named like an option: shellcheck must read the
    path as a file name, not as an option, and report the file's own findings."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "shell" and not s.counterexample)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-root").mkdir()
    (tmp_path / "-root" / "script").write_text("echo $1\n")
    found = [f.message for f in validate_file(Target(Path("-root/script"), snippet, DEFAULTS))]
    assert any(f.startswith("shellcheck:") and "SC2086" in f for f in found), found
    assert not any("shellcheck failed" in f for f in found), found


LINK = (f"{GUIDE}ssh_tunnel is a symbolic link, and proxydocs never writes or reads through one (it could lead out "
        "of the output folder); remove the link")


@pytest.mark.parametrize("spoil,reason", [
    (lambda p: p.write_bytes(b"echo \xff\xfe\n"), "is not UTF-8 text (byte 5: invalid start byte)"),
    (lambda p: (p.unlink(), p.mkdir()), "is a folder where a generated file goes"),
    (lambda p: (p.unlink(), os.mkfifo(p)), "is not a regular file"),
    (lambda p: (p.unlink(), p.symlink_to("/dev/zero")), LINK),
    (lambda p: (p.unlink(), p.symlink_to(p.with_name("gone"))), LINK),
    (lambda p: (p.unlink(), p.symlink_to("/etc/hostname")), LINK),  # valid text, out of the tree
    (lambda p: (p.unlink(), p.symlink_to(p)), LINK),
    (lambda p: os.truncate(p, 3 << 30), "is larger than 1 MiB: no snippet is that large"),  # sparse: no disk used
], ids=["latin-1 bytes", "a folder", "a fifo", "a device", "a dangling link", "a link out", "a link loop", "3 GB"])
def test_a_snippet_that_is_no_utf8_text_is_a_finding(tmp_path, spoil, reason):
    """A file saved in another encoding, or a folder, a FIFO, a device or a dangling link in a
    snippet's place: a finding that names the file, not an internal error, a hang or a
    misleading "missing"."""
    api.render(DEFAULTS, tmp_path)
    spoil(tmp_path / GUIDE / "ssh_tunnel")
    found = [f"{Path(f.file).relative_to(tmp_path)}: {f.message}" for f in validate_tree(tmp_path, DEFAULTS, SNIPPETS.values())
             if not f.warning]
    assert found == [f"{GUIDE}ssh_tunnel: {reason}"]


# the line ends and marks an editor may leave, which shellcheck reports on
ODD_SCRIPTS = {"crlf": b'echo hi\r\necho "$HOME"\r\n', "cr": b'echo hi\recho "$HOME"\r',
               "bom": b'\xef\xbb\xbfecho "$HOME"\n', "no final newline": b"echo $1"}


def test_shellcheck_judges_the_text_as_it_judges_the_file(tmp_path):
    """The validator gives shellcheck the script on standard input (its verdict then depends
    on the text alone, and a text is asked once): for every shell snippet, and for scripts
    with odd line ends, the same findings as shellcheck reading the file."""
    from generator.validate.shell import shellcheck_findings

    shell = [s for s in SNIPPETS.values() if s.kind == "shell"]
    assert any(s.counterexample for s in shell) and len(shell) >= 10
    paths = [DOCS / s.output for s in shell]
    for name, data in ODD_SCRIPTS.items():
        paths.append(tmp_path / name.replace(" ", "-"))
        paths[-1].write_bytes(data)
    for path in paths:
        proc = subprocess.run(["shellcheck", "--norc", "--shell=bash", "--format=gcc", "--", str(path)],
                              capture_output=True, text=True, timeout=60)
        from_file = tuple((int(m.group(1)), m.group(2)) for line in proc.stdout.splitlines()
                          if (m := re.fullmatch(re.escape(str(path)) + r":(\d+):\d+: (.*)", line)))
        assert shellcheck_findings(Target(path, shell[0], DEFAULTS).text) == from_file, path.name
        if path.parent == tmp_path:
            assert from_file, path.name  # each odd script is one shellcheck has something to say about


def test_the_callers_shellcheck_settings_do_not_silence_a_finding(tmp_path, monkeypatch):
    """A .shellcheckrc in a folder above the file (a user's project, their home) and
    SHELLCHECK_OPTS in the caller's environment may each disable the check that would fail
    the snippet: shellcheck must judge the file on its own."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "shell" and not s.counterexample)
    (tmp_path / ".shellcheckrc").write_text("disable=SC2086\n")
    (tmp_path / "tree").mkdir()
    path = tmp_path / "tree" / "script"
    path.write_text("echo $1\n")
    monkeypatch.setenv("SHELLCHECK_OPTS", "--exclude=SC2086")
    found = [f.message for f in validate_file(Target(path, snippet, DEFAULTS))]
    assert any(f.startswith("shellcheck:") and "SC2086" in f for f in found), found


def test_the_machines_apt_configuration_does_not_fill_in_the_snippet(tmp_path, monkeypatch):
    """apt reads $APT_CONFIG and the apt.conf.d folder it names before the snippet: a proxy
    configured on the machine must not stand in for the one the snippet lacks."""
    snippet = SNIPPETS[ARCHIVE + "apt_proxy"]
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "90proxy").write_text('Acquire::https::Proxy "http://192.168.5.2:3128/";\n')
    (tmp_path / "apt.conf").write_text(f'Dir::Etc::Parts "{tmp_path / "parts"}";\n')
    monkeypatch.setenv("APT_CONFIG", str(tmp_path / "apt.conf"))
    path = tmp_path / "apt_proxy"
    path.write_text('Acquire::http::Proxy "http://192.168.5.2:3128/";\n')  # https forgotten
    found = [f.message for f in validate_file(Target(path, snippet, DEFAULTS))]
    assert "apt reads no Acquire::https::Proxy" in found, found


@pytest.mark.parametrize("unit_lines,found", [
    ("Requires=network-online.target\nAfter=network-online.target\n", []),  # a unit of the system
    ("DefaultDependencies=yes\n", []),
    ("Requires=proxydocs-no-such.service\n", ["Unit proxydocs-no-such.service not found"]),
], ids=["system unit", "default dependencies", "missing unit"])
def test_a_drop_in_that_asks_for_another_unit(tmp_path, unit_lines, found):
    """systemd is first asked with the stand-in unit's folder alone; a drop-in that asks for a
    unit of the system is read with the system's folders too, as on a machine, and one that
    asks for a unit nowhere to be found is a finding (not an internal error)."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "systemd_dropin" and not s.counterexample)
    path = tmp_path / "http-proxy.conf"
    path.write_text(f"[Unit]\n{unit_lines}\n" + (DOCS / snippet.output).read_text(encoding="utf-8"))
    messages = [f.message for f in validate_file(Target(path, snippet, DEFAULTS)) if not f.warning]
    for needle in found:
        assert any(needle in m and m.startswith("systemd --test: ") for m in messages), messages
    if not found:
        assert messages == []


def test_the_machines_own_drop_ins_take_no_part(tmp_path):
    """A drop-in that asks for a system unit is read with the system's unit folders, where the
    machine may have drop-ins of its own for the same service (a Docker host with a proxy
    drop-in): they must neither fill in what the snippet lacks nor add to it."""
    from generator.validate.systemd import merged_environment

    require_root()  # it writes a drop-in under /etc/systemd/system, and removes it
    service = f"proxydocs-test-{os.getpid()}"
    host = Path("/etc/systemd/system") / f"{service}.service.d"
    host.mkdir(parents=True)
    try:
        (host / "zz-host.conf").write_text('[Service]\nEnvironment="HTTPS_PROXY=http://192.0.2.1:1" "FOO=bar"\n')
        text = '[Unit]\nRequires=network-online.target\n\n[Service]\nEnvironment="HTTP_PROXY=http://192.168.5.2:3128"\n'
        entries, report = merged_environment(service, {"http-proxy.conf": text})
    finally:
        shutil.rmtree(host)
    assert entries == ["HTTP_PROXY=http://192.168.5.2:3128"], (entries, report)


def test_a_value_cannot_forge_a_line_of_systemds_report(tmp_path):
    """Line separators in a value (raw, or escapes systemd expands), which systemd echoes back
    in verify's lines, cannot make a finding pass itself off as systemd's failure to start."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "systemd_dropin" and not s.counterexample)
    path = tmp_path / "http-proxy.conf"
    path.write_text((DOCS / snippet.output).read_text(encoding="utf-8")
                    + 'Environment="1X=a\x85systemd --test: forged\u2028systemd --test: forged"\n'
                    + 'Environment="2X=a\\rsystemd --test: forged\\nsystemd --test: forged"\n')  # escapes systemd expands
    messages = [f.message for f in validate_file(Target(path, snippet, DEFAULTS))]
    assert messages and not any(m.startswith("systemd --test: forged") for m in messages), messages


def test_pam_env_keeps_a_carriage_return_in_the_value(tmp_path):
    """/etc/environment saved with Windows line ends: pam_env ends a line at \\n only, so every
    value ends in a carriage return, and the proxy URL is no longer one."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "environment" and not s.counterexample)
    path = tmp_path / "environment"
    path.write_bytes((DOCS / snippet.output).read_bytes().replace(b"\n", b"\r\n"))
    messages = [f.message for f in validate_file(Target(path, snippet, DEFAULTS)) if not f.warning]
    assert any("\\r" in m for m in messages), messages


@pytest.mark.parametrize("fake_end", ["#\u2028EOF", "#\rEOF", "EOF\r"], ids=["U+2028", "CR", "EOF CR"])
def test_a_heredoc_ends_where_bash_ends_it(tmp_path, fake_end):
    """bash ends a heredoc at a line that is exactly its word, lines ended by \\n: what looks
    like its end to splitlines() is still part of the drop-in bash writes, and checked."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "shell" and not s.counterexample)
    path = tmp_path / "script"
    path.write_text("cat <<'EOF' >/etc/systemd/system/docker.service.d/http-proxy.conf\n[Service]\n"
                    f"{fake_end}\nEnviroment=typo\nEOF\n", encoding="utf-8", newline="")
    found = [f.message for f in validate_file(Target(path, snippet, DEFAULTS))]
    assert any("Unknown key" in f and "Enviroment" in f for f in found), found


def test_a_drop_in_for_a_service_named_like_an_option_is_still_verified(tmp_path):
    """A heredoc may write the drop-in of a service whose name starts with `-`: systemd-analyze
    must read it as a unit name, not as an option, and report the drop-in's own mistake."""
    snippet = next(s for s in SNIPPETS.values() if s.kind == "shell" and not s.counterexample)
    path = tmp_path / "script"
    path.write_text("cat <<'EOF' >/etc/systemd/system/-x.service.d/http-proxy.conf\n[Service]\n"
                    'Enviroment="HTTP_PROXY=http://127.0.0.1:3128"\nEOF\n')
    found = [f.message for f in validate_file(Target(path, snippet, DEFAULTS))]
    assert any("Unknown key" in f and "Enviroment" in f for f in found), found
    assert not any("invalid option" in f for f in found), found


# (snippet, character): kinds whose own readers let it through (ssh, apt and systemd read on,
# bash takes a zero-width joiner for part of a word), a C1 control, bidi controls, separators,
# tag characters, and a carriage return inside a value (curl then refuses the proxy)
CHARACTERS = [(ARCHIVE + "ssh_config", "\x00"), (ARCHIVE + "apt_proxy", "\x1b"), (ARCHIVE + "ssh", "\x07"),
              ("docker/network/docker_proxy/http-proxy.conf", "\x7f"), (GUIDE + "environment", "\x1b"),
              (GUIDE + "config.json", "\x9b"), (GUIDE + "colima.yaml", "\u202e"), (GUIDE + "ssh_config", "\u2066"),
              (ARCHIVE + "macos_env", "\u2060"), (GUIDE + "proxy_env", "\u2028"), (GUIDE + "ssh_config", "\U000e0001"),
              (GUIDE + "proxy_env", "\r"), (GUIDE + "environment", "\x00"), (GUIDE + "ssh_tunnel", "\t")]


@pytest.mark.parametrize("output,char", CHARACTERS,
                         ids=[f"{o.rsplit('/', 1)[-1]}-U+{ord(c):04X}" for o, c in CHARACTERS])
def test_a_character_no_reader_can_see_is_a_finding_in_any_kind(tmp_path, output, char):
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / output).read_text(encoding="utf-8")
    at = text.index("\n") - 1  # before the first line's last character (a quote, in proxy_env)
    found = errors_for(tmp_path, output, text[:at] + char + text[at:])
    assert any(f"(U+{ord(char):04X}" in m and m.endswith(f" at column {at + 1}: the page may not show it and a "
                                                            "terminal may act on it; render never writes one")
               for m in found), found
    assert errors_for(tmp_path, output, text) == []


def test_a_carriage_return_on_a_comment_line_cannot_hide_a_keyword(tmp_path):
    """ssh reads `# comment\\r    ProxyCommand ...` as one comment line; the page, reading with
    universal newlines, would show the keyword on a line of its own, for a reader to copy."""
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "ssh_config").read_text(encoding="utf-8")
    assert text.startswith("#")
    end = text.index("\n")
    found = errors_for(tmp_path, GUIDE + "ssh_config", text[:end] + "\r    ProxyCommand sh -c id" + text[end:])
    assert any(m.startswith(f"a carriage return (U+000D; Windows line ends?) at column {end + 1}:") for m in found), found


def test_many_such_lines_give_a_count_not_a_flood_and_hide_no_other_kind(tmp_path):
    """1000 lines with an escape, then a bidi override, and no final newline: 20 of the first
    kind and a count that the summary adds back, and each other kind shown."""
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "ssh_config").read_text(encoding="utf-8")
    path = tmp_path / GUIDE / "ssh_config"
    path.write_text(text + "# \x1b\n" * 1000 + "# \u202e", encoding="utf-8")
    found = errors_for(tmp_path, GUIDE + "ssh_config", path.read_text(encoding="utf-8"))
    assert len([m for m in found if m.startswith("an escape (U+001B)")]) == 20, found[-4:]
    assert any(m.startswith("and 980 more like: an escape (U+001B) at column 3") for m in found), found[-4:]
    assert any("(U+202E)" in m for m in found) and "no newline at the end of the file" in found, found[-4:]
    result = run_cli("validate", "--root", str(tmp_path), str(path))
    assert "validate: 1002 finding(s)" in result.err, result.err


def test_a_counter_example_is_held_to_the_text_checks_too(tmp_path):
    """A counter-example must fail by its kind's readers; its text must still be clean (it is
    shown on the page), and a dirty text does not make it pass for rejected."""
    counter = next(s for s in SNIPPETS.values() if s.counterexample and s.generated)
    api.render(DEFAULTS, tmp_path)
    path = tmp_path / counter.output
    assert validate_tree(tmp_path, DEFAULTS, (counter,)) == []
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\x1b[2K\n", 1), encoding="utf-8")
    assert [f.message.split(" at ")[0] for f in validate_tree(tmp_path, DEFAULTS, (counter,))] == ["an escape (U+001B)"]
    good = next(s for s in SNIPPETS.values() if s.output == counter.output.replace("_simple", ""))
    path.write_text((tmp_path / good.output).read_text(encoding="utf-8") + "\x1b[2K\n", encoding="utf-8")
    messages = [f.message for f in validate_tree(tmp_path, DEFAULTS, (counter,))]
    assert "is a counter-example but no validator rejects it" in messages, messages


def test_the_text_checks_run_for_every_kind():
    from generator.validate.static import check_characters, check_whitespace

    assert all({check_characters, check_whitespace} <= set(validators_for(kind)) for kind in kinds())


def test_a_programs_words_reach_the_terminal_escaped(tmp_path):
    """bash quotes the line it cannot parse: an escape sequence in it (here one that hides the
    rest of the line) is printed as its escape, not sent to the terminal."""
    api.render(DEFAULTS, tmp_path)
    path = tmp_path / GUIDE / "ssh_tunnel"
    path.write_text("ssh -fN MyProxy \x1b[8m)\n", encoding="utf-8")
    result = run_cli("validate", "--root", str(tmp_path), str(path))
    assert result.code == 1 and "\x1b" not in result.out and "\\x1b[8m" in result.out, result.out


def test_a_password_in_a_programs_words_is_hidden_before_anything_is_escaped(tmp_path, monkeypatch):
    """bash quotes the broken line, password and all: the password is hidden in each form it
    can take there (a soft hyphen in it is escaped only after that), and never printed."""
    password = "se\u00adcr\u00e9t"
    monkeypatch.setenv("PROXYDOCS_PW", password)
    assert run_cli("render", "--out", str(tmp_path), "--set", "proxy.user=u",
                   "--set", "proxy.password_env=PROXYDOCS_PW").code == 0
    path = tmp_path / GUIDE / "ssh_tunnel"
    path.write_text(f"export http_proxy=http://u:{password}@127.0.0.1:3128 )\n", encoding="utf-8")
    result = run_cli("validate", "--root", str(tmp_path), str(path))
    assert result.code == 1 and "http://u:***@127.0.0.1:3128" in result.out, result.out
    assert "se" not in result.out.replace("settings", "").replace("sees", ""), result.out


def test_a_key_in_a_readers_settings_file_reaches_the_terminal_escaped(tmp_path):
    """validate --root reads the copy's own settings file, which travels between people: an
    error that names its odd key shows an escape sequence in it as text."""
    assert run_cli("render", "--out", str(tmp_path)).code == 0
    (tmp_path / "proxydocs-settings.toml").write_text('[proxy]\n"po\\u001b]0;PWNED\\u0007rt" = 1\n', encoding="utf-8")
    result = run_cli("validate", "--root", str(tmp_path))
    assert result.code == 2 and "po\\x1b]0;PWNED\\x07rt" in result.err and "\x1b" not in result.err, result.err


def test_only_proxy_variables_are_assigned(tmp_path):
    """A variable of bash's own (PATH, LD_PRELOAD) would change what bash runs after reading
    the file: only *_proxy names are read with bash, and a `#` must follow a blank to start a
    comment (inside a word it is a character, and what follows runs)."""
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "proxy_env").read_text(encoding="utf-8")
    marker = tmp_path / "ran"
    for line in ("PATH=bin", "LD_PRELOAD=/nonexistent/evil.so", f"export http_proxy=a#;touch {marker}",
                 f"http_proxy='a'#$(touch {marker})"):
        found = errors_for(tmp_path, GUIDE + "proxy_env", text + line + "\n")
        assert any(m.startswith("not a plain assignment of a proxy variable") for m in found), (line, found)
    assert not marker.exists()


@pytest.mark.parametrize("line", ['Match exec "touch {marker}"', '"match" exec "touch {marker}"',
                                  "MATCH=exec \"touch {marker}\"", "Include {marker}.conf", '=Match exec "touch {marker}"',
                                  '\rMatch exec "touch {marker}"', " \t= match exec \"touch {marker}\"",
                                  "CanonicalizeHostname always"],
                         ids=["match exec", "quoted keyword", "upper case and =", "include", "leading =", "leading CR",
                              "blanks and =", "a name lookup"])
def test_validate_never_lets_ssh_run_a_copys_command(tmp_path, line):
    """ssh -G runs a Match exec command while it reads the file: a copy may come from someone
    else, so such a file is refused before ssh sees it."""
    api.render(DEFAULTS, tmp_path)
    marker = tmp_path / "ran"
    (tmp_path / f"{marker}.conf").parent.mkdir(parents=True, exist_ok=True)
    text = line.format(marker=marker) + "\n" + (tmp_path / GUIDE / "ssh_config").read_text(encoding="utf-8")
    found = errors_for(tmp_path, GUIDE + "ssh_config", text)
    assert not marker.exists()
    ssh = [m for m in found if "is not a keyword the template writes (validate gives ssh no other" in m]
    assert len(ssh) == 1 and all(m in ssh or "(U+000" in m for m in found), found


@pytest.mark.parametrize("value", ['"$(touch {marker})http://127.0.0.1:3128"', "`touch {marker}`",
                                  '"http://127.0.0.1:3128${{X:-$(touch {marker})}}"', "http://127.0.0.1:3128;touch {marker}",
                                  "1 touch {marker}", "1|touch {marker}", "1 >{marker}", "1&&touch {marker}"],
                         ids=["command substitution", "backquotes", "parameter expansion", "semicolon", "a command",
                              "pipe", "redirection", "and"])
def test_validate_never_runs_a_copys_shell_assignments(tmp_path, value):
    api.render(DEFAULTS, tmp_path)
    marker = tmp_path / "ran"
    text = (tmp_path / GUIDE / "proxy_env").read_text(encoding="utf-8")
    found = errors_for(tmp_path, GUIDE + "proxy_env", text + f"export http_proxy={value.format(marker=marker)}\n")
    assert not marker.exists()
    assert any(m.startswith("not a plain assignment") for m in found), found


def test_a_file_for_the_shells_start_holds_assignments_only(tmp_path):
    """A line that is no assignment in the file appended to ~/.zshrc (here `:`, which made the
    file skip bash's reading, and with it the check of the values) is a finding."""
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "proxy_env").read_text(encoding="utf-8")
    found = errors_for(tmp_path, GUIDE + "proxy_env", ":\n" + text.replace("127.0.0.1:3128", "192.0.2.9:8080", 1))
    assert found == ["not a variable assignment: this file is appended to ~/.zshrc, which every new shell reads, "
                     "and holds NAME=VALUE lines only"], found


@pytest.mark.parametrize("password,edit", [
    ("se\u00adcr\u00e9t", "colima.yaml"),  # a message quoting a dict shows repr(): \xad, but é as is
    ("open sesame", "proxy_env"),  # unquoted by hand: bash splits it, and quotes the second half
], ids=["repr form", "split at a blank"])
def test_a_hand_written_password_is_hidden_in_every_message(tmp_path, monkeypatch, password, edit):
    """A copy where the password was written out raw (not percent-encoded, as render writes
    it): every program's words and every message hide it, in whatever form or part."""
    monkeypatch.setenv("PROXYDOCS_PW", password)
    assert run_cli("render", "--out", str(tmp_path), "--set", "proxy.user=u",
                   "--set", "proxy.password_env=PROXYDOCS_PW").code == 0
    path = tmp_path / GUIDE / edit
    encoded = "se%C2%ADcr%C3%A9t" if edit == "colima.yaml" else "open%20sesame"
    text = path.read_text(encoding="utf-8")
    assert encoded in text
    if edit == "proxy_env":
        text = text.replace(f'"http://u:{encoded}@127.0.0.1:3128"', f"http://u:{password}@127.0.0.1:3128", 1)
    path.write_text(text.replace(encoded, password, 1), encoding="utf-8")
    result = run_cli("validate", "--root", str(tmp_path), str(path))
    assert result.code == 1, result.out
    shown = result.out + result.err
    for part in (password, ascii(password)[1:-1], repr(password)[1:-1], *password.split()):
        assert part not in shown, shown


@pytest.mark.parametrize("kind_file,line,words", [
    ("docker/network/docker_proxy/http-proxy.conf", "[Unit]\nDocumentation=man:bash(--html=id>{marker};true)\n",
     None),  # verify would run man with these arguments
    (ARCHIVE + "apt_proxy", 'Dir::Bin::dpkg "/bin/sh";\nDPkg::Options {{ "-c"; "touch {marker}"; }};\n',
     "not a line the template writes"),
    (ARCHIVE + "apt_proxy", '#include "/etc/shadow";\n', "not a line the template writes"),
    (ARCHIVE + "apt_proxy", 'Acquire::http::Proxy "http://192.168.5.2:3128/"; #include "/etc/shadow";\n',
     "not a line the template writes"),
    (ARCHIVE + "apt_proxy", '\v#include "/etc/shadow";\n', "not a line the template writes"),
    (GUIDE + "privoxy_bridge", "actions\\\nfile /etc/shadow\n", "a line continued with"),
    (GUIDE + "privoxy_bridge", "actionsfile /etc/shadow\n", "actionsfile: the template writes only"),
], ids=["systemd man page", "apt dpkg", "apt include", "apt include mid-line", "apt include after VT",
        "privoxy file", "privoxy continued line"])
def test_validate_never_runs_or_reads_what_a_copy_names(tmp_path, kind_file, line, words):
    """A copy may come from someone else: what its files name is never run, and no file
    outside the copy is read into a report."""
    settings_ = load_settings_dynamic() if "privoxy" in kind_file else DEFAULTS
    api.render(settings_, tmp_path)
    marker = tmp_path / "ran"
    path = tmp_path / kind_file
    path.write_text(path.read_text(encoding="utf-8") + line.format(marker=marker), encoding="utf-8")
    found = [f.message for f in validate_file(Target(path, SNIPPETS[kind_file], settings_)) if not f.warning]
    assert not marker.exists()
    assert "root:" not in " ".join(found), found
    if words:
        assert any(words in m for m in found), found


def load_settings_dynamic():
    return settings.load(None, ["tunnel.forward=dynamic", "proxy.scheme=socks5h"])


def test_a_service_name_is_never_a_path(tmp_path):
    api.render(DEFAULTS, tmp_path)
    path = tmp_path / GUIDE / "systemctl_show_env"
    text = path.read_text(encoding="utf-8")
    name = re.search(r"# systemctl show (\S+) --property", text)[1]
    target = tmp_path / "escaped"
    found = errors_for(tmp_path, GUIDE + "systemctl_show_env", text.replace(f"show {name} ", f"show ../../../{target} "))
    assert not list(tmp_path.glob("escaped*")) and any("is not a unit name" in m for m in found), found


@pytest.mark.parametrize("start", ["\r", "\v", "\u00a0", "\x1c"], ids=["CR", "VT", "NBSP", "FS"])
def test_a_line_only_python_takes_for_a_comment_is_never_run(tmp_path, start):
    """Python's strip() takes more for a blank than bash does: `\\r#;cmd` is a command to bash."""
    api.render(DEFAULTS, tmp_path)
    marker = tmp_path / "ran"
    text = (tmp_path / GUIDE / "proxy_env").read_text(encoding="utf-8") + f"{start}#;touch {marker}\n"
    found = errors_for(tmp_path, GUIDE + "proxy_env", text)
    assert not marker.exists() and found, found


def test_a_quote_inside_a_keyword_does_not_pass_for_an_allowed_one(tmp_path):
    """ssh drops the quote and reads on: `User"KnownHostsFile"` is UserKnownHostsFile."""
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "ssh_config").read_text(encoding="utf-8")
    found = errors_for(tmp_path, GUIDE + "ssh_config", text + f'  User"KnownHostsFile" {tmp_path}/kh\n')
    assert any("'User\"KnownHostsFile\"' is not a keyword the template writes" in m for m in found), found


def test_ssh_is_given_none_of_the_callers_variables(tmp_path, monkeypatch):
    """ssh expands ${VAR} in LocalForward: a variable of validate's caller (a CI token) must
    not reach the report."""
    monkeypatch.setenv("PROXYDOCS_TEST_TOKEN", "/tok-0f-the-caller")
    api.render(DEFAULTS, tmp_path)
    text = (tmp_path / GUIDE / "ssh_config").read_text(encoding="utf-8")
    edited = re.sub(r"LocalForward \S+", "LocalForward ${PROXYDOCS_TEST_TOKEN}/sock", text, count=1)
    assert edited != text
    found = errors_for(tmp_path, GUIDE + "ssh_config", edited)
    assert found and "tok-0f-the-caller" not in " ".join(found), found
