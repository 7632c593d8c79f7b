"""The guide's executable blocks: `code-block` and `literalinclude` directives of the page that
carry `:class: proxydocs-vm-check` (run in the VM) or `proxydocs-mac-check` (run on the Mac).
The tests run what the page says, read from the page, so the page and the run cannot drift."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .project import GUIDE, ROOT

VM_MARK, MAC_MARK = "proxydocs-vm-check", "proxydocs-mac-check"
PAGE = ROOT / "docs" / f"{GUIDE}.rst"


@dataclass(frozen=True)
class Block:
    directive: str        # code-block or literalinclude
    argument: str         # the language, or the included path relative to the page
    classes: tuple[str, ...]
    content: str          # a code-block's text ("" for literalinclude)
    line: int

    @property
    def key(self) -> str:
        """How tests name the block: the included snippet's output path (docs/-relative), or
        the code-block's first line."""
        if self.directive == "literalinclude":
            return str((PAGE.parent / self.argument).resolve().relative_to((ROOT / "docs").resolve()))
        return self.content.splitlines()[0]

    def commands(self) -> list[str]:
        """A console block's commands, with `colima ssh -- ` dropped: they run in the VM."""
        out = []
        for line in self.content.splitlines():
            if line.startswith("$ "):
                out.append(re.sub(r"^colima ssh -- ", "", line[2:]))
        return out


def blocks(text: str | None = None) -> list[Block]:
    lines = (text if text is not None else PAGE.read_text()).splitlines()
    found = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)\.\. (code-block|literalinclude)::\s*(.*)$", line)
        if not m:
            continue
        indent = len(m.group(1))
        j, classes = i + 1, ()
        while j < len(lines) and re.match(rf"^\s{{{indent + 1},}}:[\w-]+:", lines[j]):
            opt = re.match(r"^\s*:class:\s*(.*)$", lines[j])
            if opt:
                classes = tuple(opt.group(1).split())
            j += 1
        content = []
        if m.group(2) == "code-block":
            j += 1  # the blank line
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                content.append(lines[j].strip())
                j += 1
        found.append(Block(m.group(2), m.group(3).strip(), classes, "\n".join(content).strip(), i + 1))
    return found


def marked(mark: str = VM_MARK) -> dict[str, Block]:
    return {b.key: b for b in blocks() if mark in b.classes}
