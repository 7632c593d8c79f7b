"""The VM image: a Debian 13 root file system with Docker, containerd and an sshd, built once
with debootstrap and cached under ~/.cache/proxydocs/vm/<key>, where the key is a hash of this
recipe (this file, the guest files and the package list). A run never writes to the cache: it
boots from a copy-on-write overlay (see vm.py)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUITE = "trixie"
BOOTSTRAP = ["systemd", "systemd-sysv", "dbus", "iproute2", "udev"]
PACKAGES = [
    "linux-image-amd64",
    "docker.io", "docker-cli", "docker-buildx", "containerd", "runc", "iptables",
    "openssh-server", "sudo", "ca-certificates", "curl", "python3", "procps", "kmod",
    "busybox-static",   # the test image's only layer is this static busybox, copied out
    "python3-grpcio",   # to call containerd's CRI PullImage, as kubelet/k3s do (no cri-tools in Debian 13)
]
DISK_SIZE = "4G"
USER = "lima"
GUEST = Path(__file__).resolve().parent / "guest"
CACHE = Path(os.environ.get("PROXYDOCS_VM_CACHE", Path.home() / ".cache" / "proxydocs" / "vm"))


@dataclass
class Image:
    dir: Path
    built_now: bool
    seconds: float          # this run: the cold build, or the cache lookup
    cold_seconds: float     # how long the cold build of this cached image took

    @property
    def disk(self) -> Path:
        return self.dir / "disk.img"

    @property
    def kernel(self) -> Path:
        return self.dir / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.dir / "initrd.img"

    @property
    def busybox(self) -> Path:
        return self.dir / "busybox"


def recipe_key() -> str:
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    for f in sorted(GUEST.iterdir()):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update(repr((SUITE, BOOTSTRAP, PACKAGES, DISK_SIZE)).encode())
    return h.hexdigest()[:16]


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (the image comes from the same place)."""
    if os.environ.get("PROXYDOCS_VM_MIRROR"):
        return os.environ["PROXYDOCS_VM_MIRROR"]
    texts = [p.read_text(errors="replace") for p in
             [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))] if p.is_file()]
    for text in texts:
        for m in re.finditer(r"(?m)^(?:URIs:|deb)\s+(?:\[[^]]*\]\s+)?(\S+/debian)/?\s", text):
            return m.group(1)
    return "http://deb.debian.org/debian"


def _run(argv: list[str], log: Path, **kw) -> None:
    with open(log, "ab") as fh:
        fh.write(("\n$ " + " ".join(argv) + "\n").encode())
        fh.flush()
        proc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, **kw)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"image build step failed ({proc.returncode}): {' '.join(argv)}\n{tail}")


