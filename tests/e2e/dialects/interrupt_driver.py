"""Interrupt `proxydocs render` at its N-th rename, for many N, at the cost of a fork each.

Run as `python interrupt_driver.py` with a JSON request on stdin:
    {"signal": "KILL" | "INT" | null, "argv": [...], "runs": [[n, out_dir], ...]}
For each run, a child forked from this process runs the command's own entry point with
`argv + ["--out", out_dir]`. The process imported proxydocs and rendered the defaults in
memory once before forking, so a child does not load the templates again (four fifths of
its time otherwise). An audit hook counts the renames (`os.rename` is the audit event of
os.rename and os.replace, raised before the system call) and, at the N-th, the child sends
itself the real signal: SIGKILL ends it on the spot, SIGINT takes Python's own Ctrl-C path.
The test checks that the hook sees the renames strace sees for the real command, by name and
in order (so none happens while the templates load, either).
With "signal": null, nothing is sent and the child reports the renames it made, each as the
name it gave (the render renames within one folder). Prints a JSON list, one [n, how, value]
per run: ["signal", number], ["exit", code] or ["renames", [name, ...]]."""

from __future__ import annotations

import json
import os
import signal
import sys

import generator.fastpath  # noqa: F401  (imported before the fork, as at the command's start)
import generator.cli  # noqa: F401
from generator import api
from generator.model.settings import load


def child(sig: int | None, n: int, argv: list[str], names_fd: int) -> None:
    renames: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event == "os.rename":  # (src, dst, src_dir_fd, dst_dir_fd)
            renames.append(os.fsdecode(args[1]))
            if sig is not None and len(renames) == n:
                os.kill(os.getpid(), sig)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # a terminal's Ctrl-C, even when run in the background
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.addaudithook(hook)
    sys.argv = ["proxydocs", *argv]
    code = 0
    try:
        generator.fastpath.entry()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    with os.fdopen(names_fd, "w") as out:
        json.dump(renames, out)
    os._exit(code)


def main() -> None:
    request = json.load(sys.stdin)
    api.render_text(load(None, []))  # the templates, loaded once for every child
    sig = getattr(signal, f"SIG{request['signal']}") if request["signal"] else None
    results = []
    for n, out in request["runs"]:
        sys.stdout.flush()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            child(sig, n, [*request["argv"], "--out", out], write_end)
        os.close(write_end)
        with os.fdopen(read_end) as names:  # read before waiting: the list may outgrow the pipe
            renames = names.read()
        _, status = os.waitpid(pid, 0)
        if sig is None:
            results.append([n, "renames", json.loads(renames)])
        elif os.WIFSIGNALED(status):
            results.append([n, "signal", os.WTERMSIG(status)])
        else:
            results.append([n, "exit", os.WEXITSTATUS(status)])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
