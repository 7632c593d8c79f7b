"""Which settings feed which snippet, found by experiment rather than declared: each key is
changed to another valid value in turn (with what a cross-key rule asks for too: a dynamic
forward comes with the socks5h scheme), and every snippet whose text changes depends on it.
A declaration could drift from the templates; this cannot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..model import rules
from ..model.settings import FIELDS, SCHEMA, defaults
from . import engine, manifest
from .manifest import Snippet


@dataclass(frozen=True)
class Entry:
    snippet: Snippet
    settings: tuple[str, ...]


@lru_cache(maxsize=1)
def feeds() -> dict[str, tuple[str, ...]]:
    # credentials only reach a reader's copy (render --out), so the experiment renders one
    base = defaults().replace({"proxy.user": "user"})
    environ = {FIELDS["proxy.password_env"].type.alternative(""): "password"}
    snippets = manifest.load()
    reference = engine.render_all(base.for_reader(environ), snippets)
    found: dict[str, list[str]] = {path: [] for path in reference}
    for field in SCHEMA:
        change = {field.path: field.type.alternative(base[field.path])}
        change.update(rules.companions({**base.values, **change}, field.path))  # what a rule asks for too
        changed = base.replace(change).for_reader(environ)
        for path, text in engine.render_all(changed, snippets).items():
            if text != reference[path]:
                found[path].append(field.path)
    return {path: tuple(keys) for path, keys in found.items()}


def entries() -> list[Entry]:
    table = feeds()
    return [Entry(s, table.get(s.output, ())) for s in manifest.load()]
