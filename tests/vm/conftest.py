"""Fixtures of the VM tier: one lab (image, the Mac's namespace, servers, tunnel, VM) for the
whole module, torn down by PID; and the summary printed at the end of the run."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from .project import IN_CI

TOOLS = ["unshare", "nsenter", "qemu-system-x86_64", "qemu-img", "debootstrap", "mkfs.ext4", "squid", "sshd",
         "ssh", "ssh-keygen", "docker-registry", "openssl", "curl", "python3"]
REPORT: dict = {"timings": {}, "proofs": [], "not_run": {}, "notes": [], "failed": 0}
FIGURES = Path(__file__).with_name("figures.json")  # read by bench/run.py for the benchmark page


def missing_tools() -> list[str]:
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    return [t for t in TOOLS if shutil.which(t, path=path) is None]


def require_vm_tools() -> None:
    """Fail under CI=true, skip (saying why) elsewhere."""
    problems = []
    if os.geteuid() != 0:
        problems.append("needs root (namespaces, chroot, QEMU's network); CI runs as root")
    if missing := missing_tools():
        problems.append(f"missing {', '.join(missing)} (.ci/run installs them from Debian's packages)")
    if problems:
        message = "VM tier: " + "; ".join(problems)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def lab():
    require_vm_tools()
    from .lab import boot, new_tmp, open_tunnel, setup
    tmp = new_tmp()
    started = time.monotonic()
    the_lab = None
    try:
        the_lab = setup(tmp)
        REPORT["timings"] = the_lab.timings
        open_tunnel(the_lab)
        boot(the_lab)
        the_lab.proofs = REPORT["proofs"]
        yield the_lab
    except Exception as e:
        if the_lab is not None:
            print(the_lab.logs())
        raise e
    finally:
        if the_lab is not None:
            the_lab.vm.poweroff()
            the_lab.mac.stop()
            REPORT["timings"]["tier"] = time.monotonic() - started
        if not os.environ.get("PROXYDOCS_VM_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed check shows the serial console, every daemon's log and squid's access log."""
    outcome = yield
    report = outcome.get_result()
    the_lab = getattr(item, "funcargs", {}).get("lab")
    if report.failed and the_lab is not None:
        report.sections.append(("VM tier: logs", the_lab.logs()))


def pytest_runtest_logreport(report):
    if report.failed and "tests/vm/" in report.nodeid:
        REPORT["failed"] += 1


def write_figures() -> None:
    """`make e2e-vm` keeps the figures of a fully passing run for the benchmark page."""
    t = REPORT["timings"]
    FIGURES.write_text(json.dumps({
        "image_cold_s": round(t["image_cold"], 1),
        "image_cached_s": None if t.get("image_built_now") else round(t["image"], 1),
        "boot_s": round(t["boot"], 1),
        "tier_s": round(t["tier"], 1),
        "checks_s": {k.removeprefix("check "): round(v, 1) for k, v in sorted(t.items()) if k.startswith("check ")},
    }, indent=1, ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter):
    t = REPORT["timings"]
    if not t:
        return
    if os.environ.get("PROXYDOCS_VM_FIGURES") and not REPORT["failed"] and "tier" in t and "boot" in t:
        write_figures()
    w = terminalreporter.write_line
    terminalreporter.section("VM tier: a Colima-like VM behind the generated tunnel and proxy")
    how = "built now (cold)" if t.get("image_built_now") else "from the cache"
    w(f"image: {how} in {t['image']:.1f} s; its cold build took {t['image_cold']:.1f} s")
    if "boot" in t:
        w(f"boot (QEMU start to ssh + Lima-like provisioning): {t['boot']:.1f} s")
    if "tier" in t:
        w(f"the whole tier (image, servers, boot, checks, shutdown): {t['tier']:.1f} s")
    for key in sorted(k for k in t if k.startswith("check ")):
        w(f"{key}: {t[key]:.1f} s")
    for check, line in REPORT["proofs"]:
        w(f"- {check}\n    {line}")
    for what, why in REPORT["not_run"].items():
        w(f"not run in the VM: {what}: {why}")
    for note in REPORT["notes"]:
        w(f"note: {note}")
