"""What the validators compare the programs' readings against: every expected value, built
once here from the settings and their derivation, so no validator recomputes its own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..model.derive import Derived, derive
from ..model.settings import Settings


@dataclass(frozen=True)
class Expect:
    settings: Settings
    view: str = "mac"  # whose view of the proxy the snippet carries (the manifest's `view`)

    @cached_property
    def derived(self) -> Derived:
        return derive(self.settings)

    @property
    def url(self) -> str:
        """The proxy URL in this snippet's view."""
        return self.derived.url(self.view)

    @property
    def no_proxy(self) -> str:
        return self.derived.no_proxy

    def env(self, view: str | None = None, case: str = "both") -> dict[str, str]:
        return dict(self.derived.env(view or self.view, case))

    def variable(self, name: str) -> str:
        """The value a proxy variable of this name should have in this view."""
        return self.no_proxy if name.lower() == "no_proxy" else self.url

    @property
    def apt_proxy(self) -> str:
        return self.url + "/"

    @property
    def ssh(self) -> dict[str, str]:
        """What `ssh -G` should print for the tunnel's alias (host names in lower case)."""
        s = self.settings
        return {"hostname": str(s["tunnel.hostname"]).lower(), "user": s["tunnel.user"],
                "port": str(s["tunnel.ssh_port"]), "identityfile": s["tunnel.identity_file"]}

    @property
    def forwards(self) -> tuple[str, list[str]]:
        """(`ssh -G`'s keyword, its lines sorted): localforward, or dynamicforward for ssh -D."""
        forwards = self.derived.forwards
        if self.derived.dynamic:
            return "dynamicforward", sorted(f"[{f.bind.strip('[]')}]:{f.port}" for f in forwards)
        return "localforward", sorted(f"[{f.bind.strip('[]')}]:{f.port} [{f.host.strip('[]')}]:{f.hostport}"
                                      for f in forwards)

    @property
    def service_env(self) -> dict[str, str]:
        """The Environment a systemd drop-in gives a service in the VM."""
        return self.env("vm", "upper")

    @property
    def daemon_proxies(self) -> dict[str, str]:
        """daemon.json's `proxies` as colima writes them (the VM's view)."""
        d = self.derived
        return {"http-proxy": d.vm_url, "https-proxy": d.vm_url, "no-proxy": d.no_proxy}

    @property
    def colima_env(self) -> dict[str, str]:
        """colima.yaml's `env:` (the Mac's view; Lima rewrites it for the VM)."""
        return self.env("mac", "upper")

    @property
    def container_create_env(self) -> set[str]:
        """`NAME=value` entries the docker CLI puts into a container from config.json."""
        return {f"{n}={v}" for n, v in self.derived.env("container")}
