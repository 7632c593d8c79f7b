"""The built guide in headless Chromium (Debian's, driven by Playwright, no download):
every included snippet shows exactly the generated file's text, and the copy button yields
exactly that text, with no prompt and no line numbers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import IN_CI, ROOT, require
from test_consistency import includes

pytestmark = pytest.mark.browser
PAGES = ["container/colima/colima_proxy", "container/colima/colima_proxy_archive"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(ROOT / "docs", root / "docs")
    for name in ("conf.py", "proxy.toml"):
        shutil.copy(ROOT / name, root / name)
    out = root / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-c", str(root), str(root / "docs"), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    chromium = require("chromium")["chromium"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.mark.parametrize("docname", PAGES)
def test_blocks_show_and_copy_exactly_the_generated_text(site, browser, docname, tmp_path):
    url, root = site
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    # refuse anything that is not this local site: nothing leaves the machine
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort())
    page.goto(f"{url}/{docname}.html")
    blocks = page.locator("div.highlight pre")
    shown = [blocks.nth(i).text_content() for i in range(blocks.count())]
    expected = [(root / "docs" / rel).read_text(encoding="utf-8")
                for rel, _ in includes(root / "docs" / f"{docname}.rst", docname) if not rel.startswith("_generated")]
    remaining = list(shown)
    for text in expected:
        match = next((s for s in remaining if s.rstrip("\n") == text.rstrip("\n")), None)
        assert match is not None, f"no block on the page shows:\n{text!r}\nblocks: {shown[:3]!r}"
        remaining.remove(match)
    # the copy button of each block yields exactly the file's text
    buttons = page.locator("button.copybtn")
    assert buttons.count() == blocks.count()
    copied = []
    for i in range(buttons.count()):
        blocks.nth(i).hover()
        buttons.nth(i).click()
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    for text in expected:
        assert text.rstrip("\n") in [c.rstrip("\n") for c in copied], f"copy button does not yield:\n{text}"
    for c in copied:
        assert not c.lstrip().startswith("$ "), "a prompt was copied"
    page.screenshot(path=str(tmp_path / f"{docname.rsplit('/', 1)[-1]}.png"), full_page=True)
    context.close()
