"""buildkitd.toml, read as TOML and checked against the keys buildkitd reads (moby/buildkit
v0.28.1 cmd/buildkitd/config/config.go, the toml tags of Config, GRPCConfig, OCIConfig and
ContainerdConfig; go-toml ignores any other key silently)."""

from __future__ import annotations

import tomllib

from .core import Finding, Target, register

_WORKER_COMMON = {"enabled", "platforms", "snapshotter", "gc", "reservedSpace", "maxUsedSpace", "minFreeSpace",
                  "gckeepstorage", "labels", "gcpolicy", "max-parallelism", "cniPoolSize", "networkMode",
                  "cniConfigPath", "cniBinaryPath", "bridgeName", "bridgeSubnet"}
KEYS = {
    "": {"debug", "trace", "root", "insecure-entitlements", "cdi", "grpc", "otel", "worker", "registry",
         "frontend", "system", "log", "dns", "history", "provenanceEnvDir", "cache"},
    "grpc": {"address", "debugAddress", "uid", "gid", "tls"},
    "worker": {"oci", "containerd"},
    "worker.oci": _WORKER_COMMON | {"rootless", "noProcessSandbox", "binary", "apparmor-profile", "selinux",
                                    "proxySnapshotterPath", "cdi", "defaultCgroupParent", "userRemapUnsupported",
                                    "stargzSnapshotter"},
    "worker.containerd": _WORKER_COMMON | {"address", "namespace", "defaultCgroupParent", "runtime", "apparmor-profile",
                                           "selinux", "rootless"},
}


@register("buildkitd_toml")
def check_buildkitd_toml(t: Target) -> list[Finding]:
    try:
        data = tomllib.loads(t.text)
    except tomllib.TOMLDecodeError as exc:
        return [t.finding(0, f"not TOML: {exc}")]
    findings = []

    def walk(table: dict, path: str) -> None:
        known = KEYS.get(path)
        for key, value in table.items():
            here = f"{path}.{key}" if path else key
            if known is not None and key not in known:
                findings.append(t.finding(0, f"[{path or 'top'}] {key}: buildkitd reads no such key (it is ignored "
                                             "silently); RUN steps get a proxy only from --build-arg"))
            elif isinstance(value, dict):
                walk(value, here)

    walk(data, "")
    return findings
