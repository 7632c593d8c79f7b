"""Where a proxydocs project is: found from its settings file (or the current folder), never
from where this package is installed. The snippet templates are package data; a project is
only its proxy.toml and its docs/ tree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ProxydocsError

SETTINGS_NAME = "proxy.toml"
DOCS_NAME = "docs"


@dataclass(frozen=True)
class Project:
    root: Path
    settings_file: Path | None  # None: the defaults alone (no proxy.toml here)

    @classmethod
    def find(cls, settings_file: str | Path | None = None, cwd: Path | None = None) -> "Project":
        """The project of `--settings FILE` (the file's folder), else of ./proxy.toml, else the
        current folder with the default settings."""
        cwd = Path.cwd() if cwd is None else Path(cwd)
        if settings_file is not None:
            path = cwd / settings_file
            return cls(path.parent, path)
        path = cwd / SETTINGS_NAME
        return cls(cwd, path if path.is_file() else None)

    @property
    def docs(self) -> Path:
        """The site's source tree, where the snippets are rendered for the site."""
        docs = self.root / DOCS_NAME
        if self.settings_file is None and not (self.root / "conf.py").is_file():
            raise ProxydocsError(
                f"{self.root}: no {SETTINGS_NAME} or conf.py here, so this is not a proxydocs project; "
                "run in the project's folder, or give --out DIR for a copy of the snippets")
        return docs
