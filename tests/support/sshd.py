"""The throwaway sshd of the e2e and VM tiers (the server abroad): its sshd_config."""

from __future__ import annotations

from pathlib import Path


def sshd_config(folder: Path, port: int, authorized: Path, extra: str = "") -> Path:
    """Write folder/sshd_config for 127.0.0.1:port, with the host key and pid file in `folder`:
    key login only (root allowed, as the tests run as root), TCP forwarding on; `extra` adds lines."""
    path = folder / "sshd_config"
    path.write_text(f"""\
ListenAddress 127.0.0.1:{port}
HostKey {folder / 'host_key'}
PidFile {folder / 'sshd.pid'}
AuthorizedKeysFile {authorized}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
""" + extra)
    return path
