"""The current guide's claims that a test can hold: the Mac's names in every NO_PROXY, every
runtime-specific block labelled with its runtime, `colima delete` never shown without what it
deletes, a source behind every footnote, and the corrections the review asked for."""

from __future__ import annotations

import posixpath
import re

import pytest

from generator import api
from generator.model import settings
from generator.model.derive import VM_HOST_NAMES, colima_folder, derive
from generator.render import feeds, manifest
from support import DOCS, ROOT, includes

DOCNAME = "container/colima/colima_proxy"
PAGE = DOCS / f"{DOCNAME}.rst"
TEXT = PAGE.read_text(encoding="utf-8")
SNIPPETS = {s.output: s for s in manifest.load()}
RENDERED = api.render_text(settings.defaults())
GUIDE_INCLUDES = [(rel, opts) for rel, opts in includes(PAGE, DOCNAME) if not rel.startswith("_generated")]
NO_PROXY = re.compile(r"(?i)no[_-]?proxy[\"']?\s*[=:]\s*[\"']?([^\s\"']+)")
# Reader settings far from the defaults: a short NO_PROXY of their own, another VM address.
OTHER = settings.load(None, ["proxy.no_proxy=localhost", "vm.host_address=192.168.106.2", "colima.runtime=docker",
                             "colima.profile=colima-work"])


# --- NO_PROXY: the Mac as the VM and its containers name it ---------------------------------

@pytest.mark.parametrize("s", [settings.defaults(), OTHER], ids=["defaults", "other"])
def test_every_no_proxy_in_every_view_carries_the_mac_names(s):
    rendered = api.render_text(s)
    checked = 0
    for snippet in manifest.load():
        if not snippet.generated or snippet.counterexample:
            continue
        for value in NO_PROXY.findall(rendered[snippet.output]):
            entries = value.split(",")
            for name in (*VM_HOST_NAMES, s["vm.host_address"]):
                assert name in entries, f"{snippet.output} ({snippet.view} view): NO_PROXY {value!r} lacks {name}"
            checked += 1
    views = {SNIPPETS[o].view for o in rendered if NO_PROXY.search(rendered[o]) and o in SNIPPETS}
    assert checked > 20 and {"mac", "vm", "container"} <= views


def test_the_vm_and_container_views_carry_the_names_even_when_the_reader_lists_none():
    d = derive(OTHER)
    assert d.no_proxy.split(",") == ["localhost", *VM_HOST_NAMES, "192.168.106.2"]
    for view in ("vm", "container"):
        assert dict(d.env(view))["NO_PROXY"] == dict(d.env(view))["no_proxy"] == d.no_proxy


# --- runtime-specific blocks name their runtime ----------------------------------------------

# Snippets that belong to one runtime whatever the settings say.
FIXED_RUNTIME = {
    "container/colima/colima_proxy/daemon.json": "docker",
    "container/colima/colima_proxy/docker_config_mac.json": "docker",
    "kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd": "containerd",
    "container/colima/colima_proxy/create_http_proxy_conf_for_buildkit": "containerd",
    "container/colima/colima_proxy/nerdctl_build": "containerd",
    "container/colima/colima_proxy/nerdctl_run": "containerd",
    # docker installed by hand inside the containerd runtime's VM
    "container/colima/colima_proxy/install_docker": "containerd",
    "docker/network/docker_proxy/create_http_proxy_conf_for_docker": "containerd",
    "container/colima/colima_proxy/systemctl_show_env": "containerd",
    "container/colima/colima_proxy/config.json": "containerd",
}


def include_context(rel: str) -> tuple[str, str]:
    """(caption, nearest section title above) of the guide's literalinclude of `rel`."""
    lines = TEXT.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s*\.\. literalinclude:: (\S+)\s*$", line)
        if m and posixpath.normpath(posixpath.join(posixpath.dirname(DOCNAME), m.group(1))) == rel:
            caption = next((m.group(1) for ln in lines[i + 1:i + 6] if (m := re.match(r"\s+:caption: (.*)", ln))), "")
            title = next(lines[j - 1] for j in range(i, 0, -1)
                         if re.fullmatch(r"[=\-~]{3,}", lines[j]) and lines[j - 1].strip())
            return caption, title
    raise AssertionError(f"the guide does not include {rel}")


