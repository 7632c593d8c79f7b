"""The public Python API: everything the CLI, Sphinx and the tests call. Returns data."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from . import write
from .errors import SettingsError
from .model import settings as settings_mod
from .model.settings import Settings
from .project import Project
from .render import engine, manifest

__all__ = ["Project", "RenderResult", "load_settings", "render", "render_text", "validate"]


@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    changes: tuple[write.Change, ...]

    def by_status(self, *statuses: str) -> list[write.Change]:
        return [c for c in self.changes if c.status in statuses]

    @property
    def pending(self) -> list[write.Change]:
        """Files that differ from the rendering (what --check reports)."""
        return [c for c in self.changes if c.status != "unchanged"]

    def diff(self) -> str:
        out = []
        for c in self.pending:
            out += difflib.unified_diff(
                (c.old or "").splitlines(keepends=True), (c.new or "").splitlines(keepends=True),
                f"a/{c.path}", f"b/{c.path}",
            )
        return "".join(out)


def load_settings(path: Path | None = None, overrides: list[str] | None = None) -> Settings:
    return settings_mod.load(path, overrides)


def render_text(settings: Settings) -> dict[str, str]:
    """Every generated snippet, rendered to memory: {docs-relative path: text}."""
    return engine.render_all(settings, manifest.load())


def render(settings: Settings, out_dir: Path, *, check: bool = False, force: bool = False) -> RenderResult:
    """Render every snippet into out_dir, writing only files whose bytes change.
    With check=True nothing is written. Raises HandEditError before writing anything if a
    generated file was edited by hand (unless force)."""
    out_dir = Path(out_dir)
    if settings.credentials is not None and (site := _sphinx_project(out_dir)):
        raise SettingsError([(settings.source, "proxy.user",
                              f"credentials are never rendered into a Sphinx project ({site}); "
                              "render a reader's copy with --out DIR outside it")])
    rendered = render_text(settings)
    if check:
        return RenderResult(out_dir, tuple(write.plan(out_dir, rendered)))
    out_dir.mkdir(parents=True, exist_ok=True)
    with write.locked(out_dir):
        changes = write.plan(out_dir, rendered)
        write.apply(out_dir, changes, rendered, force=force)
    return RenderResult(out_dir, tuple(changes))


def _sphinx_project(path: Path) -> Path | None:
    """The Sphinx project (a directory with conf.py) that `path` is in, if any."""
    path = path.resolve()
    return next((p for p in (path, *path.parents) if (p / "conf.py").is_file()), None)


def validate(settings: Settings, root: Path, paths: list[Path] | None = None) -> list:
    """Check every snippet under root (or only `paths`) with the program that reads it.
    Returns the findings; raises errors.ToolMissing if a program is not installed."""
    from .validate import validate_tree  # validators import jsonschema and yaml: not on the render path

    return validate_tree(Path(root), settings, manifest.load(), paths)
