"""The reader's settings form, in Debian's Chromium: the page renders exactly the bytes that
`proxydocs render --set ...` writes, refuses what the CLI refuses with the same message,
remembers, shares and resets, and without JavaScript shows the defaults."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings as hsettings

from generator import api
from generator.site import pagedata as browser_data
from generator.site.messages_zh import translate
from generator.errors import SettingsError
from generator.model.settings import FIELDS, defaults, load, parse_overrides
from support.hostile import any_text

PAGES = ["container/colima/colima_proxy", "container/colima/colima_proxy_archive"]
# the form's own behaviour (refusals, storage, links) is one script and one data file on both
# pages: it is tested on the lighter page, which Chromium loads in half the time of the guide
FORM = PAGES[1]
EXAMPLES = int(os.environ.get("PROXYDOCS_EXAMPLES", "25"))

# At least ten settings sets a reader might type, with the edge cases of the derivation.
SETS = [
    {"proxy.port": "8118", "tunnel.hostname": "proxy.example.org"},
    {"proxy.exposure": "lan", "proxy.listen": "fd00::5", "vm.host_address": "fd00::2"},  # IPv6, not rewritten
    {"proxy.listen": "192.168.1.10", "proxy.exposure": "lan"},  # not loopback: Lima passes it through unchanged
    {"tunnel.forward": "dynamic"},  # the SOCKS topology: the form sets proxy.scheme = socks5h with it
    {"proxy.no_proxy": "localhost,10.1.2.3/8,*.corp.example,.internal,::1,0:0::1/128"},  # CIDRs normalised
    {"tunnel.alias": "work_proxy.v2", "tunnel.user": "deploy.bot", "tunnel.ssh_port": "2222",
     "tunnel.identity_file": "~/.ssh/proxy+work@host:1/id_ed25519"},
    {"tunnel.hostname": "2001:DB8::1"},  # an IPv6 server, normalised to lower case
    {"tunnel.hostname": "<MY_SERVER>"},  # a placeholder, as published docs use
    {"proxy.port": "65535", "tunnel.remote_port": "1"},
    {"tunnel.forward": "dynamic", "proxy.port": "1080", "tunnel.bridge_port": "8119"},  # SOCKS, own ports
    {"vm.host_address": "host.lima.internal"},
    {"proxy.no_proxy": "*"},
    {"vm.host_address": "::ffff:10.0.2.2"},  # IPv4-mapped: written the same way by Python 3.11 and 3.13
    {"proxy.port": " 3129 ", "tunnel.hostname": "xn--80ak6aa92e.com."},  # spaces around an integer; a root dot
]


def python_render(texts: dict[str, str]) -> dict[str, str]:
    """What the CLI writes for these --set values, with the partner a rule asks for (the form
    brings it along when the reader switches the topology, as rules.companions says)."""
    from generator.model import rules

    texts = dict(texts)
    for path in list(texts):  # in the order the reader types them, as the page does
        values = {**defaults().values, **{k: FIELDS[k].type.parse_text(v) for k, v in texts.items()}}
        texts.update({k: str(v) for k, v in rules.companions(values, path, form=True).items()})
    return api.render_text(load(None, [f"{k}={v}" for k, v in texts.items()]))


def python_values(rendered: dict[str, str]) -> dict[str, str]:
    import re
    return dict(re.findall(r"^\.\. \|(\w+)\| replace:: ``(.*)``$", rendered[browser_data.SUBSTITUTIONS], re.M))


def page_state(page) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(snippet output, text shown) for every personalisable block, (name, text) for values."""
    return page.evaluate("""() => {
        const data = window.PROXYDOCS_DATA;
        const blocks = [...document.querySelectorAll("div[class*='pd-snippet-']")].map((el) => {
            const id = [...el.classList].find((c) => c.startsWith("pd-snippet-")).slice(11);
            return [data.snippets[id].output, el.querySelector("pre").textContent];
        });
        const values = [...document.querySelectorAll("code[class*='pd-value-']")].map((el) =>
            [[...el.classList].find((c) => c.startsWith("pd-value-")).slice(9), el.textContent]);
        return [blocks, values];
    }""")


def fill(page, texts: dict[str, str]) -> None:
    page.click("button.proxydocs-reset")
    for path, text in texts.items():
        if page.locator(f"select[name='{path}']").count():
            page.select_option(f"select[name='{path}']", text)
        else:
            page.fill(f"input[name='{path}']", text)


