"""The machine's own pam_env reading a file as /etc/environment: libpam (through ctypes) opens
a session for a service of its own, whose only module is pam_env with `envfile=` the file,
no pam_env.conf and no ~/.pam_environment, and hands back the variables pam_env set. Nothing
runs as another user and nothing of the process's own environment changes: PAM keeps its
variables in the handle. Run as root, the thread gives up CAP_AUDIT_WRITE for the session, so
libpam's audit record of it (a session opened for nobody) is refused by the kernel, which
libpam takes as "no audit"."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import stat
import tempfile
from pathlib import Path

from ..errors import ToolMissing

SERVICE = "proxydocs-environment"
_PAM_SUCCESS = 0
_HINT = "libpam0g and libpam-modules are Debian's packages; validate reads /etc/environment files with them"


class _Conv(ctypes.Structure):
    _fields_ = [("conv", ctypes.c_void_p), ("appdata_ptr", ctypes.c_void_p)]


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_CAPABILITY_V3 = 0x20080522  # linux/capability.h: two _CapData, capabilities 0-31 in the first
_AUDIT_WRITE = 1 << 29  # CAP_AUDIT_WRITE


# pam_env asks the user nothing: a conversation that answers nothing
_CONV_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
_NO_ANSWER = _CONV_FN(lambda n, messages, replies, data: 19)  # PAM_CONV_ERR


@functools.cache  # loaded once; a failure is not kept, so it is reported each time
def _library() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("pam") or "libpam.so.0")
        start = lib.pam_start_confdir  # Linux-PAM 1.4 or later: a service file of our own
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except (OSError, AttributeError):
        raise ToolMissing(f"libpam with pam_start_confdir (Linux-PAM 1.4 or later) is not available ({_HINT})") from None
    start.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_Conv), ctypes.c_char_p,
                      ctypes.POINTER(ctypes.c_void_p)]
    lib.pam_open_session.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.pam_getenvlist.argtypes = [ctypes.c_void_p]
    lib.pam_getenvlist.restype = ctypes.POINTER(ctypes.c_void_p)  # freed here, with libc's free
    lib.pam_strerror.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.pam_strerror.restype = ctypes.c_char_p
    lib.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.capget.argtypes = libc.capset.argtypes = [ctypes.POINTER(_CapHeader), ctypes.POINTER(_CapData)]
    return lib, libc


@contextlib.contextmanager
def _without_audit(libc: ctypes.CDLL):
    """This thread without CAP_AUDIT_WRITE in its effective set (capset acts on the calling
    thread only; the permitted set keeps it, and it comes back afterwards)."""
    header, data = _CapHeader(_CAPABILITY_V3, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0 or not data[0].effective & _AUDIT_WRITE:
        yield
        return
    saved = data[0].effective
    data[0].effective &= ~_AUDIT_WRITE
    if libc.capset(ctypes.byref(header), data) != 0:
        raise ToolMissing(f"cannot give up CAP_AUDIT_WRITE for libpam's session (errno {ctypes.get_errno()})")
    try:
        yield
    finally:
        data[0].effective = saved
        restored = libc.capset(ctypes.byref(header), data) == 0  # the permitted set holds it: never seen to fail
    if not restored:  # reached only after a read that went well: an error of the read itself goes first
        raise RuntimeError(f"cannot take CAP_AUDIT_WRITE back after libpam's session (errno {ctypes.get_errno()})")


def read_environment(path: Path) -> dict[str, str]:
    """{NAME: VALUE} as pam_env sets them from PATH read as /etc/environment (values decoded
    as UTF-8, an undecodable byte as U+FFFD). pam_env is given the file as /proc/self/fd/N:
    a PAM service file cuts a line at `#` and a module argument at a blank (unless in
    brackets), and a path may hold either."""
    lib, libc = _library()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{str(path)!a} is not a regular file")
        envfile = f"/proc/self/fd/{fd}"
        if not os.path.exists(envfile):  # no /proc: the path itself, if a service file can hold it
            envfile = str(Path(path).resolve())
            if any(c.isspace() or c in "#[]" for c in envfile):
                raise ToolMissing(f"{str(path)!a}: without /proc, pam_env cannot be given a path that holds a blank, "
                                  "'#', '[' or ']'")
        with tempfile.TemporaryDirectory(prefix="proxydocs-pam-") as confdir:
            (Path(confdir) / "other").write_text("")  # else libpam logs that it has no default service
            (Path(confdir) / SERVICE).write_bytes(os.fsencode(
                f"session required pam_env.so readenv=1 envfile={envfile} user_readenv=0 conffile=/dev/null\n"))
            with _without_audit(libc):
                return _session(lib, libc, confdir, path)
    finally:
        os.close(fd)


def _session(lib: ctypes.CDLL, libc: ctypes.CDLL, confdir: str, path: Path) -> dict[str, str]:
    handle = ctypes.c_void_p()
    conv = _Conv(ctypes.cast(_NO_ANSWER, ctypes.c_void_p), None)
    rc = lib.pam_start_confdir(SERVICE.encode(), b"nobody", ctypes.byref(conv), os.fsencode(confdir),
                               ctypes.byref(handle))
    if rc != _PAM_SUCCESS:
        raise ToolMissing(f"libpam could not start ({rc}; {_HINT})")
    try:
        rc = lib.pam_open_session(handle, 0)
        if rc != _PAM_SUCCESS:
            why = (lib.pam_strerror(handle, rc) or b"?").decode("utf-8", "replace")
            raise ToolMissing(f"pam_env could not read {path}: {why} ({_HINT})")
        found: dict[str, str] = {}
        entries = lib.pam_getenvlist(handle)
        if entries:
            i = 0
            while entries[i]:
                name, _, value = ctypes.string_at(entries[i]).decode("utf-8", "replace").partition("=")
                found[name] = value
                libc.free(entries[i])
                i += 1
            libc.free(entries)
        return found
    finally:
        lib.pam_end(handle, rc)
