"""One synthetic render for the benchmark, in one process: `settings N OUT` makes N projects
OUT/siteI, each a proxy.toml of its own, and runs `proxydocs render` in each as the command
does (its no-op check first, then the full CLI); `templates N OUT` renders N distinct copies of
the templates (each set with its own manifest; a comment makes each source different, so
each is compiled) into OUT/setI. Writing goes through proxydocs' own write stage: only
changed files, atomically. A second run over the same OUT has nothing to do."""

import shutil
import sys
from pathlib import Path

from generator import write
from generator.cli import main as cli_main
from generator.fastpath import try_noop
from generator.model.settings import defaults
from generator.render import engine, manifest


def main(kind: str, n: int, out: Path) -> None:
    if kind == "settings":
        for i in range(n):
            settings = out / f"site{i}" / "proxy.toml"
            if not settings.exists():
                settings.parent.mkdir(parents=True)
                settings.write_text(f'[proxy]\nport = {8000 + i}\n\n[tunnel]\nalias = "Proxy{i}"\n')
            argv = ["render", "-q", "--settings", str(settings)]
            code = try_noop(argv)
            if (cli_main(argv) if code is None else code) != 0:
                sys.exit(f"render failed in {settings.parent}")
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
