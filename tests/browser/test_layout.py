"""The pages at a desktop width and on a phone, measured in Chromium: every table fits its
column (cells wrap, long literals break), the form's labels stack above their inputs on a
phone, and a code block leaves room for its copy button at the end of its lines."""

from __future__ import annotations

import pytest

PAGES = ["reference/settings", "reference/errors", "reference/snippets", "reference/bench",
         "container/colima/colima_proxy", "container/colima/colima_proxy_archive"]
WIDTHS = {"desktop": 1280, "phone": 390}

TABLES = """() => [...document.querySelectorAll('.rst-content table.docutils')].map((t) => {
    const box = t.closest('.wy-table-responsive') || t.parentElement;
    return {width: Math.ceil(t.getBoundingClientRect().width), room: box.clientWidth,
            text: t.innerText.slice(0, 60)};
})"""


@pytest.fixture(scope="module")
def opened(browser, site):
    """opened(width, docname) -> the page at that width, in one tab of this module's own (a
    new tab costs a renderer process); a page is loaded again only when the width or the
    page changes, since no test here changes it."""
    url, _ = site
    context = browser.new_context()
    page = context.new_page()
    showing: list[tuple[str, str]] = []

    def get(width: str, docname: str):
        if showing != [(width, docname)]:
            page.set_viewport_size({"width": WIDTHS[width], "height": 900})
            page.goto(f"{url}/{docname}.html")
            showing[:] = [(width, docname)]
        return page

    yield get
    context.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized(request, opened):
    return lambda docname: opened(request.param, docname), request.param


@pytest.mark.parametrize("docname", PAGES)
def test_every_table_fits_its_column(sized, docname):
    at, width = sized
    page = at(docname)
    tables = page.evaluate(TABLES)
    if docname.startswith("reference/") or docname.endswith("colima_proxy"):
        assert tables, f"{docname} has no table to measure"
    for t in tables:
        assert t["width"] <= t["room"] + 1, f"{docname} at {width}: a table {t['width']} px wide in {t['room']} px: {t['text']!r}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{docname} at {width}: the page scrolls sideways by {overflow} px"


def test_the_form_stacks_on_a_phone(sized):
    at, width = sized
    page = at("container/colima/colima_proxy")
    fields = page.evaluate("""() => [...document.querySelectorAll('.proxydocs-field')].map((f) => {
        const l = f.querySelector('label').getBoundingClientRect(), i = f.querySelector('input, select').getBoundingClientRect();
        return {labelBottom: l.bottom, inputTop: i.top, labelRight: l.right, inputLeft: i.left};
    })""")
    assert len(fields) >= 10
    for f in fields:
        if width == "phone":
            assert f["labelBottom"] <= f["inputTop"] + 1, f
        else:
            assert f["labelRight"] <= f["inputLeft"] + 1, f


def test_code_blocks_leave_room_for_the_copy_button(sized):
    at, _ = sized
    page = at("container/colima/colima_proxy")
    blocks = page.evaluate("""() => [...document.querySelectorAll('div.highlight')].map((d) => {
        const pre = d.querySelector('pre'), button = d.querySelector('button.copybtn');
        return {padding: parseFloat(getComputedStyle(pre).paddingRight),
                button: button ? button.getBoundingClientRect().width : 0};
    })""")
    assert blocks and all(b["button"] > 0 for b in blocks)
    for b in blocks:
        assert b["padding"] >= b["button"], b
