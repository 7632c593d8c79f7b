"""Sphinx glue: render the snippets before the build, resolve the author's external labels,
and turn the settings schema and the snippet manifest into reference tables.

Nothing from proxy.toml is stored in Sphinx's config (that would force a full rebuild on
every change); the snippets are files, and literalinclude's own dependency tracking re-reads
only the pages whose snippets changed.
"""

from __future__ import annotations

import html
import importlib.util
import logging as logging_module
import sys
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import api
from ..render.stamp import inputs_digest
from ..errors import ProxydocsError
from ..model import types as t
from ..model.schema import SECTIONS_ZH
from ..model.settings import SCHEMA, SECTIONS, toml_value
from ..render import feeds

logger = logging.getLogger(__name__)


def render_snippets(app: Sphinx) -> None:
    if not app.config.proxydocs_render:  # `-D proxydocs_render=0`: build what is already rendered
        return
    settings_file = Path(app.confdir) / app.config.proxydocs_settings
    try:
        settings = api.load_settings(settings_file)
        for key in ("proxy.user", "proxy.password_env"):
            if settings[key]:
                logger.warning(f"proxydocs: {key} is set in {settings.origin(key)}, but the site never carries "
                               "credentials: the pages show none (render a reader's copy with --out DIR)",
                               type="proxydocs", subtype="credentials")
        inputs = inputs_digest(settings_file if settings_file.is_file() else None, [])
        result = api.render(settings, Path(app.srcdir), inputs=inputs)
    except ProxydocsError as exc:
        # the CLI's one line and its exit code, not Sphinx's report of a crashed extension
        # (a SphinxError prints versions, a traceback and "please open an issue")
        print(f"proxydocs: error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    for change in result.pending:
        logger.info(f"proxydocs: {change.status}: {change.path}")
    logger.info(f"proxydocs: {len(result.changes)} snippets, {len(result.pending)} written")


def resolve_external(app: Sphinx, env, node, contnode):
    """`:ref:` labels of the author's other pages resolve to an explicit external link."""
    if node.get("reftype") != "ref":
        return None
    target = node.get("reftarget", "")
    entry = app.config.proxydocs_external_refs.get(target)
    if entry is None:
        return None
    title, url = entry
    text = contnode.astext() if node.get("refexplicit") else title
    ref = nodes.reference("", "", internal=False, refuri=url, reftitle=f"{title} (cloud-atlas)")
    ref += nodes.inline(text, text, classes=["xref", "std", "std-ref", "external-ref"])
    return ref


class _RstDirective(SphinxDirective):
    """A directive that produces reStructuredText lines and parses them in place."""

    def lines(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(self.lines(), source="<proxydocs>"), self.content_offset, container)
        return container.children


class Fold(_RstDirective):
    """A long block folded away (collapsed until the reader opens it), with a download link
    to the file it shows: `.. proxydocs-fold:: SUMMARY` with `:download: PATH`."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"download": lambda value: value.strip()}

    def lines(self) -> list[str]:
        summary = html.escape(self.arguments[0])
        out = []
        if "download" in self.options:
            path = self.options["download"]
            out += [f":download:`下载 {path.rsplit('/', 1)[-1]} <{path}>`", ""]
        out += [".. raw:: html", "", f'   <details class="proxydocs-fold"><summary>{summary}</summary>', ""]
        out += [*self.content, "", ".. raw:: html", "", "   </details>", ""]
        return out


def _table(header: list[str], rows: list[list[str]], widths: str = "auto") -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        out.append(f"   * - {row[0]}")
        out += [f"     - {cell}" for cell in row[1:]]
    return out + [""]


# The patterns' descriptions as the site shows them (the English ones are in the CLI's messages).
PATTERNS_ZH = {
    t.SSH_ALIAS: "ssh 的 Host 别名(字母、数字、 ``.`` 、 ``_`` 、 ``-`` ；不能有空格或通配符)",
    t.USER_NAME: "用户名(字母、数字、 ``.`` 、 ``_`` 、 ``-`` )",
    t.PATH: "路径，由字母、数字和 ``~ / . _ - + @ :`` 组成(不能有空格、引号、 ``%`` 或控制字符)",
    t.PROFILE: "Colima 配置名(字母、数字、 ``.`` 、 ``_`` 、 ``-`` )",
    t.ENV_NAME: "环境变量名",
    t.PROXY_USER: "代理用户名(不能有空格或控制字符；在 URL 中经百分号编码)",
}


def describe_zh(ftype: t.FieldType) -> str:
    """A settings type as the (Chinese) settings reference shows it."""
    if isinstance(ftype, t.Integer):
        return f"整数 {ftype.low}..{ftype.high}" + (f" ({ftype.unit})" if ftype.unit else "")
    if isinstance(ftype, t.Choice):
        return "取值之一: " + " 、 ".join(f"``{c}``" for c in ftype.choices)
    if isinstance(ftype, t.Optional):
        return f"{describe_zh(ftype.inner)}；或留空(不设置)"
    if isinstance(ftype, t.Host):
        text = "IP 地址" if ftype.ip_only else "主机名(RFC 1123)或 IP 地址"
        return text + ("；或占位符，例如 ``<SERVER_IP>``" if ftype.allow_placeholder else "")
    if isinstance(ftype, t.NoProxyList):
        return "列表: 主机名、 ``.domain`` 或 ``*.domain`` 后缀、IP 地址、CIDR 网段或 ``*``"
    if isinstance(ftype, t.AddressList):
        return "IP 地址的列表"
    if isinstance(ftype, t.Pattern) and ftype in PATTERNS_ZH:
        return PATTERNS_ZH[ftype]
    raise ExtensionError(f"proxydocs: the settings type {ftype!r} has no Chinese description (ext.PATTERNS_ZH)")


class SettingsReference(_RstDirective):
    """Every key of proxy.toml with its type, default and help, from the schema itself, in
    Chinese like the rest of the site (the CLI's `proxydocs settings` keeps the English)."""

    def lines(self) -> list[str]:
        out: list[str] = []
        for section in SECTIONS:
            out += [f".. rubric:: [{section}]", "", SECTIONS_ZH[section], ""]
            rows = [[f"``{f.path}``", describe_zh(f.type), f"``{toml_value(f.default)}``", f.zh]
                    for f in SCHEMA if f.section == section]
            out += _table(["键", "类型", "默认值", "说明"], rows, "20 20 20 40")
        return out


MACHINES_ZH = {"mac": "Mac", "vm": "虚拟机", "container": "容器", "server": "服务器", "docs": "文档"}


class SnippetCatalogue(_RstDirective):
    """Every snippet: where it goes, who reads it, which settings feed it, which pages."""

    def lines(self) -> list[str]:
        rows = []
        for entry in feeds.entries():
            s = entry.snippet
            pages = ", ".join(f":doc:`/{p}`" for p in s.pages)
            fed_by = ", ".join(f"``{k}``" for k in entry.settings) or "—"
            machine = MACHINES_ZH.get(s.machine, s.machine)
            where = f"{machine}: ``{s.target}``" if s.target else machine
            name = f"``{s.output}``" + (" (反例)" if s.counterexample else "")
            source = f"``{s.template}``" if s.template else "静态文件"
            rows.append([name, s.kind, where, s.reader, source, fed_by, pages])
        return _table(["文件", "类型", "位置", "读取程序", "模板", "来自设置", "页面"], rows)


class CorrectionsList(_RstDirective):
    """Each place where a generated snippet knowingly differs from the author's file."""

    def lines(self) -> list[str]:
        # the golden test's oracle, kept beside it (tests/golden/corrections.py)
        oracle = _load_module(Path(self.env.app.confdir) / self.config.proxydocs_corrections)
        CORRECTIONS, NEW_FILES = oracle.CORRECTIONS, oracle.NEW_FILES
        rows = [[f"``{c.path}``", c.reason] for c in CORRECTIONS]
        rows += [[f"``{path}``", f"新文件: {why}"] for path, why in NEW_FILES.items()]
        return _table(["文件", "更正及原因"], rows, "35 65")


def _load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"proxydocs_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ExtensionError(f"proxydocs: {path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def quiet_jieba(app: Sphinx, config) -> None:
    """Chinese search segments words with jieba, which prints four lines of progress to stderr
    on every build; Sphinx's own -q cannot reach them."""
    if app.verbosity > 0 or app.config.html_search_language != "zh":  # -v shows them
        return
    try:  # imported here: importing it sets its logger to DEBUG again
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(logging_module.WARNING)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", quiet_jieba)
    app.add_config_value("proxydocs_settings", "proxy.toml", "env", types=[str])
    app.add_config_value("proxydocs_corrections", "tests/golden/corrections.py", "env", types=[str])
    app.add_config_value("proxydocs_render", True, "", types=[bool, int])
    app.add_config_value("proxydocs_external_refs", {}, "env", types=[dict])
    app.connect("builder-inited", render_snippets, priority=100)
    app.connect("missing-reference", resolve_external)
    app.add_directive("proxydocs-settings", SettingsReference)
    app.add_directive("proxydocs-catalogue", SnippetCatalogue)
    app.add_directive("proxydocs-corrections", CorrectionsList)
    app.add_directive("proxydocs-fold", Fold)
    app.setup_extension("generator.site.form")
    app.setup_extension("generator.site.search_zh")  # Chinese search that works, without the jieba tax
    app.setup_extension("generator.site.nav_cache")  # the sidebar once per group of sibling pages
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
