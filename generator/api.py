"""The public Python API: everything the CLI, Sphinx and the tests call. Returns data."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import write
from .errors import SettingsError, ToolMissing
from .model import settings as settings_mod
from .model.settings import Settings
from .project import Project
from .render import copy, engine, manifest

__all__ = ["READER_SETTINGS", "Project", "RenderResult", "load_settings", "reader_copy_text", "render",
           "render_text", "validate"]
READER_SETTINGS = copy.SETTINGS  # a reader's copy records the settings it was rendered from


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
        """A unified diff of every file that would change (bytes that are not UTF-8 shown as
        U+FFFD; a line ending that differs shows as a changed line)."""
        out = []
        for c in self.pending:
            if c.status == "stale":
                continue
            old = (c.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
            new = (c.new or b"").decode("utf-8", "replace").splitlines(keepends=True)
            out += difflib.unified_diff(old, new, f"a/{c.path}", f"b/{c.path}")
        return "".join(out)


def load_settings(path: Path | None = None, overrides: list[str] | None = None) -> Settings:
    return settings_mod.load(path, overrides)


def render_text(settings: Settings) -> dict[str, str]:
    """Every generated snippet, rendered to memory: {docs-relative path: text}."""
    return engine.render_all(settings, manifest.load())


def reader_copy_text(settings: Settings, pages: tuple[str, ...] = ()) -> dict[str, str]:
    """A reader's copy (of `pages` only, if given), rendered to memory: the snippets a reader
    uses, an index of where each goes, and the settings it came from."""
    snippets = copy.select(manifest.load(), pages, settings["tunnel.forward"])
    if not snippets:
        raise SettingsError([("--page", "", f"no snippet belongs to {', '.join(pages)}; pages: "
                              f"{', '.join(copy.PAGES)} or a docname")])
    return {**engine.render_all(settings, snippets), **copy.extras(settings, snippets)}


def render(settings: Settings, out_dir: Path, *, check: bool = False, force: bool = False,
           reader_copy: bool = False, pages: tuple[str, ...] = (), inputs: str | None = None,
           on_wait: Callable[[str], None] | None = None) -> RenderResult:
    """Render every snippet into out_dir (or, with reader_copy, a reader's copy: see
    reader_copy_text), writing only files whose bytes change. With check=True nothing is
    written. Raises HandEditError before writing anything if a generated file was edited by
    hand (unless force). `on_wait` hears why a render waits (another render holds the lock)."""
    out_dir = Path(out_dir)
    if settings.credentials is not None and (site := _sphinx_project(out_dir)):
        raise SettingsError([(settings.origin("proxy.user"), "proxy.user",
                              f"credentials are never rendered into a Sphinx project ({site}); "
                              "render a reader's copy with --out DIR outside it")])
    texts = reader_copy_text(settings, pages) if reader_copy else render_text(settings)
    rendered = {path: text.encode("utf-8") for path, text in texts.items()}
    tree = write.Tree(out_dir)
    if check:
        return RenderResult(out_dir, tuple(write.plan(tree, rendered)))
    tree.ensure_root()
    with write.locked(out_dir, on_wait=on_wait):
        write.remove_leftovers(tree, list(rendered))
        changes = write.plan(tree, rendered)
        write.apply(tree, changes, rendered, force=force, private=settings.credentials is not None,
                    inputs=None if reader_copy or settings.credentials is not None else inputs)
    return RenderResult(out_dir, tuple(changes))


def _sphinx_project(path: Path) -> Path | None:
    """The Sphinx project (a directory with conf.py) that `path` is in, if any."""
    path = path.resolve()
    return next((p for p in (path, *path.parents) if (p / "conf.py").is_file()), None)


def validate(settings: Settings, root: Path, paths: list[Path] | None = None, *, merged: bool = False) -> list:
    """Check every snippet under root (or only `paths`) with the program that reads it.
    Returns the findings (`merged`: a setting's warnings over many files folded into one);
    raises errors.ToolMissing if a program is not installed."""
    try:  # the validators need the `validate` extra (jsonschema, PyYAML): not on the render path
        import jsonschema  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as exc:
        raise ToolMissing(f"the Python package {exc.name} is not installed; validate needs the validate extra: "
                          "pip install 'proxydocs[validate]' (or, in the project, make validate)") from None
    from .validate import validate_tree
    from .validate.core import merge_warnings

    findings = validate_tree(Path(root), settings, manifest.load(), paths)
    return merge_warnings(findings) if merged else findings