def test_every_runtime_specific_include_names_its_runtime():
    fed_by_runtime = {path for path, keys in feeds.feeds().items() if "colima.runtime" in keys}
    checked = 0
    for rel, _ in GUIDE_INCLUDES:
        caption, title = include_context(rel)
        if rel in FIXED_RUNTIME:
            name = f"{FIXED_RUNTIME[rel]} 运行时"
            assert name in caption or name in title, f"{rel}: neither its caption nor its section names {name}"
            checked += 1
        elif rel in fed_by_runtime:
            # its text follows colima.runtime: the caption carries the setting itself
            assert "|colima_runtime| 运行时" in caption, f"{rel} changes with colima.runtime; caption: {caption!r}"
            checked += 1
    assert checked >= 12


def test_the_runtime_fed_snippets_really_differ_and_say_which_runtime_they_are_for():
    docker = api.render_text(settings.load(None, ["colima.runtime=docker"]))
    containerd = api.render_text(settings.load(None, ["colima.runtime=containerd"]))
    final = "container/colima/colima_proxy/final_check"
    assert docker[final] != containerd[final]
    assert "docker 运行时" in docker[final] and "docker pull" in docker[final] and "nerdctl" not in docker[final]
    assert "containerd 运行时" in containerd[final] and "colima nerdctl -- pull" in containerd[final]


def test_the_fixed_runtime_list_covers_what_the_guide_says():
    assert set(FIXED_RUNTIME) <= {rel for rel, _ in GUIDE_INCLUDES}


# --- colima delete never without what it deletes --------------------------------------------

def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_no_colima_delete_without_saying_what_it_deletes():
    section = TEXT[TEXT.index(".. _proxydocs_delete:"):TEXT.index("需要用户名和密码的代理")]
    for p in paragraphs(TEXT):
        if "colima delete" not in p or p.lstrip().startswith((".. [#", ".. literalinclude", "   * -", "     -")):
            continue
        if p in section:
            continue
        assert ":ref:`proxydocs_delete`" in p, f"mentions colima delete without the section that says what it deletes: {p!r}"
    assert "|colima_config|" in section and "``env:``" in section and "--data" in section and "保留" in section
    assert "_templates" in section and "setup_mac.sh" in section and "setup_vm.sh" in section
    for rel, _ in GUIDE_INCLUDES:
        lines = RENDERED.get(rel, (DOCS / rel).read_text(encoding="utf-8")).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("colima delete"):
                comment = " ".join(ln for ln in lines[:i] if ln.startswith("#"))
                assert "删除" in comment and "保留" in comment, f"{rel}: {line!r} without what it deletes and keeps"


def test_the_guide_delete_snippet_shows_both_forms_and_the_archive_keeps_the_author_line():
    guide = RENDERED["container/colima/colima_proxy/colima_delete"].splitlines()
    assert [ln for ln in guide if not ln.startswith("#")] == ["colima delete", "colima delete --data"]
    assert RENDERED["container/colima/colima_startup/colima_delete"] == "colima delete\n"
    assert SNIPPETS["container/colima/colima_startup/colima_delete"].pages == ("container/colima/colima_proxy_archive",)


# --- every footnote has a checkable source ----------------------------------------------------

FOOTNOTE = re.compile(r"^\.\. \[#([\w-]+)\] (.+?)(?=^\.\. |\Z)", re.M | re.S)


def footnotes() -> dict[str, str]:
    return {m.group(1): m.group(2) for m in FOOTNOTE.finditer(TEXT)}


def test_every_footnote_points_at_a_url_an_upstream_path_or_a_project_test():
    notes = footnotes()
    assert len(notes) >= 50
    for label, body in notes.items():
        urls = re.findall(r"https://\S+", body)
        tests = re.findall(r"tests/[\w/]+\.py", body)
        assert urls or tests, f"[#{label}] names no source"
        for url in urls:
            if url.startswith("https://github.com/") and "/blob/" in url:
                # an upstream file: at a tag or commit, not a moving branch (the one exception says so)
                ref = url.split("/blob/", 1)[1].split("/", 1)[0]
                assert ref != "main" or "没有固定" in TEXT or "未固定" in TEXT, url
        for path in tests:
            assert (ROOT / path).is_file(), f"[#{label}] cites {path}, which does not exist"


def test_every_footnote_is_cited_and_every_citation_has_a_footnote():
    notes = set(footnotes())
    cited = set(re.findall(r"\[#([\w-]+)\]_", TEXT))
    assert cited == notes, f"cited only: {cited - notes}; never cited: {notes - cited}"


