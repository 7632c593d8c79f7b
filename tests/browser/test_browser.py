"""The built guide in headless Chromium (Debian's, driven by Playwright, no download):
every included snippet shows exactly the generated file's text, and the copy button yields
exactly that text, with no prompt and no line numbers."""

from __future__ import annotations

import pytest

from support import includes

PAGES = ["container/colima/colima_proxy", "container/colima/colima_proxy_archive"]


@pytest.mark.parametrize("docname", PAGES)
def test_blocks_show_and_copy_exactly_the_generated_text(site, tab, docname):
    _, root = site
    page = tab.open(f"{docname}.html")
    for summary in page.locator("details.proxydocs-fold > summary").all():  # the reader opens the folded scripts
        summary.click()
    blocks = page.locator("div.highlight pre")
    shown = blocks.evaluate_all("els => els.map((e) => e.textContent)")
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
        if i == 0:  # the reader's way: the button shows on hover and takes the click
            blocks.nth(i).hover()
            buttons.nth(i).click()
        else:  # the same real mouse click, without waiting for the hover's fade-in each time
            buttons.nth(i).click(force=True)
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    for text in expected:
        assert text.rstrip("\n") in [c.rstrip("\n") for c in copied], f"copy button does not yield:\n{text}"
    for c in copied:
        assert not c.lstrip().startswith("$ "), "a prompt was copied"