def assert_page_matches(page, texts):
    expected = python_render(texts)
    values = python_values(expected)
    blocks, shown_values = page_state(page)
    assert len(blocks) >= 10
    for output, shown in blocks:
        assert shown.rstrip("\n") == expected[output].rstrip("\n"), f"{output} with {texts}"
    assert shown_values
    for name, shown in shown_values:
        assert shown == values[name], f"|{name}| with {texts}"


@pytest.mark.parametrize("docname", PAGES)
def test_the_form_renders_what_the_cli_writes(tab, docname):
    page, errors = tab.open(f"{docname}.html"), tab.errors
    assert page.locator("#proxydocs-form").is_visible()
    for texts in SETS:
        fill(page, texts)
        assert_page_matches(page, texts)
    assert errors == []


def test_copying_the_personalised_config_json(tab):
    """The issue's reader: types a new port and host, copies config.json, gets the CLI's bytes."""
    page = tab.open(f"{PAGES[0]}.html")
    texts = {"proxy.port": "8118", "proxy.listen": "127.0.0.1", "vm.host_address": "192.168.106.1",
             "tunnel.hostname": "proxy.example.org"}
    fill(page, texts)
    output = "container/colima/colima_proxy/config.json"
    ident = browser_data.snippet_ids()[output]
    block = page.locator(f"div.pd-snippet-{ident}")
    block.hover()
    block.locator("xpath=..").locator("button.copybtn").first.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.rstrip("\n") == python_render(texts)[output].rstrip("\n")
    assert "192.168.106.1:8118" in copied


def test_invalid_values_are_refused_with_the_cli_message_in_chinese(tab):
    page = tab.open(f"{FORM}.html")
    good = {"proxy.port": "8118"}
    fill(page, good)
    for path, text in [("proxy.port", "70000"), ("tunnel.hostname", "a;ProxyCommand=id"), ("tunnel.user", "root`id`"),
                       ("proxy.no_proxy", "a,,b"), ("tunnel.alias", "My Proxy"), ("vm.host_address", "<HOST>"),
                       ("proxy.listen", "localhost"), ("tunnel.identity_file", "~/my key")]:
        page.fill(f"input[name='{path}']", text)
        _, problems = parse_overrides([f"{path}={text}"])
        assert problems, text
        shown = page.locator(f".proxydocs-error[data-for='{path}']").text_content()
        assert shown == f"{path}: {translate(problems[0][2])}" and shown != f"{path}: {problems[0][2]}"
        assert page.locator(f"input[name='{path}']").get_attribute("aria-invalid") == "true"
        assert_page_matches(page, good)  # the snippets keep their last valid state
        page.fill(f"input[name='{path}']", good.get(path, page.evaluate(f"PROXYDOCS_DATA.texts['{path}']")))


def stored(page):
    return page.evaluate("localStorage.getItem('proxydocs.settings')")


def test_remembered_shared_and_reset(tab):
    url = tab.url
    texts = SETS[1]
    page = tab.open(f"{PAGES[0]}.html")
    fill(page, texts)
    share = page.locator("a.proxydocs-share").get_attribute("href")
    assert "proxy.listen=fd00%3A%3A5" in share
    page.reload()  # localStorage keeps it in this browser
    assert_page_matches(page, texts)
    page.goto(f"{url}/{PAGES[1]}.html")  # and on the other article
    assert_page_matches(page, texts)
    page.click("button.proxydocs-reset")
    assert_page_matches(page, {})
    assert stored(page) is None

    # a new reader (nothing stored) follows the shared link
    page = tab.open(f"{PAGES[0]}.html?{share.split('?', 1)[1]}")
    assert_page_matches(page, texts)


BLOCKS_HTML = """() => [...document.querySelectorAll("div[class*='pd-snippet-'] pre, code[class*='pd-value-']")]
    .map((el) => el.innerHTML)"""


def test_the_defaults_again_give_back_the_pages_own_highlighted_blocks(tab):
    """Typing the defaults back, or the reset, shows the blocks exactly as Sphinx wrote them
    (highlighted), not a plain text of the same letters."""
    page = tab.open(f"{PAGES[0]}.html")
    own = page.evaluate(BLOCKS_HTML)
    assert sum('<span class="' in html for html in own) >= 10
    texts = SETS[0]
    fill(page, texts)
    assert page.evaluate(BLOCKS_HTML) != own
    for path in texts:
        page.fill(f"input[name='{path}']", page.evaluate(f"PROXYDOCS_DATA.texts['{path}']"))
    assert page.evaluate(BLOCKS_HTML) == own
    fill(page, texts)
    page.click("button.proxydocs-reset")
    assert page.evaluate(BLOCKS_HTML) == own and tab.errors == []


