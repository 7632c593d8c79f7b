"""Which settings feed which snippet, found by experiment rather than declared: each key is
changed to another valid value in turn, and every snippet whose text changes depends on it.
A declaration could drift from the templates; this cannot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import manifest, render, types as t
from .manifest import Snippet
from .settings import FIELDS, SCHEMA, Field, defaults


def other_value(field: Field, value):
    """A valid value of the field's type that differs from `value`."""
    ft = field.type
    if isinstance(ft, t.Optional):
        return other_value(Field(field.section, field.key, ft.inner, "", ""), value) if value else "x"
    if isinstance(ft, t.Integer):
        return ft.low if value != ft.low else ft.low + 1
    if isinstance(ft, t.Choice):
        return next(c for c in ft.choices if c != value)
    if isinstance(ft, t.Host):
        return "198.51.100.7" if value != "198.51.100.7" else "198.51.100.8"
    if isinstance(ft, t.NoProxyList):
        return (*value, "example.org")
    if isinstance(ft, t.AddressList):
        return (*value, "198.51.100.9")
    if isinstance(ft, t.Pattern):
        return value + "x"
    raise TypeError(f"no alternative value for {field.path}")


@dataclass(frozen=True)
class Entry:
    snippet: Snippet
    settings: tuple[str, ...]


@lru_cache(maxsize=1)
def feeds() -> dict[str, tuple[str, ...]]:
    # credentials only reach a reader's copy (render --out), so the experiment renders one
    base = defaults().replace({"proxy.user": "user"})
    environ = {other_value(FIELDS["proxy.password_env"], ""): "password"}
    snippets = manifest.load()
    reference = render.render_all(base.for_reader(environ), snippets)
    found: dict[str, list[str]] = {path: [] for path in reference}
    for field in SCHEMA:
        changed = base.replace({field.path: other_value(field, base[field.path])}).for_reader(environ)
        for path, text in render.render_all(changed, snippets).items():
            if text != reference[path]:
                found[path].append(field.path)
    return {path: tuple(keys) for path, keys in found.items()}


def entries() -> list[Entry]:
    table = feeds()
    return [Entry(s, table.get(s.output, ())) for s in manifest.load()]
