"""With the default settings every generated snippet equals the author's published file,
except for the corrections named one by one in tests/golden/corrections.py."""

from __future__ import annotations

import pytest

from support import DOCS, REFERENCE
import corrections
from generator import api
from generator.render import manifest
from generator.model import settings

RENDERED = api.render_text(settings.defaults())
WITH_REFERENCE = sorted(p for p in RENDERED if (REFERENCE / p).exists())


@pytest.mark.parametrize("path", WITH_REFERENCE)
def test_generated_equals_reference_plus_corrections(path):
    published = (REFERENCE / path).read_text(encoding="utf-8")
    assert RENDERED[path] == corrections.apply(path, published)


@pytest.mark.parametrize("correction", corrections.CORRECTIONS, ids=lambda c: c.path.rsplit("/", 1)[-1])
def test_each_correction_is_needed_and_explained(correction):
    published = (REFERENCE / correction.path).read_text(encoding="utf-8")
    assert correction.old in published, "the correction no longer matches the published file"
    ours = RENDERED.get(correction.path) or (DOCS / correction.path).read_text(encoding="utf-8")
    assert correction.old not in ours, "the defect is still in the file"
    assert len(correction.reason) > 20


def test_new_files_are_exactly_the_ones_without_a_published_original():
    assert set(corrections.NEW_FILES) == {p for p in RENDERED if not (REFERENCE / p).exists()}


@pytest.mark.parametrize("defect,path", [
    ('"http:127.0.0.1', "container/colima/colima_proxy/proxy_env"),
    ("LOCAL_NETWORK", "docker/network/docker_proxy/create_http_proxy_conf_for_docker"),
    ("LOCAL_NETWORK", "kubernetes/container_runtimes/containerd/containerd_proxy/create_http_proxy_conf_for_containerd"),
    ("\n...\n", "container/colima/colima_proxy_archive/apt_proxy"),
    ("172.17.0.1:3128 127.0.0.1", "container/colima/colima_proxy_archive/ssh_config"),
    ('10.0.0.0/8,"', "container/colima/colima_proxy/systemctl_show_env"),
])
def test_known_defects_are_corrected_not_reproduced(defect, path):
    assert defect in (REFERENCE / path).read_text(encoding="utf-8")
    assert defect not in RENDERED[path]


def test_dockerfile_sets_each_variable_once():
    text = RENDERED["container/colima/colima_proxy/dockerfile_env"]
    names = [line.split()[1].split("=")[0] for line in text.splitlines() if line.startswith("ENV ")]
    assert sorted(names) == sorted(["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"])


def test_no_trailing_whitespace_anywhere():
    for path, text in RENDERED.items():
        for n, line in enumerate(text.splitlines(), 1):
            assert line == line.rstrip(), f"{path}:{n} has trailing whitespace"


def test_static_snippets_are_the_published_files():
    """Captured logs and proxy-free commands are copied unchanged (the one reconstructed log
    has no published original and says so on the page)."""
    for s in manifest.load():
        if s.generated:
            continue
        committed = (DOCS / s.output).read_text(encoding="utf-8")
        if (REFERENCE / s.output).exists():
            published = (REFERENCE / s.output).read_text(encoding="utf-8")
            assert committed == corrections.apply(s.output, published), s.output
        else:
            assert s.output.endswith("systemctl_status"), f"{s.output} has no published original"