def test_a_shared_link_never_replaces_what_the_reader_saved(tab):
    url = tab.url
    mine = {"proxy.port": "8118", "tunnel.hostname": "mine.example.org"}
    page = tab.open(f"{FORM}.html")
    fill(page, mine)
    saved = stored(page)
    assert saved and "mine.example.org" in saved
    # someone sends a link with another proxy host: it shows, but is not saved
    page.goto(f"{url}/{FORM}.html?tunnel.hostname=proxy.attacker.example")
    assert_page_matches(page, {"tunnel.hostname": "proxy.attacker.example"})
    assert page.locator(".proxydocs-link").is_visible() and stored(page) == saved
    page.fill("input[name='proxy.port']", "9999")  # editing in link mode still saves nothing
    assert stored(page) == saved
    page.goto(f"{url}/{FORM}.html")  # a plain visit: the reader's own settings again
    assert_page_matches(page, mine)
    assert not page.locator(".proxydocs-link").is_visible()
    # the reader may choose their own settings over the link's, or keep the link's
    page.goto(f"{url}/{FORM}.html?tunnel.hostname=proxy.other.example")
    page.click("button.proxydocs-mine")
    assert_page_matches(page, mine)
    assert stored(page) == saved
    page.goto(f"{url}/{FORM}.html?tunnel.hostname=proxy.other.example")
    page.click("button.proxydocs-keep")
    assert "proxy.other.example" in stored(page) and not page.locator(".proxydocs-link").is_visible()


@pytest.mark.parametrize("raw", ["null", "[1]", '"x"', "not json", '{"proxy.port": 5}', "42"])
def test_bad_stored_data_is_ignored_with_a_message(tab, raw):
    page, errors = tab.open(f"{FORM}.html", stored=raw), tab.errors
    assert page.locator("#proxydocs-form").is_visible()
    assert page.locator(".proxydocs-stored-problem").is_visible()
    assert_page_matches(page, {})
    assert errors == []
    fill(page, {"proxy.port": "8118"})  # and the form works
    assert_page_matches(page, {"proxy.port": "8118"})


def test_without_javascript_the_page_shows_the_defaults(tab):
    """The shared tab with script execution off (what a context without JavaScript does in
    Chromium, without a renderer process of its own)."""
    page = tab.fresh()
    cdp = tab.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.goto(f"{tab.url}/{PAGES[0]}.html")
        assert page.evaluate("1 + 1") == 2  # Playwright's own evaluation still runs
        assert not page.locator("#proxydocs-form").is_visible()
        assert page.locator("html").get_attribute("data-proxydocs") is None  # page.js never ran
        expected = python_render({})
        for output, shown in page_state_static(page):
            assert shown.rstrip("\n") == expected[output].rstrip("\n")
    finally:
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
        cdp.detach()


def page_state_static(page):
    ids = {v: k for k, v in browser_data.snippet_ids().items()}
    out = []
    for el in page.locator("div[class*='pd-snippet-']").all():
        ident = next(c for c in el.get_attribute("class").split() if c.startswith("pd-snippet-"))[11:]
        out.append((ids[ident], el.locator("pre").text_content()))
    assert len(out) >= 10
    return out


def test_the_data_file_is_the_same_bytes_in_every_process():
    """Sphinx rebuilds and browsers re-fetch on a change: two processes with different hash
    seeds must write the same data file (no set or dict order may leak into it)."""
    code = "import sys; from generator.site import pagedata; from generator.model import settings; sys.stdout.write(pagedata.data_js(settings.defaults()))"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
    assert "proxy.user" in outputs.pop()  # the schema is there; its value is the default ""


def test_the_topology_switch_brings_its_partner_and_the_safety_rule_waits_for_the_reader(tab):
    page, errors = tab.open(f"{FORM}.html"), tab.errors
    scheme = page.locator("select[name='proxy.scheme']")
    fill(page, {"tunnel.forward": "dynamic"})
    assert scheme.input_value() == "socks5h"
    assert_page_matches(page, {"tunnel.forward": "dynamic", "proxy.scheme": "socks5h"})
    page.select_option("select[name='tunnel.forward']", "local")
    assert scheme.input_value() == "http"
    page.select_option("select[name='proxy.scheme']", "socks5h")  # and the other way round
    assert page.locator("select[name='tunnel.forward']").input_value() == "dynamic"
    # a LAN address is refused, in Chinese, until the reader chooses lan exposure themselves
    fill(page, {"proxy.listen": "192.168.1.10"})
    shown = page.locator(".proxydocs-error[data-for='proxy.listen']").text_content()
    assert "不是回环地址" in shown and page.locator("select[name='proxy.exposure']").input_value() == "loopback"
    assert_page_matches(page, {})
    page.select_option("select[name='proxy.exposure']", "lan")
    assert page.locator(".proxydocs-error[data-for='proxy.listen']").text_content() == ""
    assert_page_matches(page, {"proxy.listen": "192.168.1.10", "proxy.exposure": "lan"})
    assert errors == []


