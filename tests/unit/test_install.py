"""A real install: the wheel built from a copy of the project, installed (not editable) into a
fresh virtual environment, renders from a folder that is not the project, byte for byte as
the project does; without the validate extra, `validate` names the extra to install. No
network: the wheel is built without build isolation and its dependencies are this
environment's own packages, exposed to the new one by a .pth file."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from generator import api
from generator.model.settings import defaults
from support import ROOT, snapshot

PROJECT_FILES = ("pyproject.toml", "README.md", "generator", "snippets")
DEPENDENCIES = ("jinja2", "markupsafe", "click")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `proxydocs` command of a fresh venv holding only the wheel and its dependencies."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "--no-index", "-w", str(tmp / "wheel"), str(source)], capture_output=True, text=True,
                           timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "wheel").glob("proxydocs-*.whl"))
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env)  # this pip installs into it (--python): no ensurepip
    deps = tmp / "deps"
    deps.mkdir()
    for name in DEPENDENCIES:
        package = Path(importlib.import_module(name).__file__).parent
        (deps / name).symlink_to(package)
    site = next((env / "lib").glob("python*/site-packages"))
    (site / "proxydocs-test-deps.pth").write_text(f"{deps}\n")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install", "-q",
                          "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    return env / "bin" / "proxydocs"


def test_the_installed_command_renders_outside_the_project(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([str(installed), "render", "--out", "copy"], cwd=elsewhere, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = {p: (elsewhere / "copy" / p).read_text() for p in snapshot(elsewhere / "copy") if not p.startswith(".")}
    assert got == api.reader_copy_text(defaults())


def test_the_installed_package_does_not_reach_into_the_source_tree(installed, tmp_path):
    code = "import generator, sys; print(generator.__file__)"
    where = subprocess.run([str(installed.parent / "python"), "-c", code], capture_output=True, text=True,
                           cwd=tmp_path, check=True).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT))


def test_render_without_out_outside_a_project_says_so(installed, tmp_path):
    proc = subprocess.run([str(installed), "render"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "not a proxydocs project" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_validate_without_the_extra_names_it(installed, tmp_path):
    subprocess.run([str(installed), "render", "--out", "copy"], cwd=tmp_path, capture_output=True, timeout=60)
    proc = subprocess.run([str(installed), "validate", "--root", "copy"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "pip install 'proxydocs[validate]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_package_of_the_source_is_in_the_wheel_list():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "generator").rglob("__init__.py")}
    assert found | {"generator.snippets"} == listed
