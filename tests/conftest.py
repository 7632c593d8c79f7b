"""Fixtures shared by the tiers (helpers are in tests/support): one build of the site copy
and one Chromium per session, for every module that needs them, and the summary of the
hypothesis examples per field."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import tempfile
import threading
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import STEP_TIMEOUT, copy_site, require, require_module, sphinx_build

# filled by the property tier, printed at the end of the run
HYPOTHESIS_COUNTS: dict[str, Counter] = {}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def counts() -> dict[str, Counter]:
    return HYPOTHESIS_COUNTS


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> tuple[Path, Path]:
    """(project copy, its html) built once per run, with the default settings, for every
    reader of the built pages (who only read it): under `pytest -n`, the first worker to ask
    builds it and the others wait for it. Tests that change settings build a copy of their own."""
    shared = tmp_path_factory.getbasetemp()  # this run's own folder; under -n, a worker's, in the run's
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    with open(shared / "built-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        root = shared / "built-site"
        out = root / "html"
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)
            copy_site(root)
            proc = sphinx_build(root, out)
            assert proc.returncode == 0, proc.stderr
            (root / "built").touch()
    return root, out


@pytest.fixture(scope="session")
def site(built_site):
    """The built site served on loopback: (base URL, project copy)."""
    root, out = built_site

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


class Sink:
    """The browser's only proxy: a loopback port that reads the first line of every request
    for a host other than loopback ("GET http://192.0.2.1/ HTTP/1.1", "CONNECT host:443 ...")
    and closes the connection without an answer. Chromium sends loopback requests directly
    (the bypass list below) and everything else here, host names unresolved; WebRTC may use no
    UDP at all. No packet leaves loopback and no name is looked up, for WebSockets and link
    prefetches too.
    Request interception (page.route) caught only the page's own requests and turned off the
    browser's cache, which doubled the CPU of a page load."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:  # closed at the end of the session
                return
            with conn:
                conn.settimeout(STEP_TIMEOUT)
                try:
                    self.requests.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    pass

    def close(self):
        self.server.close()


@pytest.fixture(scope="session")
def sink():
    s = Sink()
    yield s
    s.close()


@pytest.fixture(scope="session")
def browser(sink):
    """One headless Debian Chromium (Playwright, no download) for the whole session, whose
    only way out is the sink. (Playwright's own `proxy` option edits the bypass list
    by rules of its own version; the switches are given as they are.)"""
    chromium = require("chromium")["chromium"]
    require_module("playwright", "pip install -e '.[test]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium,
                              args=[*CHROMIUM_ARGS, f"--proxy-server=http://127.0.0.1:{sink.port}",
                                    # Chromium's implicit bypass rules send link-local addresses
                                    # (169.254/16, fe80::/10) direct too: loopback alone
                                    "--proxy-bypass-list=<-loopback>;127.0.0.0/8;[::1]",
                                    # WebRTC's UDP does not go through an HTTP proxy: none at all
                                    # (Chrome's own switch; the --force-... one is Content Shell's)
                                    "--webrtc-ip-handling-policy=disable_non_proxied_udp"])
        yield b
        b.close()


class Tab:
    """One browser tab on the served site, shared by the tests that need a page of it: a new
    tab (or context) costs a renderer process, ~1.4 s of CPU, where a page load in an open tab
    costs ~0.3 s. A test starts with `open()` or `fresh()`, which give it back as a new reader
    would find it; before that the tab refuses to be used."""

    VIEWPORT = {"width": 1280, "height": 720}  # Playwright's default
    NOT_FOUND = "proxydocs-no-such-page"  # the server's own "not found" page: the origin, no script

    def __init__(self, url: str, context, page):
        self.url, self.context, self._page = url, context, page
        self.started = False
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @property
    def page(self):
        assert self.started, "start the test with tab.open() or tab.fresh()"
        return self._page

    def fresh(self, stored: str | None = None):
        """Nothing stored (or `stored` as the reader's saved settings), nothing copied, the
        default size, no errors seen. Done on the page the tab shows when that is one of the
        site's (the storage is the origin's, and no page of the site writes it on leaving), or
        else on the server's "not found" page."""
        page = self._page
        if not page.url.startswith(f"{self.url}/"):
            page.goto(f"{self.url}/{self.NOT_FOUND}")
        page.set_viewport_size(self.VIEWPORT)
        page.evaluate("""(stored) => { localStorage.clear(); sessionStorage.clear();
            if (stored !== null) localStorage.setItem('proxydocs.settings', stored);
            return navigator.clipboard.writeText(''); }""", stored)
        self.errors.clear()
        self.started = True
        return page

    def open(self, path: str, stored: str | None = None):
        """A new reader's visit to PATH (relative to the site, with its query)."""
        page = self.fresh(stored)
        page.goto(f"{self.url}/{path}")
        return page


