"""Sphinx glue for the reader's settings form (`.. proxydocs-form::`).

- Each block that shows a generated snippet gets the classes `pd-snippet-ID` (and `pd-hl-N-M`
  for its emphasised lines), so the page script knows which template renders it.
- Each value the prose takes from _generated/settings.txt gets `pd-value-NAME`.
- The form is plain HTML with the site's values filled in; it stays hidden without JavaScript,
  and the page then shows exactly the defaults.
- _static/proxydocs-data.js (schema, values, compiled templates) is written when the build
  starts, only when its bytes change.
"""

from __future__ import annotations

import html
import re
from importlib.resources import files
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

from .. import api
from ..model.settings import FIELDS
from . import pagedata

STATIC = Path(str(files("generator.site") / "static"))  # package data
SCRIPTS = ("pyport.js", "types.js", "core.js", "page.js")


class MarkValues(SphinxTransform):
    """Before substitutions are applied (priority 220), tag the generated definitions' text."""

    default_priority = 219

    def apply(self) -> None:
        path = Path(self.env.srcdir) / pagedata.SUBSTITUTIONS
        names = set(re.findall(r"^\.\. \|(\w+)\| replace::", path.read_text(encoding="utf-8"), re.M)) \
            if path.is_file() else set()
        for definition in self.document.findall(nodes.substitution_definition):
            name = next((n for n in definition["names"] if n in names), None)
            if name is None:
                continue
            for literal in definition.findall(nodes.literal):
                literal["classes"].append(f"pd-value-{name}")


def mark_snippets(app: Sphinx, doctree: nodes.document) -> None:
    ids = pagedata.snippet_ids()
    srcdir = Path(app.srcdir).resolve()
    for block in doctree.findall(nodes.literal_block):
        source = block.get("source")
        if not source:
            continue
        try:
            rel = Path(source).resolve().relative_to(srcdir).as_posix()
        except ValueError:
            continue
        if rel in ids:
            block["classes"].append(f"pd-snippet-{ids[rel]}")
            lines = block.get("highlight_args", {}).get("hl_lines") or []
            if lines:
                block["classes"].append("pd-hl-" + "-".join(str(n) for n in lines))


class SettingsForm(SphinxDirective):
    """The reader's settings form. The script fills in the site's values (from the data file),
    so the page itself does not depend on proxy.toml."""

    def run(self) -> list[nodes.Node]:
        rows = []
        for path, label in pagedata.FORM.items():
            ident = "pd-" + path.replace(".", "-").replace("_", "-")
            choices = FIELDS[path].type.page_data().get("choices")
            common = f'id="{ident}" name="{html.escape(path)}" aria-describedby="{ident}-error"'
            if choices:  # a drop-down: the settings type's choices, labelled for the reader
                labels = pagedata.CHOICES.get(path, {})
                options = "".join(f'<option value="{html.escape(c)}">{html.escape(labels.get(c, c))}</option>'
                                  for c in choices)
                control = f"<select {common}>{options}</select>"
            else:
                control = f'<input {common} spellcheck="false" autocomplete="off">'
            rows.append(
                f'<div class="proxydocs-field"><label for="{ident}">{html.escape(label)} '
                f'<code>{html.escape(path)}</code></label>{control}'
                f'<span class="proxydocs-error" id="{ident}-error" data-for="{html.escape(path)}" role="alert"></span></div>')
        form = (
            '<form id="proxydocs-form" class="proxydocs-form" hidden>'
            '<p class="proxydocs-title">用你的设置改写本页的代码片段</p>'
            + "".join(rows)
            + '<p class="proxydocs-actions"><button type="button" class="proxydocs-reset">恢复默认</button> '
            '<a class="proxydocs-share" href="">分享这些设置的链接</a> '
            '<span class="proxydocs-status" role="status"></span></p>'
            '<p class="proxydocs-link" role="status" hidden>这些设置来自你打开的链接，只用于这次浏览，'
            '不会覆盖你保存的设置。 <button type="button" class="proxydocs-keep">保存为我的设置</button> '
            '<button type="button" class="proxydocs-mine">改用我保存的设置</button></p>'
            '<p class="proxydocs-ignored" role="status" hidden></p>'
            '<p class="proxydocs-stored-problem" role="status" hidden>这个浏览器里保存的设置无法读取，已忽略；'
            '页面显示的是默认设置。</p>'
            '<p class="proxydocs-note">设置只保存在这个浏览器里(localStorage)，不会发送到任何地方。'
            '生成的内容与 <code>proxydocs render --set KEY=VALUE</code> 逐字节相同。</p></form>'
            '<noscript><p>本页显示的是默认设置。要换成你自己的代理，运行 '
            '<code>proxydocs render --out DIR --set proxy.port=8118 ...</code>。</p></noscript>'
        )
        return [nodes.raw("", form, format="html")]


def write_data(app: Sphinx) -> None:
    """Write _static/proxydocs-data.js (only when it changes) before any page is written, so
    Sphinx links it with its checksum (`?v=`) and a browser never pairs a cached data file
    with a newer page."""
    if app.builder.format != "html":
        return
    settings = api.load_settings(Path(app.confdir) / app.config.proxydocs_settings)
    text = pagedata.data_js(settings)
    target = Path(app.outdir) / "_static" / "proxydocs-data.js"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    app.add_js_file("proxydocs-data.js", priority=499)  # before the scripts that read it


def add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(STATIC))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_static)
    app.add_transform(MarkValues)
    app.connect("doctree-read", mark_snippets)
    app.add_directive("proxydocs-form", SettingsForm)
    for script in SCRIPTS:  # in this order: each needs the ones before it
        app.add_js_file(script)
    app.add_css_file("proxydocs.css")
    app.connect("builder-inited", write_data, priority=600)  # after the snippets are rendered
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
