"""One synthetic render for the benchmark, in one process: `settings N OUT` renders the real
templates with N settings sets into OUT/siteI; `templates N OUT` renders N distinct copies of
the templates (each set with its own manifest; a comment makes each source different, so
each is compiled) into OUT/setI. Writing goes through proxydocs' own write stage: only
changed files, atomically. A second run over the same OUT has nothing to do."""

import shutil
import sys
from pathlib import Path

from generator import api, write
from generator.model.settings import defaults, load
from generator.render import engine, manifest


def main(kind: str, n: int, out: Path) -> None:
    if kind == "settings":
        for i in range(n):
            api.render(load(None, [f"proxy.port={8000 + i}", f"tunnel.alias=Proxy{i}"]), out / f"site{i}")
        return
    source = manifest.MANIFEST.parent
    for i in range(n):
        templates = out / "templates" / f"set{i}"
        if not templates.exists():
            templates.mkdir(parents=True)
            for t in source.glob("*.j2"):
                (templates / t.name).write_text(f"{{# synthetic set {i} #}}" + t.read_text())
            shutil.copy(manifest.MANIFEST, templates / "manifest.toml")
        snippets = manifest.load(templates / "manifest.toml")
        rendered = {p: t.encode() for p, t in engine.render_all(defaults(), snippets, templates).items()}
        tree = write.Tree(out / f"set{i}")
        tree.ensure_root()
        write.apply(tree, write.plan(tree, rendered), rendered)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))