def _write(root: Path, rel: str, text: str, mode: int = 0o644) -> None:
    path = root / rel.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _configure(root: Path) -> None:
    """Make the root file system boot like a Colima VM: DHCP on Lima's network, the slirp DNS,
    a user with passwordless sudo in the docker group, and the Lima-like boot step."""
    _write(root, "/etc/hostname", "colima\n")
    _write(root, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 colima\n::1 localhost ip6-localhost ip6-loopback\n")
    _write(root, "/etc/fstab", "/dev/vda / ext4 rw,relatime 0 0\n"
                               "LABEL=cidata /mnt/lima-cidata ext4 ro,nofail 0 0\n")
    (root / "mnt/lima-cidata").mkdir(parents=True, exist_ok=True)
    _write(root, "/etc/systemd/network/10-lima.network", "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n")
    resolv = root / "etc/resolv.conf"
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    _write(root, "/etc/resolv.conf", "nameserver 192.168.5.3\noptions timeout:2 attempts:1\n")
    # Only the tiny repository behind the proxy: nothing in the VM may try Debian's mirror.
    for p in [root / "etc/apt/sources.list", *(root / "etc/apt/sources.list.d").glob("*")]:
        p.unlink(missing_ok=True)
    _write(root, "/etc/apt/sources.list.d/proxydocs.list",
           "deb [trusted=yes] http://apt.proxydocs.test/debian proxydocs main\n")
    # Ubuntu's /etc/pam.d/sudo (Colima's image is Ubuntu 24.04) reads /etc/environment; Debian's
    # does not. Without this line `sudo apt update` would behave as on Debian, not as in Colima.
    pam = root / "etc/pam.d/sudo"
    pam.write_text(pam.read_text() + "\n# As in Ubuntu: the #LIMA-START block reaches sudo\n"
                   "session    required   pam_env.so readenv=1 user_readenv=0\n")
    _write(root, f"/etc/sudoers.d/{USER}", f"{USER} ALL=(ALL) NOPASSWD:ALL\n", 0o440)
    _write(root, "/usr/local/sbin/lima-boot", (GUEST / "lima-boot").read_text(), 0o755)
    _write(root, "/etc/systemd/system/lima-boot.service", (GUEST / "lima-boot.service").read_text())
    _write(root, "/etc/ssh/sshd_config.d/lima.conf", "PasswordAuthentication no\nUseDNS no\n")


def _chroot_setup(root: Path, log: Path) -> None:
    mounts = []
    try:
        for src, dst in (("/proc", "proc"), ("/sys", "sys"), ("/dev", "dev")):
            _run(["mount", "--bind", src, str(root / dst)], log)
            mounts.append(root / dst)
        _write(root, "/usr/sbin/policy-rc.d", "#!/bin/sh\nexit 101\n", 0o755)  # start no daemon in the chroot
        shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"}
        _run(["chroot", str(root), "apt-get", "update", "-q"], log, env=env)
        _run(["chroot", str(root), "apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES], log, env=env)
        _run(["chroot", str(root), "useradd", "-m", "-s", "/bin/bash", "-G", "sudo,docker", USER], log, env=env)
        _configure(root)
        _run(["chroot", str(root), "systemctl", "enable", "systemd-networkd", "lima-boot.service"], log, env=env)
        # timers that would fetch from Debian's mirror, and a login prompt nobody reads
        _run(["chroot", str(root), "systemctl", "mask", "apt-daily.timer", "apt-daily-upgrade.timer",
              "e2scrub_all.timer", "fstrim.timer", "systemd-networkd-wait-online.service",
              "getty@tty1.service"], log, env=env)
        _run(["chroot", str(root), "apt-get", "clean"], log, env=env)
    finally:
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", str(m)], check=False)
        (root / "usr/sbin/policy-rc.d").unlink(missing_ok=True)
    shutil.rmtree(root / "var/lib/apt/lists", ignore_errors=True)
    (root / "var/lib/apt/lists/partial").mkdir(parents=True)


def _rmtree(path: Path) -> None:
    """rmtree that refuses a tree with something still mounted in it (the chroot's /proc, /dev)."""
    mounted = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    if any(m == str(path) or m.startswith(str(path) + "/") for m in mounted):
        raise RuntimeError(f"refusing to delete {path}: something is still mounted under it")
    shutil.rmtree(path, ignore_errors=True)


def build(cache: Path = CACHE, log_to: Path | None = None) -> Image:
    """The cached image for this recipe, built first if it is missing."""
    started = time.monotonic()
    key = recipe_key()
    final = cache / key
    meta = final / "meta.json"
    if meta.exists():
        cold = json.loads(meta.read_text())["build_seconds"]
        return Image(final, False, time.monotonic() - started, cold)
    cache.mkdir(parents=True, exist_ok=True)
    work = cache / f"building-{key}-{os.getpid()}"
    _rmtree(work)
    work.mkdir()
    log = log_to or work / "build.log"
    root = work / "root"
    try:
        _run(["debootstrap", "--variant=minbase", f"--include={','.join(BOOTSTRAP)}", SUITE, str(root),
              debian_mirror()], log)
        _chroot_setup(root, log)
        kernel = sorted((root / "boot").glob("vmlinuz-*"))[-1]
        initrd = sorted((root / "boot").glob("initrd.img-*"))[-1]
        shutil.copy(kernel, work / "vmlinuz")
        shutil.copy(initrd, work / "initrd.img")
        shutil.copy(root / "usr/bin/busybox", work / "busybox")
        _run(["truncate", "-s", DISK_SIZE, str(work / "disk.img")], log)
        _run(["mkfs.ext4", "-q", "-L", "root", "-d", str(root), str(work / "disk.img")], log)
        _rmtree(root)
        seconds = time.monotonic() - started
        (work / "meta.json").write_text(json.dumps({
            "key": key, "suite": SUITE, "packages": PACKAGES, "build_seconds": round(seconds, 1),
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=1) + "\n")
        for old in cache.iterdir():  # images of older recipes
            if old.is_dir() and old != work and not old.name.startswith("building-"):
                shutil.rmtree(old, ignore_errors=True)
        work.rename(final)
    except BaseException:
        _rmtree(work)
        raise
    return Image(final, True, seconds, seconds)


if __name__ == "__main__":
    image = build()
    print(f"{image.dir} ({'built' if image.built_now else 'cached'} in {image.seconds:.1f} s)")
