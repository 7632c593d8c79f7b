"""Run a Python proxy consumer (urllib.request or requests) for a batch of cases.

Usage: python3 -I py_consumer.py urllib|requests < cases.json, where cases.json is a list of
{"id", "env", "url"}; prints {id: {"rc", "stdout", "stderr"}} as JSON.

The library is imported once (that import is most of a fresh interpreter's cost), then each
case runs in a forked child that first replaces its whole environment with the case's. Neither
library reads proxy variables at import time: urllib builds its ProxyHandler from
getproxies() when an opener is built, requests reads the environment on every request, so each
child sees exactly what a fresh process with that environment would.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import traceback


def fetch(kind: str, url: str) -> int:
    if kind == "urllib":
        import urllib.request

        # urlopen() builds this same default opener on first use; building it here reads
        # the environment of this process, as a fresh interpreter's first urlopen() would.
        return urllib.request.build_opener().open(url, timeout=5).status
    import requests

    return requests.get(url, timeout=5).status_code


def run(kind: str, case: dict) -> dict:
    with tempfile.TemporaryFile() as out:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(out.fileno(), 2)
                signal.alarm(20)
                os.environ.clear()
                os.environ.update(case["env"])
                print(fetch(kind, case["url"]))
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return {"rc": os.waitstatus_to_exitcode(status), "stdout": "", "stderr": text[-400:]}


def main() -> None:
    kind = sys.argv[1]
    if kind == "requests":
        import requests  # noqa: F401
        import socks  # noqa: F401  (PySocks: requests' socks5/socks5h support)
    else:
        import urllib.request  # noqa: F401
    cases = json.load(sys.stdin)
    json.dump({case["id"]: run(kind, case) for case in cases}, sys.stdout)


if __name__ == "__main__":
    main()
