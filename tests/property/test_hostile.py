"""Hostile input: every settings field, fed any string, is either refused with a message that
names the key and the reason, or rendered into files that the real programs read back as
exactly the intended value. Proxy passwords, which may contain anything, are percent-encoded
and proven the same way.

The number of examples per field is PROXYDOCS_EXAMPLES (default 25); the counts of refused
and accepted examples are printed at the end of the run (see conftest.py)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from support import context_for, require
from support.hostile import HOSTILE, SAFE, any_text
from generator import api
from generator.render import feeds, manifest
from generator.errors import SettingsError
from generator.model.settings import FIELDS, load
from generator.validate import validate_tree

EXAMPLES = int(os.environ.get("PROXYDOCS_EXAMPLES", "25"))
SNIPPETS = {s.output: s for s in manifest.load()}
PASSWORD_VAR = "PROXYDOCS_TEST_PASSWORD"
TOOLS = ("ssh", "bash", "shellcheck", "apt-config", "systemd-analyze", "setpriv", "systemd", "docker")


@pytest.fixture(scope="module", autouse=True)
def tools():
    return require(*TOOLS)


def representatives(path: str) -> tuple:
    """One snippet per (kind, view) among those the field feeds: each reader is asked once."""
    chosen: dict[tuple, object] = {}
    for output, keys in feeds.feeds().items():
        snippet = SNIPPETS[output]
        if path in keys and not snippet.counterexample:
            chosen.setdefault((snippet.kind, snippet.view), snippet)
    return tuple(chosen.values())


def read_back(overrides: list[str], fed: str, environ: dict[str, str]) -> list[str]:
    """Render for a reader with these --set values and ask the real programs."""
    s = load(None, overrides).for_reader(environ)
    with tempfile.TemporaryDirectory() as out:
        api.render(s, Path(out))
        return [str(f) for f in validate_tree(Path(out), s, representatives(fed)) if not f.warning]


@pytest.mark.parametrize("path", list(FIELDS))
def test_any_value_is_refused_or_read_back_exactly(path, counts):
    ft = FIELDS[path].type
    counts = counts.setdefault(path, Counter())

    @given(text=any_text(ft))
    @hsettings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(text):
        try:
            load(None, [*context_for(path, text), f"{path}={text}"])
        except SettingsError as exc:
            counts["refused"] += 1
            message = str(exc)
            assert message.startswith(f"--set: {path}: "), message
            assert len(message) > len(f"--set: {path}: ") + 8, message
            return
        counts["accepted"] += 1
        environ = {text: "pw"} if path == "proxy.password_env" else {}
        assert read_back([*context_for(path, text), f"{path}={text}"], path, environ) == []

    check()
    assert counts["refused"] + counts["accepted"] >= EXAMPLES


@given(password=st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=40)
       | st.text(st.sampled_from(HOSTILE.replace("\x00", "") + SAFE), min_size=1, max_size=40))
@hsettings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
           suppress_health_check=[HealthCheck.too_slow])
def test_any_password_is_carried_exactly(counts, password):
    """The password comes from the environment and may hold anything but a control character
    (curl drops a proxy whose password holds one, and connects directly: refused, saying so);
    every reader sees exactly it after percent-decoding the URL."""
    overrides = ["proxy.user=me@corp", f"proxy.password_env={PASSWORD_VAR}"]
    environ = {PASSWORD_VAR: password}
    if any(c < " " for c in password):
        counts.setdefault("password (environment)", Counter())["refused"] += 1
        with pytest.raises(SettingsError, match="holds a control character"):
            load(None, overrides).for_reader(environ)
        return
    counts.setdefault("password (environment)", Counter())["accepted"] += 1
    assert read_back(overrides, "proxy.user", environ) == []
    s = load(None, overrides).for_reader(environ)
    with tempfile.TemporaryDirectory() as out:
        api.render(s, Path(out))
        config = json.loads((Path(out) / "container/colima/colima_proxy/config.json").read_text())
    url = urlsplit(config["proxies"]["default"]["httpProxy"])
    assert (unquote(url.username), unquote(url.password)) == ("me@corp", password)
    assert url.hostname == "192.168.5.2" and url.port == 3128


# At least 30 hostile values across the fields, each refused (with the words the reason must
# contain) or proven harmless by the real programs (None).
PASSWORD = object()  # marks a row whose value is a password in the environment
HOSTILE_TABLE = [
    ("tunnel.hostname", "proxy.example.org\nProxyCommand sh -c id", "not a valid host name"),
    ("tunnel.hostname", "proxy.example.org ProxyCommand=id", "not a valid host name"),
    ("tunnel.hostname", "exаmple.org", "non-ASCII"),  # Cyrillic а
    ("tunnel.hostname", "example\uff0eorg", "non-ASCII"),  # fullwidth full stop
    ("tunnel.hostname", "a" * 64 + ".org", "not a valid host name"),
    ("tunnel.hostname", ("a" * 60 + ".") * 5 + "org", "the limit is 253"),
    ("tunnel.hostname", "$(id).example.org", "not a valid host name"),
    ("tunnel.hostname", "%h.example.org", "not a valid host name"),
    ("tunnel.user", "root\nProxyCommand id", "not a user name"),
    ("tunnel.user", "ro`id`ot", "not a user name"),
    ("tunnel.user", "admin #", "not a user name"),
    ("tunnel.user", "u" * 33, "the limit is 32"),
    ("tunnel.alias", "MyProxy\nHost *", "not an ssh Host alias"),
    ("tunnel.alias", "My'Proxy", "not an ssh Host alias"),
    ("tunnel.identity_file", "~/.ssh/id_rsa\nProxyCommand id", "no spaces"),
    ("tunnel.identity_file", "~/.ssh/%u_rsa", "no spaces, quotes, %"),
    ("tunnel.identity_file", "~/.ssh/$(id)", "no spaces"),
    ("tunnel.ssh_port", "22 -oProxyCommand=id", "must be an integer"),
    ("tunnel.ssh_port", "0", "between 1 and 65535"),
    ("proxy.port", "65536", "between 1 and 65535"),
    ("proxy.port", "3128#", "must be an integer"),
    ("proxy.port", "99999999999", "must be an integer"),
    ("proxy.listen", "127.0.0.1:3128", "not an IP address"),
    ("proxy.listen", "fe80::1%eth0", "not an IP address"),
    ("proxy.no_proxy", "localhost,\"evil\"", "contains '\"'"),
    ("proxy.no_proxy", "localhost;id", "contains ';'"),
    ("proxy.no_proxy", "local host", "contains ' '"),
    ("proxy.no_proxy", "*.exam%ple.org", "contains '%'"),
    ("vm.host_address", "192.168.5.2\nHTTP_PROXY=x", "not a valid host name"),
    ("proxy.no_proxy", "localhost,fe80::%\nEOF\ntouch pwned\n: <<'EOF'\n/64", "contains '%'"),
    ("proxy.no_proxy", "fe80::1%eth0/64", "contains '%'"),
    ("proxy.no_proxy", "localhost,a\u2028b", "contains '\\u2028'"),
    ("tunnel.also_bind", "172.17.0.1,fe80::1%eth0", "not an IP address"),
    ("tunnel.also_bind", "172.17.0.1,\u200b10.0.0.1", "not an IP address"),
    ("colima.profile", "default; rm -rf ~", "not a colima profile"),
    ("colima.profile", "../../etc", "not a colima profile"),
    ("proxy.user", "me corp", "not a proxy user name"),
    ("proxy.user", "me\nHTTP_PROXY=evil", "not a proxy user name"),
    ("proxy.password_env", "PW; id", "not an environment variable name"),
    # harmless: accepted, escaped where each reader needs it, and read back exactly
    ("proxy.user", "me@corp:%41#1", None),
    ("proxy.user", "用户$(id)`x`'\"", None),
    ("proxy.no_proxy", "*", None),
    ("proxy.no_proxy", "::1,fd00::/8,.corp.example", None),
    ("proxy.listen", "::1", "Lima maps vm.host_address to the Mac's 127.0.0.1 only"),
    ("proxy.listen", "FD00:0::5", None),
    ("proxy.listen", "224.0.0.1", "multicast, broadcast, link-local or reserved"),
    ("tunnel.also_bind", "10.0.0.1,0.0.0.0", "open the proxy to every network"),
    ("proxy.user", "me\u061ccorp", "not a proxy user name"),  # an invisible Arabic letter mark
    ("proxy.user", "me\U000e0041", "not a proxy user name"),  # a tag character  # a LAN address: context_for sets proxy.exposure = "lan" with it
    ("tunnel.hostname", "xn--80ak6aa92e.com", None),
    ("tunnel.identity_file", "~/.ssh/proxy+work@host:1/id_ed25519", None),
    (PASSWORD, "p#ss word", None),
    (PASSWORD, "100%%sure", None),
    (PASSWORD, "$(touch /tmp/pwned)`id`", None),
    (PASSWORD, "quote\"'\\back", None),
    (PASSWORD, "line\nHTTP_PROXY=http://evil:1", "holds a control character"),
    (PASSWORD, "пароль✓", None),
    (PASSWORD, "@:/?#[]", None),
]


@pytest.mark.parametrize("path,value,reason", HOSTILE_TABLE,
                         ids=[f"{'password' if p is PASSWORD else p}-{i}" for i, (p, _, _) in enumerate(HOSTILE_TABLE)])
def test_hostile_value(tmp_path, path, value, reason):
    if path is PASSWORD:
        overrides, environ, fed = ["proxy.user=u", f"proxy.password_env={PASSWORD_VAR}"], {PASSWORD_VAR: value}, "proxy.user"
    else:
        overrides, environ, fed = [*context_for(path, value), f"{path}={value}"], {}, path
        if path == "proxy.user":
            overrides.append(f"proxy.password_env={PASSWORD_VAR}")
            environ = {PASSWORD_VAR: "pw"}
    if reason is not None:
        with pytest.raises(SettingsError) as exc:
            load(None, overrides).for_reader(environ)
        key = "proxy.password_env" if path is PASSWORD else path
        assert f"--set: {key}: " in str(exc.value) and reason in str(exc.value), str(exc.value)
        return
    assert read_back(overrides, fed, environ) == []


def test_table_is_large_enough():
    assert len(HOSTILE_TABLE) >= 30
    assert sum(r is None for *_, r in HOSTILE_TABLE) >= 10
