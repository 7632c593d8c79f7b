"""Synthetic Sphinx pages for the scaling bench and the navigation tests: N pages in parts of
`per_part` (each part a toctree of leaf pages), each with a title, three sections, Chinese and
English prose, a code block and a :doc: link to its neighbour, so it reads, indexes (jieba)
and renders like the real articles."""

from __future__ import annotations

from pathlib import Path

PROSE = ("在墙内通过 Colima 使用 Docker 时，代理需要出现在 Mac 的 shell、SSH 隧道、虚拟机的 "
         "/etc/environment、apt 以及 systemd 配置中。第 {n} 页说明如何检查 {topic} 的代理设置，"
         "并在修改后重新启动服务。The proxy for {topic} is read from HTTP_PROXY and NO_PROXY.")
TOPICS = ["docker", "containerd", "apt", "squid", "privoxy", "buildkit", "nerdctl", "ssh"]


def _title(text: str, mark: str) -> list[str]:
    return [text, mark * (len(text) * 2), ""]  # wide enough for the CJK characters


def page(n: int, neighbour: str) -> str:
    topic = TOPICS[n % len(TOPICS)]
    out = _title(f"合成页面 {n}: {topic} 代理", "=") + [PROSE.format(n=n, topic=topic), ""]
    for s, head in enumerate(["配置", "检查", "故障排查"]):
        out += _title(f"{head} {n}.{s}", "-") + [
            PROSE.format(n=n, topic=topic), "", ".. code-block:: console", "",
            f"   $ systemctl show --property=Environment {topic}", "", f"另见 :doc:`{neighbour}` 。", ""]
    return "\n".join(out)


def write(docs: Path, n: int, per_part: int = 20, folder: str = "synthetic") -> str:
    """Write the pages under docs/folder; returns the docname of their index, for a toctree."""
    root = docs / folder
    parts = (n + per_part - 1) // per_part
    top = _title("合成页面", "=") + [".. toctree::", "   :maxdepth: 2", ""]
    left = n
    for k in range(parts):
        count = min(per_part, left)
        left -= count
        part = root / f"part_{k:03d}"
        part.mkdir(parents=True, exist_ok=True)
        index = _title(f"第 {k} 部分", "=") + [PROSE.format(n=k, topic="part"), "", ".. toctree::",
                                              "   :maxdepth: 2", ""]
        for j in range(count):
            (part / f"page_{j:03d}.rst").write_text(page(k * per_part + j, f"page_{(j + 1) % count:03d}"),
                                                   encoding="utf-8")
            index.append(f"   page_{j:03d}")
        (part / "index.rst").write_text("\n".join(index) + "\n", encoding="utf-8")
        top.append(f"   part_{k:03d}/index")
    (root / "index.rst").write_text("\n".join(top) + "\n", encoding="utf-8")
    return f"{folder}/index"


def hook(docs: Path, index_docname: str) -> None:
    """Add the pages to the site's root toctree."""
    index = docs / "index.rst"
    index.write_text(index.read_text(encoding="utf-8") + "\n.. toctree::\n   :maxdepth: 2\n   :caption: 合成\n\n"
                     f"   {index_docname}\n", encoding="utf-8")
