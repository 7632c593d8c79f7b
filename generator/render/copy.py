"""A reader's copy (`render --out DIR`): the snippets a reader puts on their own machines,
optionally those of one page only, with an index that says where each file goes, and the
settings the copy was rendered from (no password), so that `validate --root DIR` needs no
--set. Site-only files (the prose substitutions) and counter-examples are left out."""

from __future__ import annotations

from ..model.settings import Settings, to_toml
from .manifest import Snippet

INDEX = "INDEX.txt"
SETTINGS = "proxydocs-settings.toml"
# short names for the pages a copy can be limited to
PAGES = {"guide": "container/colima/colima_proxy", "archive": "container/colima/colima_proxy_archive"}
_MACHINES = {"mac": "Mac 上", "vm": "Colima 虚拟机内", "container": "容器内", "server": "墙外服务器上"}


def select(snippets: tuple[Snippet, ...], pages: tuple[str, ...] = (), topology: str = "") -> tuple[Snippet, ...]:
    """The generated snippets a reader's copy holds (of `pages` only, if given; of the
    reader's topology only, when a snippet belongs to one)."""
    wanted = {PAGES.get(p, p) for p in pages}
    return tuple(s for s in snippets if s.generated and not s.counterexample and s.machine in _MACHINES
                 and (not wanted or wanted & set(s.pages)) and s.topology in ("", topology))


def extras(settings: Settings, snippets: tuple[Snippet, ...]) -> dict[str, str]:
    """The index and the settings file of a copy holding `snippets`."""
    lines = [
        "proxydocs 按你的设置生成的文件。",
        f"生成这些文件所用的设置在 {SETTINGS} 中(不含密码)；检查它们: proxydocs validate --root <本文件夹>",
        "",
    ]
    for machine, title in _MACHINES.items():
        mine = sorted((s for s in snippets if s.machine == machine), key=lambda s: s.output)
        if not mine:
            continue
        lines.append(f"{title}:")
        for s in mine:
            where = f"写入 {s.target}" if s.target else "在终端中运行或对照"
            lines.append(f"  {s.output}")
            lines.append(f"      {where}；读取它的程序: {s.reader}")
        lines.append("")
    header = ("# The settings this copy was rendered from (proxydocs render --out). The password is never\n"
              "# written: export the variable named by proxy.password_env before rendering or validating.\n")
    return {INDEX: "\n".join(lines).rstrip("\n") + "\n", SETTINGS: header + to_toml(settings)}