def test_project_tests_cited_in_the_prose_exist():
    for path, name in re.findall(r"``(tests/[\w/]+\.py)`` 的 ``(\w+)``", TEXT):
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), f"{path} has no {name}"


def test_the_sections_of_the_guide_carry_sources():
    """Each numbered step cites at least one source."""
    steps = re.split(r"\n第[一二三四五六七八九]步", TEXT)[1:]
    assert len(steps) == 9
    for step in steps:
        assert re.search(r"\[#[\w-]+\]_|tests/e2e", step), step[:40]


# --- every snippet the guide shows is in the manifest ----------------------------------------

def test_every_guide_include_is_a_manifest_snippet_of_this_page():
    for rel, _ in GUIDE_INCLUDES:
        assert rel in SNIPPETS and DOCNAME in SNIPPETS[rel].pages, rel
    assert "container/colima/colima_startup/colima_qemu_2c4g" not in {rel for rel, _ in GUIDE_INCLUDES}


# --- the corrections of the review ------------------------------------------------------------

@pytest.mark.parametrize("wrong", ["快速路径", "永远带上", "一定可行", "虚拟机内运行: ``sudo bash", "macOS 14/15 才"])
def test_the_wording_the_review_rejected_is_gone(wrong):
    assert wrong not in TEXT


def test_the_config_warning_is_dated_by_cli_version():
    for p in paragraphs(TEXT):
        if "Error parsing config file" in p and not p.lstrip().startswith(".. [#"):
            assert "Error loading config file" in p and "28.0" in p, p


def test_the_first_start_exports_the_proxy_before_colima_start():
    lines = RENDERED["container/colima/colima_proxy/first_start"].splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("colima start"))
    exported = [ln.split("=", 1)[0].removeprefix("export ") for ln in lines[:start] if ln.startswith("export ")]
    assert {"HTTPS_PROXY", "https_proxy"} <= set(exported)
    assert lines[start] == derive(settings.defaults()).colima_start
    assert "macOS 13" in "\n".join(lines) and "macOS 14" not in "\n".join(lines)


def test_the_vm_reaches_the_proxy_check_uses_the_vm_view_and_expects_401():
    d = derive(settings.defaults())
    text = RENDERED["container/colima/colima_proxy/vm_proxy_check"]
    assert f"colima ssh -- curl -sS -o /dev/null -w '%{{http_code}}\\n' -x {d.vm_url} https://registry-1.docker.io/v2/" in text
    assert "401" in text


def test_colima_config_states_the_rule_not_a_home_path():
    d = derive(settings.defaults())
    assert d.colima_config == "<配置目录>/default/colima.yaml"
    assert "$HOME/.colima" not in RENDERED["_generated/settings.txt"]
    for step in ("COLIMA_HOME", "~/.colima", "XDG_CONFIG_HOME"):
        assert step in TEXT
    assert [colima_folder(p) for p in ("default", "colima", "work", "colima-work")] == ["default", "default", "work", "work"]
    assert derive(OTHER).colima_config == "<配置目录>/work/colima.yaml"


def test_the_unverified_points_are_said_to_be_unverified():
    section = TEXT[TEXT.index(".. _proxydocs_unverified:"):TEXT.index(".. _proxydocs_sources:")]
    for point in ("colima nerdctl -- version", "pam.d/sudo", "buildkit", "#1436", "docker.io", "brew services"):
        assert point in section, point


# --- the reference pages speak Chinese like the articles -----------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_setting_and_section_has_a_chinese_text_and_type():
    from generator.model.schema import SCHEMA, SECTIONS, SECTIONS_ZH
    from generator.site.ext import describe_zh

    assert set(SECTIONS_ZH) == set(SECTIONS) and all(CJK.search(t) for t in SECTIONS_ZH.values())
    for field in SCHEMA:
        assert CJK.search(field.zh), f"{field.path} has no Chinese help"
        assert CJK.search(describe_zh(field.type)), f"{field.path}: {describe_zh(field.type)!r}"
        assert field.help and not CJK.search(field.help), f"{field.path}: the CLI's help stays English"
    from generator.model import types as t
    assert describe_zh(t.PORT) == "整数 1..65535"


def test_every_correction_reason_is_chinese():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("guide_corrections", ROOT / "tests/golden/corrections.py")
    corrections = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corrections  # dataclasses look their module up there
    spec.loader.exec_module(corrections)
    for c in corrections.CORRECTIONS:
        assert CJK.search(c.reason), c.path
    for path, why in corrections.NEW_FILES.items():
        assert CJK.search(why), path
