"""`make bench`: what regeneration, builds and tests cost, as paired ratios (A B B A ... after a
warm-up of each, min and median of the per-pair ratio) or medians of repeated runs. Prints
one table on stdout and its progress on stderr; `make bench-docs` (--write) also writes it to
docs/reference/bench.md. Not a test: nothing here asserts a time. A check that is not a
time (the documents a rebuild re-reads) stops the bench when it fails.

    bench/run.py [--write] [--only render,site,scale,suite]
    BENCH_RUNS=N (pairs per comparison, default 7)  BENCH_SMOKE=1 (a tiny run, for the tests)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import render_measures  # noqa: E402
import site_measures  # noqa: E402
import suite_measures  # noqa: E402
from timing import RUNS  # noqa: E402

SECTIONS = ("render", "site", "scale", "suite")
METHOD = """每一项的做法:

- **配对比较**(标有“median … min …”的项): 两边各预热一次，然后按 A B、B A、A B … 交替运行 {runs} 对，
  报告每对之比的中位数和最小值；CPU 时间是子进程的 user + system 时间。机器负载的变化同时落在两边。
- **中位数**: 同一命令运行多次取中位数(从空目录开始的项，每次运行前清空目录)。
- **cold**: `PYTHONPYCACHEPREFIX` 指向空目录且不写字节码，每个模块都从源码编译，如同第一次运行。
- **cog**: 在单独的虚拟环境(`.venv-bench`)中安装 cogapp，用它重新生成逐字节相同的 30 个文件，
  每个文件一个只输出其内容的 cog 块，即 cog 的下限。
- **bare Sphinx**: 同样的页面和 conf.py，但去掉 proxydocs 扩展(它的指令换成什么也不做的占位)，
  没有渲染、表单、搜索和导航的改动，使用 Sphinx 自己的中文搜索。
- **200 个项目**: 每个项目一个自己的 proxy.toml，在同一个进程里对每个项目执行 `proxydocs render` 的代码
  (先做无事可做的检查，需要时再走完整的命令行)，与命令行的行为相同，只是省去 200 次解释器启动。
- **合成页面**: `tests/support/site_tree.py` 生成的页面(每部分 20 页，每页三节中英文正文、代码块和链接)，
  加进本站的根目录树，用本项目的 conf.py 完整构建。
- **重新读取**: 不计时的检查，结果不符时基准测试以失败退出。
- **测试**: `make test` 的 pytest 运行(不含虚拟机一层，两个 worker)，连续运行 3 次(`BENCH_SUITE_RUNS`)报告中位数和最小、最大值(单次运行相差几秒)，在空闲的机器上才有意义。
  没有设置 `TMPDIR` 且 `/dev/shm` 有 2 GiB 空闲时，测试的临时文件放在内存里(`tests/conftest.py`)。
  每次运行前先检查机器是否空闲：同一个 CPU 密集的任务单独运行和两个同时运行各试两次、取较快的一次，报告单独运行的秒数(说明当时一个核心有多快)和两个同时运行相对单独运行的倍数(两个核都空闲时约为 1.00；有别的负载或两个核共享物理核心时更大)；表中给出各次运行的最小值到最大值。
- **虚拟机**: 不在这里重跑(需要几分钟)，取最近一次全部通过的 `make e2e-vm` 写下的 `tests/vm/figures.json`。
"""


def vm_rows() -> list[tuple[str, str, str]]:
    path = ROOT / "tests" / "vm" / "figures.json"
    if not path.exists():
        return []
    f = json.loads(path.read_text(encoding="utf-8"))
    checks = ", ".join(f"{k} {v:.1f} s" for k, v in f["checks_s"].items())
    return [("VM tier (`make e2e-vm`): image build cold / from the cache",
             f"{f['image_cold_s']:.1f} s / {f['image_cached_s']:.1f} s", "reported"),
            ("VM tier: boot to ssh / the whole tier", f"{f['boot_s']:.1f} s / {f['tier_s']:.1f} s", "reported"),
            ("VM tier: each check", checks, "reported")]


def machine() -> str:
    cores = os.cpu_count()
    fs = render_measures._fs(ROOT)
    return f"{platform.system()} {platform.release()}, {cores} cores, Python {platform.python_version()}, project on {fs}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="also write docs/reference/bench.md")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    args = ap.parse_args()
    only = set(args.only.split(","))
    smoke = os.environ.get("BENCH_SMOKE") == "1"
    rows: list[tuple[str, str, str]] = []
    if "render" in only:
        rows += render_measures.cli_against_jinja()
        if not smoke:
            rows += render_measures.peers()
        rows += render_measures.synthetic(4 if smoke else 200)
    if "site" in only and not smoke:
        rows += site_measures.rereads()
        rows += site_measures.against_bare()
    if "scale" in only and not smoke:
        rows += site_measures.scaling()
    if "suite" in only and not smoke:
        rows += suite_measures.suite()
    rows += vm_rows()
    table = ["| measure | result | goal |", "|---|---|---|"] + [f"| {' | '.join(r)} |" for r in rows]
    print("\n".join(table))
    if args.write and not smoke:
        page = ROOT / "docs" / "reference" / "bench.md"
        page.write_text("# 性能基准\n\n`make bench-docs` 的结果，机器: " + machine() + "。\n\n"
                        + METHOD.format(runs=RUNS) + "\n" + "\n".join(table) + "\n", encoding="utf-8")
        print(f"bench: wrote {page.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
