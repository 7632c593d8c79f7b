"""Render every generated snippet to memory. Nothing here writes a file, and nothing is
cached on disk: a compiled template kept between runs would be code that the next run
executes, so Jinja2 compiles the templates in memory in each process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import TemplateError
from ..model.derive import derive
from ..model.settings import SECTIONS, Settings
from . import guard
from .formats import FILTERS
from .manifest import SNIPPETS_DIR, Snippet


@lru_cache(maxsize=4)
def environment(template_dir: Path = SNIPPETS_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,  # a missing value is an error, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    return env


def context(settings: Settings) -> dict:
    return {
        "s": type("S", (), {name: settings.section(name) for name in SECTIONS})(),
        "d": derive(settings),
    }


def render_all(settings: Settings, snippets: tuple[Snippet, ...], template_dir: Path = SNIPPETS_DIR) -> dict[str, str]:
    """{output path: text} for every generated snippet, in manifest order, each checked by
    the render boundary's guard."""
    guard.check_values(dict(settings.values))
    env = environment(template_dir)
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
    guard.check(out, {s.output: s.kind for s in snippets})
    return out
