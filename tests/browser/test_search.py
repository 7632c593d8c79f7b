"""The site's own search page, in Chromium, finds for each query every page whose text holds
all of the query's words: Chinese words, Chinese run together with Latin (as people type
it), identifiers and file names. The index is Sphinx's own (tests/site/test_search_nav.py);
what makes the run-together queries work is the page's query splitter."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

QUERIES = ["代理", "隧道", "镜像", "colima代理", "colima 代理", "虚拟机", "NO_PROXY", "no_proxy", "squid",
           "privoxy", "apt", "systemd", "拉取", "构建", "构建镜像", "端口", "环境变量", "代理服务器", "配置文件",
           "故障排查", "用户名 密码", "退出码", "错误信息", "docker 代理", "containerd", "ssh隧道", "重新生成",
           "colima.yaml", "http_proxy", "片段", "客户端", "守护进程", "SOCKS", "回环地址"]

# each page's own text, as the index holds it (a toctree only lists titles): every page,
# fetched and parsed by the browser in one go
PAGE_TEXTS = """async (docnames) => Object.fromEntries(await Promise.all(docnames.map(async (doc) => {
    const html = await (await fetch(`${doc}.html`)).text();
    const m = new DOMParser().parseFromString(html, "text/html").querySelector('[role=main]');
    m.querySelectorAll('.toctree-wrapper').forEach((e) => e.remove());
    return [doc, m.textContent.toLowerCase()];
})))"""

# the search page's own entry point (what it runs for ?q= on load), on the loaded page
SEARCH = """(query) => { document.getElementById('search-results').replaceChildren();
    document.querySelectorAll('input[name="q"]').forEach((el) => (el.value = query));
    Search.performSearch(query); }"""


@pytest.fixture(scope="module")
def searching(site, browser):
    url, _ = site
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/searchindex.js")
    raw = page.evaluate("document.body.innerText")
    docnames = json.loads(raw[raw.index("(") + 1:raw.rindex(")")])["docnames"]
    page.goto(f"{url}/index.html")
    texts = page.evaluate(PAGE_TEXTS, docnames)
    assert set(texts) == set(docnames)
    errors.clear()
    yield url, page, texts, errors
    context.close()


@pytest.fixture(scope="module")
def search_page(searching):
    """The search page, loaded by the first query as `?q=` (as from the search box of any page)."""
    loaded: list[bool] = []

    def found_by(query: str) -> set[str]:
        url, page, _, _ = searching
        if not loaded:
            loaded.append(True)
            page.goto(f"{url}/search.html?q={quote(query)}")
        else:  # the same entry point on the loaded search page, without fetching the index again
            page.evaluate(SEARCH, query)
        page.wait_for_function("() => { const s = document.querySelector('#search-results .search-summary');"
                               " return s && s.innerText.trim().length > 0; }", timeout=10000)
        page.wait_for_function("() => !document.querySelector('#search-progress')"
                               " || document.querySelector('#search-progress').innerText === ''", timeout=10000)
        hrefs = page.eval_on_selector_all("#search-results ul.search li > a",
                                          "els => els.map((a) => a.getAttribute('href'))")
        return {h.split("?")[0].split("#")[0].removesuffix(".html") for h in hrefs}

    return found_by


def test_the_query_list_is_long_enough_and_each_query_has_pages(searching):
    _, _, texts, _ = searching
    assert len(QUERIES) >= 20
    empty = [q for q in QUERIES if not any(all(w in t for w in q.lower().split()) for t in texts.values())]
    assert empty == [], "queries no page contains: the list no longer tests anything for them"


@pytest.mark.parametrize("query", QUERIES)
def test_the_search_page_finds_every_page_that_holds_the_query(searching, search_page, query):
    _, _, texts, errors = searching
    expected = {doc for doc, text in texts.items() if all(w in text for w in query.lower().split())}
    found = search_page(query)
    assert expected <= found, f"{query!r} misses {sorted(expected - found)}"
    assert errors == []