def test_a_links_odd_values_are_shown_refused_and_named(tab):
    """A link (or an old version's keys) with a value that is no choice, and with settings the form
    does not have: the drop-down shows the value and refuses it in the CLI's words, in Chinese;
    the other keys are named as ignored (Sphinx's ?highlight= is not a setting)."""
    long_key = "colima." + "x" * 300  # a mistyped key, as long as a pasted line
    page = tab.fresh()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{tab.url}/{PAGES[0]}.html?proxy.scheme=ftp&colima.cpus=4"
              f"&proxy.user=bob&highlight=squid&constructor=1&{long_key}=1")
    errors = tab.errors
    scheme = page.locator("select[name='proxy.scheme']")
    assert scheme.input_value() == "ftp"
    assert scheme.get_attribute("aria-invalid") == "true"
    assert page.locator(".proxydocs-link").is_visible()  # the way back to the reader's own settings stays
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with pytest.raises(SettingsError) as exc:
        load(None, ["proxy.scheme=ftp"])
    english = str(exc.value).split("proxy.scheme: ", 1)[1]
    assert page.locator(".proxydocs-error[data-for='proxy.scheme']").text_content() == f"proxy.scheme: {translate(english)}"
    notice = page.locator(".proxydocs-ignored")
    assert notice.is_visible()
    assert "colima.cpus、proxy.user" in notice.text_content() and "highlight" not in notice.text_content()
    assert "constructor" not in notice.text_content()
    assert_page_matches(page, {})  # nothing applied while a value is refused
    page.select_option("select[name='proxy.scheme']", "https")
    assert page.locator(".proxydocs-error[data-for='proxy.scheme']").text_content() == ""
    assert_page_matches(page, {"proxy.scheme": "https"})
    page.click("button.proxydocs-reset")  # the odd choice is gone with the reset
    assert scheme.locator("option[data-foreign]").count() == 0
    assert errors == []


def test_the_setup_scripts_are_folded_and_their_downloads_follow_the_form(site, tab):
    """The two long scripts are collapsed until opened; each download link gives the committed
    file, and after the reader types their settings, the personalised bytes the CLI writes."""
    _, root = site
    page, errors = tab.open(f"{PAGES[0]}.html"), tab.errors
    folds = page.locator("details.proxydocs-fold")
    assert folds.count() == 2
    fetch = "(href) => fetch(href).then((r) => r.text())"
    for i, name in enumerate(["setup_mac.sh", "setup_vm.sh"]):
        assert folds.nth(i).get_attribute("open") is None
        assert not folds.nth(i).locator("pre").is_visible()
        link = page.locator(f"a.download[href$='/{name}']")
        committed = (root / "docs" / PAGES[0] / name).read_text(encoding="utf-8")
        assert page.evaluate(fetch, link.get_attribute("href")) == committed
    texts = {"proxy.port": "8118", "tunnel.hostname": "proxy.example.org"}
    fill(page, texts)
    expected = python_render(texts)
    for name in ["setup_mac.sh", "setup_vm.sh"]:
        link = page.locator(f"a.download:has-text('{name}')")
        href = link.get_attribute("href")
        assert href.startswith("blob:") and link.get_attribute("download") == name
        got = page.evaluate(fetch, href)
        assert got == expected[f"{PAGES[0]}/{name}"] and got != (root / "docs" / PAGES[0] / name).read_text()
    page.click("button.proxydocs-reset")
    assert not page.locator("a.download:has-text('setup_mac.sh')").get_attribute("href").startswith("blob:")
    assert errors == []


def test_object_built_ins_in_a_link_are_no_settings(tab):
    page = tab.open(f"{FORM}.html?constructor=1&__proto__=x&toString=")
    assert page.locator(".proxydocs-link").is_hidden()  # the reader's saved settings stay in charge
    assert page.locator("#proxydocs-form").is_visible() and tab.errors == []
