"""The project as the VM tier sees it: the `proxydocs` command and snippets/manifest.toml.
Nothing here imports the generator, so the tier does not depend on how it is organised."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = "container/colima/colima_proxy"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def cli() -> str:
    """The proxydocs command of the interpreter running the tests (the project's .venv)."""
    beside = Path(sys.executable).parent / "proxydocs"
    found = str(beside) if beside.exists() else shutil.which("proxydocs")
    if not found:
        raise RuntimeError("the proxydocs command is not installed: run `make test` (it creates .venv)")
    return found


def render(out: Path, settings: dict[str, object]) -> None:
    """Every snippet of the site (the counter-example too, which a reader's copy leaves out),
    rendered with these settings, under `out`: a project of its own (an empty proxy.toml
    beside its docs/), whose docs/ becomes `out`."""
    project = out.parent / f"{out.name}.project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "proxy.toml").write_text("")
    argv = [cli(), "render", "-q", "--settings", str(project / "proxy.toml")]
    for key, value in settings.items():
        argv += ["--set", f"{key}={value}"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    shutil.copytree(project / "docs", out, dirs_exist_ok=True)
    shutil.rmtree(project)


@dataclass(frozen=True)
class Snippet:
    output: str
    kind: str
    machine: str
    template: str = ""
    target: str = ""
    view: str = ""
    pages: tuple[str, ...] = ()
    vars: dict = field(default_factory=dict, hash=False, compare=False)
    counterexample: bool = False


def manifest() -> list[Snippet]:
    data = tomllib.loads((ROOT / "snippets" / "manifest.toml").read_text())
    known = Snippet.__dataclass_fields__
    return [Snippet(**{k: (tuple(v) if k == "pages" else v) for k, v in entry.items() if k in known})
            for entry in data["snippet"]]


def snippet(template: str, page: str = GUIDE, machine: str | None = None, **vars) -> Snippet:
    """The one snippet of `page` rendered from `template` (on `machine`, with these template vars)."""
    found = [s for s in manifest() if s.template == template and page in s.pages
             and (machine is None or s.machine == machine) and all(s.vars.get(k) == v for k, v in vars.items())]
    if len(found) != 1:
        raise LookupError(f"manifest.toml has {len(found)} snippets of {page} from {template} {vars or ''}")
    return found[0]


class Rendered:
    """A `proxydocs render --out DIR` tree, read through the manifest."""

    def __init__(self, out: Path):
        self.out = out

    def path(self, template: str, page: str = GUIDE, machine: str | None = None, **vars) -> Path:
        return self.out / snippet(template, page, machine, **vars).output

    def text(self, template: str, page: str = GUIDE, machine: str | None = None, **vars) -> str:
        return self.path(template, page, machine, **vars).read_text()
