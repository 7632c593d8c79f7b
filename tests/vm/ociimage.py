"""The test image, made without any network: one layer holding Debian's static busybox (sh,
wget, env, grep ...), an OCI config and manifest, pushed into the registry through the
registry's own API. Standard library only: it runs inside the Mac's namespace as a script.

    python3 ociimage.py BUSYBOX https://127.0.0.3 CA_FILE REPOSITORY TAG
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import ssl
import sys
import tarfile
import urllib.request
from pathlib import Path

APPLETS = ["sh", "wget", "env", "grep", "cat", "echo", "ls", "sort", "sleep", "true", "nslookup"]


def _layer(busybox: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime, info.linkname = kind, mode, 0, link
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data else None)
        for d in ("bin", "etc", "root", "tmp"):
            add(d, tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755)
        add("bin/busybox", tarfile.REGTYPE, 0o755, busybox.read_bytes())
        for applet in APPLETS:
            add(f"bin/{applet}", tarfile.SYMTYPE, 0o777, link="busybox")
        add("etc/passwd", tarfile.REGTYPE, 0o644, b"root:x:0:0:root:/root:/bin/sh\n")
    return buf.getvalue()


def image(busybox: Path) -> tuple[dict[str, bytes], bytes]:
    """(blobs by digest, manifest bytes) of the one-layer image."""
    tar = _layer(busybox)
    layer = gzip.compress(tar, mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
    }, sort_keys=True).encode()

    def desc(media: str, data: bytes) -> dict:
        return {"mediaType": media, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": desc("application/vnd.oci.image.config.v1+json", config),
        "layers": [desc("application/vnd.oci.image.layer.v1.tar+gzip", layer)],
    }, sort_keys=True).encode()
    return {desc("", b)["digest"]: b for b in (config, layer)}, manifest


def push(busybox: Path, base: str, ca: Path, repository: str, tag: str) -> str:
    context = ssl.create_default_context(cafile=str(ca))

    def call(method: str, url: str, data: bytes = b"", ctype: str = "application/octet-stream"):
        req = urllib.request.Request(url if url.startswith("http") else base + url, data=data or None, method=method,
                                     headers={"Content-Type": ctype, "Content-Length": str(len(data))})
        return urllib.request.urlopen(req, context=context, timeout=30)

    blobs, manifest = image(busybox)
    for digest, data in blobs.items():
        location = call("POST", f"/v2/{repository}/blobs/uploads/").headers["Location"]
        sep = "&" if "?" in location else "?"
        call("PUT", f"{location}{sep}digest={digest}", data)
    call("PUT", f"/v2/{repository}/manifests/{tag}", manifest, "application/vnd.oci.image.manifest.v1+json")
    return "sha256:" + hashlib.sha256(manifest).hexdigest()


if __name__ == "__main__":
    print(push(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5]))
