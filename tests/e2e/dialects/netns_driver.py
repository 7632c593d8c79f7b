"""Run a batch of proxy probes inside a private network namespace; print JSON results.

Started by test_dialects.py as ``unshare --net --mount python3 netns_driver.py < cases.json``.
Inside the new namespaces it brings up ``lo``, bind-mounts its own /etc/hosts (test names map
to documentation addresses that have no route here) and /etc/resolv.conf (loopback only), and
starts one logging listener per proxy port. A listener never forwards anything: it looks at
the first bytes of each connection and logs what the consumer asked for:

* ``http``    an absolute-URI request (``GET http://host/ HTTP/1.1``), answered 200 by itself;
* ``connect`` a ``CONNECT host:port`` request, answered 403;
* ``tls``     a TLS ClientHello (the consumer treats the proxy URL as ``https://``);
* ``socks5``  a SOCKS5 CONNECT; the target is logged as sent (``name`` or ``ip`` address type).

Anything else is logged as ``unknown``. A consumer that decides to connect directly fails at
once (no route, no DNS) and leaves no entry, so an empty log means "not proxied". Every case
runs with a clean environment holding only PATH, HOME, LANG and the case's own variables. A
case with ``argv`` runs as its own process; cases naming the same ``batch`` runner
(py_consumer.py) go to one process as JSON. Nothing leaves the namespace.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

HOSTS = {"registry.example.com": "198.51.100.7", "example.com": "198.51.100.8"}


def setup_namespace(workdir: str) -> None:
    for ns in ("net", "mnt"):  # never bind-mount over the /etc/hosts of the caller's namespace
        if os.readlink(f"/proc/self/ns/{ns}") == os.readlink(f"/proc/{os.getppid()}/ns/{ns}"):
            sys.exit(f"netns_driver.py must run in a {ns} namespace of its own (unshare --net --mount)")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts = os.path.join(workdir, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n::1 localhost\n")
        f.writelines(f"{ip} {name}\n" for name, ip in HOSTS.items())
    resolv = os.path.join(workdir, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\n")
    for src, dst in ((hosts, "/etc/hosts"), (resolv, "/etc/resolv.conf")):
        subprocess.run(["mount", "--bind", src, dst], check=True)


class Listeners:
    """Logging proxy listeners on 127.0.0.1, served by one asyncio loop in a thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.log: dict[int, list[dict[str, str]]] = {}
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def open(self, count: int) -> list[int]:
        return asyncio.run_coroutine_threadsafe(self._open(count), self.loop).result()

    async def _open(self, count: int) -> list[int]:
        ports = []
        for _ in range(count):
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            self.log[port] = []
            ports.append(port)
        return ports

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            first = await asyncio.wait_for(reader.read(1), 5)
            if first == b"\x16":
                self.log[port].append({"kind": "tls", "target": ""})
            elif first == b"\x05":
                await self._socks5(port, reader, writer)
            elif first:
                line = first + await asyncio.wait_for(reader.readline(), 5)
                method, target, version = (line.decode("latin-1").split() + ["", "", ""])[:3]
                if not version.startswith("HTTP/"):
                    self.log[port].append({"kind": "unknown", "target": repr(line[:40])})
                elif method == "CONNECT":
                    self.log[port].append({"kind": "connect", "target": target})
                    writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                else:
                    self.log[port].append({"kind": "http", "target": target})
                    while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                        pass
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n"
                                 b"Content-Type: text/plain\r\n\r\nok\n")
                await writer.drain()
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _socks5(self, port: int, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        nmethods = (await reader.readexactly(1))[0]
        await reader.readexactly(nmethods)
        writer.write(b"\x05\x00")  # no authentication
        _ver, _cmd, _rsv, atyp = await reader.readexactly(4)
        if atyp == 3:
            size = (await reader.readexactly(1))[0]
            target, kind = (await reader.readexactly(size)).decode(), "name"
        else:
            raw = await reader.readexactly(4 if atyp == 1 else 16)
            target, kind = str(ipaddress.ip_address(raw)), "ip"
        dport = int.from_bytes(await reader.readexactly(2), "big")
        self.log[port].append({"kind": "socks5", "atyp": kind, "target": f"{target}:{dport}"})
        writer.write(b"\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00")  # refused by ruleset

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def fill(text: str, ports: list[int]) -> str:
    """Put a case's listener ports in place of "{P0}", "{P1}"."""
    for i, port in enumerate(ports):
        text = text.replace(f"{{P{i}}}", str(port))
    return text


def case_env(case: dict, ports: list[int], home: str) -> dict[str, str]:
    return BASE_ENV | {"HOME": home} | {k: fill(v, ports) for k, v in case.get("env", {}).items()}


def run(argv: list[str], env: dict[str, str], stdin: str | None = None) -> dict:
    try:
        done = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True,
                              timeout=60 if stdin else 20)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        rc, out, err = -1, str(exc.stdout or ""), f"timeout: {exc}"
    return {"rc": rc, "stdout": out, "stderr": err[-400:]}


def run_case(case: dict, ports: list[int], home: str) -> dict[str, dict]:
    argv = [fill(a, ports) for a in case["argv"]]
    done = run(argv, case_env(case, ports, home))
    return {case["id"]: dict(done, stdout=done["stdout"][-400:])}


def run_batch(argv: list[str], items: list[tuple[dict, list[int]]], home: str) -> dict[str, dict]:
    """Cases sharing a batch runner (py_consumer.py) go to one process: JSON in, JSON out."""
    batch = [{"id": c["id"], "url": c["url"], "env": case_env(c, p, home)} for c, p in items]
    done = run(argv, BASE_ENV | {"HOME": home}, json.dumps(batch))
    if done["rc"] != 0:
        failed = dict(done, stdout=done["stdout"][-400:], stderr=f"batch runner: {done['stderr']}")
        return {c["id"]: failed for c, _ in items}
    return json.loads(done["stdout"])


def main() -> None:
    request = json.load(sys.stdin)
    with tempfile.TemporaryDirectory(prefix="dialects-ns-") as workdir:
        setup_namespace(workdir)
        listeners = Listeners()
        try:
            cases = request["cases"]
            ports = {c["id"]: listeners.open(c.get("ports", 1)) for c in cases}
            batches: dict[tuple[str, ...], list[tuple[dict, list[int]]]] = {}
            for c in cases:
                if "batch" in c:
                    batches.setdefault(tuple(c["batch"]), []).append((c, ports[c["id"]]))
            with ThreadPoolExecutor(request.get("jobs", 4)) as pool:
                futures = [pool.submit(run_batch, list(argv), items, workdir)
                           for argv, items in batches.items()]
                futures += [pool.submit(run_case, c, ports[c["id"]], workdir)
                            for c in cases if "batch" not in c]
                runs = {k: v for f in futures for k, v in f.result().items()}
            results = {}
            for c in cases:
                events = [dict(e, proxy=i) for i, p in enumerate(ports[c["id"]])
                          for e in listeners.log[p]]
                results[c["id"]] = dict(runs[c["id"]], events=events)
        finally:
            listeners.stop()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