@pytest.fixture(scope="session")
def shared_tab(browser, site):
    url, _ = site
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    yield Tab(url, context, context.new_page())
    context.close()


@pytest.fixture
def tab(shared_tab) -> Tab:
    shared_tab.started = False
    yield shared_tab
    shared_tab.started = False


SCRATCH = Path("/dev/shm")
SCRATCH_FREE = 2 << 30  # bytes: a run's temporary files take a few hundred MB


def pytest_configure(config):
    _scratch_in_memory(config)
    _keep_compiled_modules()


def _scratch_in_memory(config) -> None:
    """Temporary files in memory when the machine has room there and TMPDIR says nothing: the
    tests write and delete thousands of small trees (renders, site copies, interrupted renders),
    and on a journalling disk that costs a third of the suite's time. fsync is then a no-op,
    which no test depends on (a kill -9 loses nothing that reached the page cache). The VM
    tier keeps its disk images on disk (/var/tmp). Workers inherit the choice."""
    if os.environ.get("TMPDIR") or config.option.basetemp:
        return
    try:
        st = os.statvfs(SCRATCH)
    except OSError:
        return
    if st.f_bavail * st.f_frsize >= SCRATCH_FREE and os.access(SCRATCH, os.W_OK | os.X_OK):
        os.environ["TMPDIR"] = str(SCRATCH)
        tempfile.tempdir = None  # computed again from TMPDIR


def _keep_compiled_modules() -> None:
    """Compiled modules are kept (in __pycache__ folders, which git ignores) even when
    PYTHONDONTWRITEBYTECODE is set: the tests start Python some hundreds of times (the CLI,
    Sphinx, the drivers), and each start would compile the project's modules again, and each
    worker its test modules (pytest keeps their rewritten asserts only when caching is on).
    That was a twentieth of the suite's CPU time. Workers and the programs the tests start
    inherit it; a test that counts a program's renames sets the variable again for it."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# each tier's folder is its marker, so `-m "not browser"` and the like select tiers
TIER_MARKERS = {"property", "validators", "site", "e2e", "browser", "vm"}


# tiers whose modules keep one world (servers, a tunnel, a VM) for all their tests, in order:
# under `pytest -n` (make test) each such module runs whole, in order, on one worker, except
# the modules whose tests share nothing (SHARE_NOTHING), which spread over the workers
ONE_WORKER_PER_MODULE = {"e2e", "vm"}
SHARE_NOTHING = {"test_interrupt.py", "test_lima.py"}
# modules of other tiers whose module-scoped fixture costs more than their tests: run whole on
# one worker too, so that it is made once (an installed wheel, the page's JS core, the search
# page, the layout tab)
MADE_ONCE = {"test_install.py", "test_jscore.py", "test_search.py", "test_layout.py"}


# the order `pytest -n` hands out single tests in (after the whole-module units, largest
# first): the long ones (Sphinx builds, the documentation's doctests, the bench's smoke run)
# and the ones that wait on a lock's timeout first, and the many short unit tests last, so
# that no worker ends the run alone with a long one or idles while the other works
FIRST = ("docs/", "tests/site/", "tests/unit/test_bench_smoke.py", "tests/unit/test_safety.py::test_a_waiting_render")
LAST = ("tests/unit/",)


def _rank(item) -> int:
    rel = item.nodeid  # relative to the rootdir, whatever path pytest was given
    return 0 if rel.startswith(FIRST) else 2 if rel.startswith(LAST) else 1


def pytest_collection_modifyitems(items):
    for item in items:
        tier = Path(str(item.path)).parent.name
        if tier in TIER_MARKERS:
            item.add_marker(tier)
    items.sort(key=_rank)  # stable: a module's tests keep their order


def pytest_xdist_make_scheduler(config, log):
    """Every other test is its own unit of work; a world's module is one unit. (xdist's own
    `xdist_group` marks do nothing under pytest 9.1+, which ignores the node ids xdist rewrites.)
    xdist sends the largest units first, so the VM and the e2e worlds start at once."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerPerWorld(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            path = Path(module)
            whole = (path.parent.name in ONE_WORKER_PER_MODULE and path.name not in SHARE_NOTHING) or path.name in MADE_ONCE
            return module if whole else nodeid

    return OneWorkerPerWorld(config, log)


def pytest_terminal_summary(terminalreporter):
    """How many hypothesis examples each field saw (tests/property)."""
    if not HYPOTHESIS_COUNTS:
        return
    terminalreporter.section("hostile input: hypothesis examples")
    total = Counter()
    for key, c in HYPOTHESIS_COUNTS.items():
        terminalreporter.write_line(f"{key:28} refused {c['refused']:4}  read back {c['accepted']:4}")
        total.update(c)
    terminalreporter.write_line(f"{'total':28} refused {total['refused']:4}  read back {total['accepted']:4}")
