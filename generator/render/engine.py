"""Render every generated snippet to memory. Nothing here writes a file."""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import TemplateError
from ..model.derive import derive
from ..model.settings import SECTIONS, Settings
from .formats import FILTERS
from .manifest import SNIPPETS_DIR, Snippet


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's compiled templates kept between runs (keyed by each template's checksum, so
    an edited template is recompiled). A cache that cannot be written is simply not used."""

    def load_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache() -> jinja2.BytecodeCache | None:
    base = os.environ.get("PROXYDOCS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "proxydocs")
    directory = os.path.join(base, "jinja2")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(directory)


@lru_cache(maxsize=4)
def environment(template_dir: Path = SNIPPETS_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,  # a missing value is an error, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        bytecode_cache=bytecode_cache(),
    )
    env.filters.update(FILTERS)
    return env


def context(settings: Settings) -> dict:
    return {
        "s": type("S", (), {name: settings.section(name) for name in SECTIONS})(),
        "d": derive(settings),
    }


def render_all(settings: Settings, snippets: tuple[Snippet, ...]) -> dict[str, str]:
    """{output path: text} for every generated snippet, in manifest order."""
    env = environment()
    base = context(settings)
    out: dict[str, str] = {}
    for snippet in snippets:
        if not snippet.generated:
            continue
        try:
            template = env.get_template(snippet.template)
            out[snippet.output] = template.render({**base, **snippet.vars})
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or snippet.template
            line = getattr(exc, "lineno", None)
            loc = f"{where}:{line}" if line else where
            raise TemplateError(f"{loc}: {exc.message} (rendering {snippet.output})") from None
    return out
