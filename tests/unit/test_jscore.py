"""The page's JavaScript core (site/static/pyport.js and core.js) against the Python it ports,
on a blank page in Debian's Chromium: no Sphinx build, no DOM, every field kind (the form's
and the others: optional, choice, addresses), every output filter, and whole renderings. The
form itself is tested on the built pages in tests/browser."""

from __future__ import annotations

import functools
import os
import re
from importlib.resources import files

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from generator import api
from generator.errors import SettingsError, TemplateError
from generator.model.rules import RULES as RULE_LIST
from generator.model.settings import FIELDS, defaults, load
from generator.render.formats import FILTERS
from generator.site import jscompile, pagedata
from support import context_for
from support.hostile import HOSTILE, SAFE, any_text

EXAMPLES = int(os.environ.get("PROXYDOCS_EXAMPLES", "25"))
STATIC = files("generator.site") / "static"
SETTINGS = dict(max_examples=EXAMPLES * 2, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def core(browser):
    """A blank page holding the data file, pyport.js and core.js, and nothing else."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(content=pagedata.data_js(defaults()))
    for script in ("pyport.js", "types.js", "core.js"):
        page.add_script_tag(content=(STATIC / script).read_text(encoding="utf-8"))
    page.evaluate("window.CORE = window.proxydocsCore.make(window.PROXYDOCS_DATA)")
    yield page
    assert errors == []
    context.close()


def examples(strategy) -> list:
    """The examples hypothesis draws for a strategy (the same ones on every run: derandomized),
    so that the page is asked about all of them in one call."""
    drawn = []

    @given(value=strategy)
    @hsettings(**SETTINGS)
    def collect(value):
        drawn.append(value)

    collect()
    return drawn


@functools.cache
def any_text_examples(path: str) -> tuple:
    """examples(any_text(...)) of a field: drawn once for the tests that ask about them."""
    return tuple(examples(any_text(FIELDS[path].type)))


FILTER_VALUES = st.text(st.sampled_from(HOSTILE + SAFE + "é✓\u00e9"), max_size=24) | st.text(max_size=12)


@functools.cache
def filter_values() -> tuple:
    return tuple(examples(FILTER_VALUES))


def each(core, fn: str, args: list) -> list:
    """The JavaScript function FN applied in the page to each of ARGS, in one round trip."""
    return core.evaluate(f"(all) => all.map((arg) => ({fn})(arg))", args)


JS_PARSE = """([type, text]) => {
    try { const v = window.proxydocsCore.parseType(type, text); return {value: v}; }
    catch (e) { if (e instanceof window.proxydocsCore.Refusal) return {error: e.message}; throw e; }
}"""


def python_parse(path: str, text: str) -> dict:
    try:
        value = FIELDS[path].type.parse_text(text)
    except ValueError as exc:
        return {"error": str(exc)}
    return {"value": list(value) if isinstance(value, tuple) else value}


def test_every_field_kind_is_covered():
    kinds = {f.type.page_data()["kind"] for f in FIELDS.values()}
    assert kinds == {"optional", "integer", "choice", "pattern", "host", "no_proxy", "addresses"}


@pytest.mark.parametrize("path", list(FIELDS))
def test_any_text_parses_as_in_python(core, path):
    """For any string: the same refusal with the same message, or the same value."""
    ft = FIELDS[path].type
    texts = any_text_examples(path)
    for text, got in zip(texts, each(core, JS_PARSE, [[ft.page_data(), t] for t in texts]), strict=True):
        assert got == python_parse(path, text), text


@pytest.fixture(scope="module")
def default_render(core) -> dict[str, str]:
    """Every snippet with the default settings, the same in the page as in Python (the base the
    test below compares against: the page sends back only what differs from it)."""
    page = core.evaluate("window.BASE = CORE.renderAll(CORE.parseAll({}).values)")
    want = api.render_text(defaults())
    assert page == want
    return want


# the page's render of each settings set, less the snippets equal to its default render
# (checked equal to Python's above): a tenth of the text crosses the pipe
JS_RENDER = """(t) => { const r = CORE.parseAll(t); if (r.errors) return r.errors;
    const out = CORE.renderAll(r.values);
    return [Object.keys(out), Object.fromEntries(Object.entries(out).filter(([k, v]) => v !== BASE[k]))]; }"""


@pytest.mark.parametrize("path", list(FIELDS))
def test_any_accepted_value_renders_every_snippet_as_in_python(core, default_render, path):
    ft = FIELDS[path].type
    cases = []
    for text in examples(ft.strategy(st)):
        sets = [*context_for(path, text), f"{path}={text}"]
        try:
            settings = load(None, sets)
        except SettingsError:
            continue
        cases.append((dict(s.split("=", 1) for s in sets), api.render_text(settings)))
    got = each(core, JS_RENDER, [texts for texts, _ in cases])
    for (texts, want), (keys, changed) in zip(cases, got, strict=True):
        assert sorted(keys) == sorted(want) == sorted(default_render), texts
        assert changed == {k: v for k, v in want.items() if v != default_render[k]}, texts


def test_the_page_has_every_python_filter(core):
    """The formats' filters, plus Jinja2's own `sort` that the templates use."""
    assert sorted(core.evaluate("Object.keys(window.proxydocsCore.FILTERS)")) == sorted({*FILTERS, "sort"})


@pytest.mark.parametrize("name", sorted(set(FILTERS) - {"systemctl_show"}))
def test_each_string_filter_escapes_as_in_python(core, name):
    values = filter_values()
    got = each(core, "([n, v]) => window.proxydocsCore.FILTERS[n](v)", [[name, v] for v in values])
    for value, page in zip(values, got, strict=True):
        assert page == FILTERS[name](value), value


def test_systemctl_show_quotes_as_in_python(core):
    cases = examples(st.lists(st.tuples(st.sampled_from(["HTTP_PROXY", "no_proxy"]),
                                        st.text(st.sampled_from(HOSTILE + SAFE), max_size=16)), max_size=4))
    got = each(core, "(p) => window.proxydocsCore.FILTERS.systemctl_show(p)", [[list(p) for p in c] for c in cases])
    for pairs, page in zip(cases, got, strict=True):
        assert page == FILTERS["systemctl_show"](pairs), pairs


def test_the_runtime_sorts_strings_by_code_point_as_python(core):
    words = ["b", "B", "é", "a\U0001f600", "a\uffff", "", "ab", "a"]
    assert core.evaluate("(w) => window.proxydocsCore.FILTERS.sort(w)", words) == sorted(words)


@pytest.mark.parametrize("source,what", [
    ("{% for x in y %}{{ x }}{% else %}none{% endfor %}", "for ... else"),
    ("{% macro m() %}x{% endmacro %}", "Macro"),
    ("{{ x | upper(a=1) }}", "filter 'upper' with these arguments"),
    ("{{ f(x) }}", "this call"),
    ("{{ x[::2] }}", "a slice with a step"),
    ("{{ 1.5 }}", "the constant 1.5"),
    ("{{ x if y }}", "a conditional without else"),
    ("{% include name %}", "this include"),
    ("{% set a.b = 1 %}", "this assignment target"),
])
def test_the_compiler_refuses_what_it_cannot_compile(source, what):
    with pytest.raises(TemplateError) as exc:
        jscompile.compile_template("bad.j2", "\n" + source)
    assert str(exc.value).startswith("bad.j2:2: ") and what in str(exc.value), str(exc.value)


JS_TRANSLATE = """([type, text]) => {
    try { window.proxydocsCore.parseType(type, text); return null; }
    catch (e) {
        if (!(e instanceof window.proxydocsCore.Refusal)) throw e;
        return window.proxydocsCore.translate(window.PROXYDOCS_DATA.messages_zh, e.message);
    }
}"""
HAN = re.compile(r"[\u4e00-\u9fff]")
# a value quoted in a message, as Python's repr() quotes it: in '...', or in "..." when it holds a '
QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@pytest.mark.parametrize("path", list(FIELDS))
def test_every_refusal_the_form_shows_is_chinese(core, path):
    """The form shows the CLI's reason in Chinese: no refusal falls through untranslated, and
    the quoted value survives the translation."""
    ft = FIELDS[path].type
    texts = any_text_examples(path)
    for text, zh in zip(texts, each(core, JS_TRANSLATE, [[ft.page_data(), t] for t in texts]), strict=True):
        if zh is None:
            continue
        english = python_parse(path, text)["error"]
        assert HAN.search(zh) and zh != english, (text, english, zh)
        for quoted in QUOTED.findall(english):
            assert quoted in zh, (quoted, zh)


# one input per rule of site/messages_zh.py (the hypothesis test above rarely reaches some)
REFUSALS = [
    ("tunnel.alias", ""), ("proxy.port", "x"), ("proxy.port", "70000"), ("proxy.scheme", "ftp"),
    ("tunnel.alias", "a" * 65), ("tunnel.hostname", "a" * 254), ("tunnel.hostname", "\u0435x.com"),
    ("tunnel.hostname", "bad_host"), ("tunnel.hostname", "999.1.1.1"), ("proxy.no_proxy", "a,,b"),
    ("proxy.no_proxy", "a;b"), ("proxy.no_proxy", "10.0.0.0/99"), ("proxy.no_proxy", ""),
    ("proxy.no_proxy", "a,a"), ("tunnel.also_bind", "10.0.0.1,10.0.0.1"), ("proxy.listen", "localhost"),
    ("tunnel.remote_host", "<X>"), ("tunnel.hostname", "<bad>"), ("proxy.no_proxy", "a..b"), ("proxy.no_proxy", "a\u2028"),
    ("tunnel.alias", "a b"), ("tunnel.user", "a b"), ("tunnel.identity_file", "a b"), ("colima.profile", "a b"),
    ("proxy.password_env", "a b"), ("proxy.user", "a b"), ("proxy.no_proxy", "a.com."), ("proxy.no_proxy", "a,A"),
    ("proxy.user", "a\u061cb"), ("proxy.user", "a\U000e0041"),
]


def test_every_translation_rule_is_exercised_and_matches(core):
    from generator.site.messages_zh import RULES, translate

    # the rules between keys (their translations are checked against the page in the test below)
    used = {next(i for i, (pattern, _) in enumerate(RULES) if re.fullmatch(pattern, english, re.S))
            for rule in RULE_LIST for english in rule_case(rule)[1].values()}
    for path, text in REFUSALS:
        english = python_parse(path, text)["error"]
        matched = [i for i, (pattern, _) in enumerate(RULES) if re.fullmatch(pattern, english, re.S)]
        assert matched, f"no rule translates {english!r}"
        used.add(matched[0])
        zh = core.evaluate(JS_TRANSLATE, [FIELDS[path].type.page_data(), text])
        assert HAN.search(zh) and "must" not in zh, (english, zh)
    assert used == set(range(len(RULES))), f"rules never exercised: {set(range(len(RULES))) - used}"


# values that break each rule between keys (generator/model/rules.py), and other keys' values
# that keep an earlier rule on the same key from reporting first
BREAKING = {"set": ("PROXY_PASSWORD", {}), "empty": ("", {}), "not_loopback": ("192.168.1.10", {}),
            "loopback_other": ("127.0.0.2", {}), "unspecified": ("0.0.0.0", {"proxy.exposure": "lan"}),
            "mapped": ("::ffff:127.0.0.1", {}), "any_not_loopback": ("127.0.0.2,192.168.1.10", {}),
            "any_mapped": ("::ffff:10.0.0.1", {"proxy.exposure": "lan"}), "not_unicast": ("224.0.0.1", {}),
            "any_not_one_address": ("127.0.0.2,0.0.0.0", {}), "ends_with_dot": ("gw.example.", {})}


def rule_case(rule: dict) -> tuple[dict[str, str], dict[str, str]]:
    """--set texts that break the rule, and the reasons Python gives for them, by key."""
    texts: dict[str, str] = {}
    for key, test, *rest in rule["when"]:
        if test == "is_not":  # any other choice of the key
            texts[key] = next(c for c in FIELDS[key].type.page_data()["choices"] if c != rest[0])
        elif test == "is":
            texts[key] = str(rest[0])
        elif test in ("has_key", "same_as_key"):  # the other key's default value (in a list: with another item)
            other = str(defaults().values[rest[0]])
            texts[key] = f"127.0.0.3,{other}" if test == "has_key" else other
        else:
            texts[key], extra = BREAKING[test]
            texts = {**extra, **texts}
    with pytest.raises(SettingsError) as exc:
        load(None, [f"{k}={v}" for k, v in texts.items()])
    return texts, {key: reason for _, key, reason in exc.value.problems}


@pytest.mark.parametrize("rule", RULE_LIST, ids=[f"{r['key']}:{'+'.join(w[0] for w in r['when'])}" for r in RULE_LIST])
def test_every_rule_between_keys_is_refused_alike_and_in_chinese(core, rule):
    from generator.site.messages_zh import translate

    texts, python = rule_case(rule)
    assert rule["key"] in python, python
    got = core.evaluate("(t) => CORE.parseAll(t).errors || null", texts)
    assert got == python
    for english in got.values():
        zh = translate(english)
        assert HAN.search(zh) and zh == core.evaluate(
            "(m) => window.proxydocsCore.translate(window.PROXYDOCS_DATA.messages_zh, m)", english), (english, zh)
        for quoted in QUOTED.findall(english):
            assert quoted in zh, (quoted, zh)


TOPOLOGY = {"tunnel.forward": ["local", "dynamic"], "proxy.scheme": ["http", "https", "socks5h"],
            "proxy.exposure": ["loopback", "lan"], "proxy.listen": ["127.0.0.1", "192.168.1.10"]}


def test_the_form_settles_the_same_rules_as_python(core):
    """For every combination of the keys the rules read and every key the reader changes:
    the page's companions are Python's rules.companions(form=True), and applying them leaves
    only the refusals the reader must settle (a safety rule is never settled for them)."""
    import itertools

    from generator.model import rules

    keys = list(TOPOLOGY)
    for combo in itertools.product(*TOPOLOGY.values()):
        texts = dict(zip(keys, combo))
        values = {**defaults().values, **texts}
        for changed in keys:
            want = {k: str(v) for k, v in rules.companions(values, changed, form=True).items()}
            assert core.evaluate("([t, c]) => CORE.companionTexts(t, c)", [texts, changed]) == want, (texts, changed)
            settled = {**texts, **want}
            left = {k for _, k, _ in rules.problems({**values, **want}, str)}
            assert left <= {"proxy.listen"}, (texts, changed, want, left)
            assert core.evaluate("(t) => Object.keys(CORE.parseAll(t).errors || {})", settled) == sorted(left)
