"""The snippet manifest (snippets/manifest.toml): what each snippet is and where it goes."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import ManifestError
from ..model import dialects

# package data (the project's snippets/ folder, installed as generator.snippets)
SNIPPETS_DIR = Path(str(files("generator.snippets")))
MANIFEST = SNIPPETS_DIR / "manifest.toml"

# The kinds are not listed here: the validator registry (generator/validate) is the one list,
# and `validate` reports a snippet whose kind no validator knows.
MACHINES = ("mac", "vm", "container", "server", "docs")
TOPOLOGIES = ("", "local", "dynamic")  # the values of tunnel.forward
VIEWS = ("mac", "vm", "container")
_KEYS = {"output", "template", "vars", "kind", "machine", "target", "reader", "pages", "counterexample", "view",
         "consumers", "topology"}


@dataclass(frozen=True)
class Snippet:
    output: str  # posix path relative to the docs root
    kind: str
    machine: str
    reader: str
    pages: tuple[str, ...]
    template: str | None = None
    vars: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    target: str = ""
    counterexample: bool = False
    view: str | None = None  # whose view of the proxy URL the snippet carries
    consumers: tuple[str, ...] = ()  # the proxy dialects of the programs that read it (model/dialects.py)
    topology: str = ""  # "local" or "dynamic": a reader's copy holds it only for that tunnel.forward

    @property
    def generated(self) -> bool:
        return self.template is not None


_CACHE: dict[Path, tuple[tuple[int, int], tuple[Snippet, ...]]] = {}


def load(path: Path = MANIFEST) -> tuple[Snippet, ...]:
    """The manifest's entries, parsed once per process while the file is unchanged (a render
    of many settings sets, or Sphinx plus the catalogue, would otherwise parse it each time)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    snippets = _parse(path)
    _CACHE[path] = (stamp, snippets)
    return snippets


def _parse(path: Path) -> tuple[Snippet, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    snippets, seen = [], set()
    for i, entry in enumerate(data.get("snippet", [])):
        where = f"{path}: snippet[{i}]"
        unknown = set(entry) - _KEYS
        if unknown:
            raise ManifestError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("output", "kind", "machine", "reader", "pages"):
            if key not in entry:
                raise ManifestError(f"{where}: missing key '{key}'")
        out = PurePosixPath(entry["output"])
        if out.is_absolute() or ".." in out.parts:
            raise ManifestError(f"{where}.output: must be a relative path inside docs/")
        if not isinstance(entry["kind"], str) or not entry["kind"]:
            raise ManifestError(f"{where}.kind: must be a snippet kind (a validator's name)")
        if entry["machine"] not in MACHINES:
            raise ManifestError(f"{where}.machine: must be one of {', '.join(MACHINES)}")
        if entry.get("view", "mac") not in VIEWS:
            raise ManifestError(f"{where}.view: must be one of {', '.join(VIEWS)}")
        if str(out) in seen:
            raise ManifestError(f"{where}.output: {out} is listed twice")
        template = entry.get("template")
        if template is not None and not (path.parent / template).is_file():
            raise ManifestError(f"{where}.template: {template} does not exist in {path.parent}")
        unknown_consumers = set(entry.get("consumers", ())) - set(dialects.CONSUMERS)
        if unknown_consumers:
            raise ManifestError(f"{where}.consumers: unknown {', '.join(sorted(unknown_consumers))}; known: "
                                f"{', '.join(dialects.CONSUMERS)}")
        if entry.get("topology", "") not in TOPOLOGIES:
            raise ManifestError(f"{where}.topology: must be one of {', '.join(TOPOLOGIES[1:])} (or absent)")
        seen.add(str(out))
        snippets.append(Snippet(
            output=str(out), kind=entry["kind"], machine=entry["machine"], reader=entry["reader"],
            pages=tuple(entry["pages"]), template=template, vars=dict(entry.get("vars", {})),
            target=entry.get("target", ""), counterexample=bool(entry.get("counterexample", False)),
            view=entry.get("view"), consumers=tuple(entry.get("consumers", ())), topology=entry.get("topology", ""),
        ))
    return tuple(snippets)

