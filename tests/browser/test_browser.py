"""The built guide in headless Chromium (Debian's, driven by Playwright, no download):
every included snippet shows exactly the generated file's text, and the copy button yields
exactly that text, with no prompt and no line numbers."""

from __future__ import annotations

import socket

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


# documentation addresses (RFC 5737, RFC 3849), a name, a WebSocket and link-local addresses:
# none may be reached
AWAY = {"http://192.0.2.1/x": "GET http://192.0.2.1/x ", "http://[2001:db8::1]/x": "GET http://[2001:db8::1]/x ",
        "https://github.com/": "CONNECT github.com:443 ", "ws://198.51.100.1/": "CONNECT 198.51.100.1:80 ",
        # link-local: Chromium's own bypass rules would send these direct
        "http://169.254.169.254/x": "GET http://169.254.169.254/x ", "http://[fe80::1]/x": "GET http://[fe80::1]/x "}
REACH = """async (urls) => Promise.all(urls.map((u) => u.startsWith("ws")
    ? new Promise((done) => { const w = new WebSocket(u); w.onopen = () => done("open"); w.onerror = () => done("failed"); })
    : fetch(u, { mode: "no-cors" }).then(() => "open", () => "failed")))"""


def test_nothing_but_the_site_leaves_the_browser(tab, sink):
    """Every request for another host, by name or by address, reaches only the sink on
    loopback, which answers none; the site's own requests go straight to it."""
    page = tab.open("index.html")
    before = len(sink.requests)
    assert page.evaluate(REACH, list(AWAY)) == ["failed"] * len(AWAY)
    seen = sink.requests[before:]
    for url, line in AWAY.items():
        assert any(s.startswith(line) for s in seen), f"{url} did not go to the sink: {seen}"
    assert page.evaluate("fetch(location.href).then((r) => r.status)") == 200
    assert not any(tab.url.split("//", 1)[1] in s for s in sink.requests), "the site went through the sink"


GATHER = """async (stun) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: stun }] });
    const found = [];
    pc.onicecandidate = (e) => { if (e.candidate) found.push(e.candidate.candidate); };
    pc.createDataChannel("x");
    await pc.setLocalDescription(await pc.createOffer());
    const complete = await new Promise((done) => {
        pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === "complete") done(true); };
        setTimeout(() => done(false), 3000);
    });
    pc.close();
    return { found, complete }; }"""


def test_webrtc_sends_no_udp(tab):
    """WebRTC's UDP does not go through an HTTP proxy: the browser gathers no UDP candidate and
    sends nothing to a STUN server (here one on loopback that would answer nothing). A request
    to it goes out as soon as gathering starts, and gathering cannot finish until it is
    answered or times out; loopback has put it in the socket's queue by the time `sendto`
    returns, so it would be waiting there when gathering is complete (which the page must
    see within 3 s, or nothing was shown)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stun:
        stun.bind(("127.0.0.1", 0))
        stun.setblocking(False)
        page = tab.open("index.html")
        gathered = page.evaluate(GATHER, f"stun:127.0.0.1:{stun.getsockname()[1]}")
        try:
            sent = stun.recvfrom(2048)
        except BlockingIOError:
            sent = None
        assert sent is None, f"the browser sent a STUN request: {sent}"
        assert gathered["complete"], "gathering did not finish in 3 s: nothing was proven"
        assert not [c for c in gathered["found"] if " udp " in c.lower()], gathered["found"]
