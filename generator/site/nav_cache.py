"""Render the theme's global navigation once per group of sibling pages, not once per page
(`proxydocs_nav_cache = False` in conf.py turns it off; the output is the same either way).

sphinx_rtd_theme calls ``toctree(...)`` on every page; Sphinx resolves and renders the whole
global toctree each time (deep copies of every entry, a relative URI per link, a docutils
render), so a page with N siblings costs O(N) and a build O(N^2): at 1,000 pages in one
toctree the navigation is most of the build.

Siblings that are leaves of the navigation (no sub-toctree, and no sections shown under
their entry) get the same navigation except for their own entry, which is marked current.
So per group -- same toctree ancestors, same output folder, same toctree() arguments -- the
navigation Sphinx renders for the first page is kept with that page's entry turned back into
a plain link, and every other page of the group gets a copy with its own entry marked
current: a string replacement instead of a resolve and render. Any page that is not such a
leaf, or whose entry cannot be found exactly once, falls back to Sphinx's own rendering, and
so does any group whose first navigation has an unexpected shape.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)

_CURRENT = re.compile(r'<li class="([^"]*) current"><a class="current reference internal" href="#">(.*?)</a></li>',
                      re.S)
_NO_GROUP = object()


def _state(app: Sphinx) -> dict:
    """Per build (the builder lives as long as one build) and per process (-j forks)."""
    state = app.builder.__dict__.get("_pd_nav_state")
    if state is None:
        parents: dict[str, set[str]] = {}
        for parent, children in app.env.toctree_includes.items():
            for child in children:
                parents.setdefault(child, set()).add(parent)
        state = app.builder.__dict__["_pd_nav_state"] = {"parents": parents, "groups": {}, "hits": 0, "misses": 0}
    return state


def _ancestors(parents: dict[str, set[str]], docname: str) -> tuple[str, ...] | None:
    """The chain of toctree parents up to the root; None when a page has several parents."""
    chain: list[str] = []
    doc = docname
    while doc in parents:
        up = parents[doc]
        if len(up) != 1:
            return None
        (doc,) = up
        if doc in chain or doc == docname:
            return None
        chain.append(doc)
    return tuple(chain)


def _is_leaf(app: Sphinx, docname: str, level: int, kwargs: dict) -> bool:
    """No sub-toctree, and no section entries would be shown under the page's own entry."""
    if app.env.toctree_includes.get(docname):
        return False
    if kwargs.get("titles_only"):
        return True
    maxdepth = int(kwargs.get("maxdepth") or 0)
    if 0 < maxdepth <= level:
        return True
    toc = app.env.tocs.get(docname)
    return toc is None or not any(True for n in toc.findall(nodes.bullet_list) if n is not toc)


def _sibling_uri(builder, pagename: str) -> str:
    """The link to *pagename* as written on a page in the same folder."""
    sibling = posixpath.join(posixpath.dirname(pagename), "\x00sibling")
    return relative_uri(builder.get_target_uri(sibling), builder.get_target_uri(pagename))


def _nav(app: Sphinx, pagename: str, original, **kwargs: Any) -> str:
    state = _state(app)
    chain = _ancestors(state["parents"], pagename)
    if chain is None or not chain or not _is_leaf(app, pagename, len(chain), kwargs):
        return original(**kwargs)
    key = (chain, posixpath.dirname(pagename), tuple(sorted(kwargs.items())))
    group = state["groups"].get(key)
    builder = app.builder
    if group is None:
        html = original(**kwargs)
        state["misses"] += 1
        found = _CURRENT.findall(html)
        if len(found) != 1 or html.count('href="#') != 1:
            state["groups"][key] = _NO_GROUP
            return html
        cls, title = found[0]
        own = _sibling_uri(builder, pagename)
        plain = f'<li class="{cls}"><a class="reference internal" href="{own}">{title}</a></li>'
        state["groups"][key] = _CURRENT.sub(lambda m: plain, html)
        return html
    if group is _NO_GROUP:
        return original(**kwargs)
    own = _sibling_uri(builder, pagename)
    href = f'href="{own}'
    entry = re.compile(r'<li class="([^"]*)"><a class="reference internal" ' + re.escape(f'href="{own}"')
                       + r">(.*?)</a></li>", re.S)
    found = entry.findall(group)
    if len(found) != 1 or group.count(href) != 1:
        return original(**kwargs)
    state["hits"] += 1
    cls, title = found[0]
    current = f'<li class="{cls} current"><a class="current reference internal" href="#">{title}</a></li>'
    return entry.sub(lambda m: current, group)


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if not app.config.proxydocs_nav_cache:
        return
    original = context.get("toctree")
    if original is not None and doctree is not None:
        context["toctree"] = functools.partial(_nav, app, pagename, original)


def _report(app: Sphinx, exc) -> None:
    state = app.builder.__dict__.get("_pd_nav_state")
    if state is not None:
        logger.info(f"navigation: {state['hits']} pages reused their group's navigation, "
                    f"{state['misses']} groups rendered (this process)")


def setup(app: Sphinx) -> dict:
    app.add_config_value("proxydocs_nav_cache", True, "html", types=[bool, int])
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _report)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
