"""The Colima-like VM: QEMU (TCG) inside the Mac's namespace on a user-mode network with Lima's
numbers, so the guest reaches the namespace's loopback at 192.168.5.2 and nothing else. It
boots the cached image through a copy-on-write overlay, with a small `cidata` disk mounted at
/mnt/lima-cidata as Lima's is."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .image import Image
from .world import GUEST_SSH_PORT, Mac, Proc, run, tail

BOOT_TIMEOUT = 420  # s; a boot under TCG takes 0.5-1.5 min
# KVM is not usable on CI's machines. Multi-threaded TCG is not used: with it the guest kernel
# sometimes died while patching its own code ("Oops: int3" in a static branch, then panic).
ACCEL = os.environ.get("PROXYDOCS_VM_ACCEL", "tcg,thread=single")


@dataclass
class VM:
    mac: Mac
    image: Image
    key: Path
    proc: Proc | None = None
    boot_seconds: float = 0.0

    @property
    def serial(self) -> Path:
        return self.mac.tmp / "serial.log"

    def boot(self, cidata: Path) -> None:
        tmp = self.mac.tmp
        overlay, disk = tmp / "overlay.qcow2", tmp / "cidata.img"
        run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", str(self.image.disk), "-F", "raw", str(overlay)])
        run(["truncate", "-s", "32M", str(disk)])
        run(["mkfs.ext4", "-q", "-L", "cidata", "-d", str(cidata), str(disk)])
        started = time.monotonic()
        self.proc = self.mac.start("qemu", [
            "qemu-system-x86_64", "-accel", ACCEL, "-cpu", "max", "-m", "3072", "-smp", "2",
            "-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd),
            "-append", "root=/dev/vda rw console=ttyS0 quiet",
            "-drive", f"file={overlay},format=qcow2,if=virtio",
            "-drive", f"file={disk},format=raw,if=virtio,readonly=on",
            "-netdev", "user,id=n0,net=192.168.5.0/24,host=192.168.5.2,dhcpstart=192.168.5.15,"
                       f"hostfwd=tcp:127.0.0.1:{GUEST_SSH_PORT}-:22",
            "-device", "virtio-net-pci,netdev=n0,romfile=",  # no PXE ROM: -kernel boots directly
            "-display", "none", "-serial", f"file:{self.serial}", "-no-reboot"])
        deadline = started + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.popen.poll() is not None:
                raise RuntimeError(f"qemu exited with {self.proc.popen.returncode}:\n{tail(self.proc.log)}\n"
                                   f"--- serial\n{tail(self.serial)}")
            # ready = sshd answers and the Lima-like boot step has run
            if self.ssh("systemctl is-active lima-boot.service", timeout=30).stdout.strip() == "active":
                self.boot_seconds = time.monotonic() - started
                return
            time.sleep(3)
        raise TimeoutError(f"the VM did not come up in {BOOT_TIMEOUT}s\n--- serial\n{tail(self.serial)}")

    def ssh(self, command: str, *, input: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run `command` in a new login session of the VM's user (like `colima ssh -- ...`): a new
        connection each time, so PAM reads /etc/environment afresh."""
        argv = ["ssh", "-F", "/dev/null", "-i", str(self.key), "-p", str(GUEST_SSH_PORT),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "lima@127.0.0.1", command]
        try:
            return self.mac.run(argv, timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(argv, 124, e.stdout or "", f"timed out after {timeout}s")

    def must(self, command: str, **kw) -> str:
        proc = self.ssh(command, **kw)
        if proc.returncode != 0:
            raise AssertionError(f"in the VM: {command}\nexit {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return proc.stdout

    def put(self, path: str, text: str) -> None:
        self.must(f"cat > {shlex.quote(path)}", input=text)

    def poweroff(self, timeout: float = 90) -> None:
        if self.proc is None or self.proc.popen.poll() is not None:
            return
        self.ssh("sudo systemctl poweroff", timeout=20)
        try:
            self.proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass  # Mac.stop() kills it
