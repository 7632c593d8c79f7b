"""A small fake Docker Engine API on a unix socket, so the real docker CLI can be asked what
it sends: it answers ping, version and container create, and records every request body."""

from __future__ import annotations

import json
import os
import socketserver
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

API_VERSION = "1.43"


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self) -> str:  # unix sockets have no client address
        return "unix"

    def log_message(self, *args) -> None:
        pass

    def _reply(self, code: int, body: object | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path, body))  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        if path.endswith("/_ping"):
            self._reply(200, None) if self.command == "HEAD" else self._reply(200, "OK")
        elif path.endswith("/version"):
            self._reply(200, {"ApiVersion": API_VERSION, "Version": "0.0.0-fake", "MinAPIVersion": "1.24"})
        elif path.endswith("/containers/create"):
            self._reply(201, {"Id": "0" * 64, "Warnings": []})
        else:
            self._reply(404, {"message": f"fake engine: {self.command} {path} not implemented"})

    do_GET = do_POST = do_HEAD = do_DELETE = _handle


class FakeEngine:
    """`with FakeEngine() as engine:` then run docker with DOCKER_HOST=engine.host."""

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="proxydocs-engine-")
        self.socket = Path(self._dir) / "docker.sock"
        self.server = _Server(str(self.socket), _Handler)
        self.server.requests = []  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.002}, daemon=True)

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def requests(self) -> list[tuple[str, str, bytes]]:
        return self.server.requests  # type: ignore[attr-defined]

    def create_bodies(self) -> list[dict]:
        return [json.loads(b) for m, p, b in self.requests if p.split("?")[0].endswith("/containers/create")]

    def __enter__(self) -> "FakeEngine":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
        self.socket.unlink(missing_ok=True)
        os.rmdir(self._dir)
