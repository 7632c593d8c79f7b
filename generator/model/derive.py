"""Values derived from the settings, computed once here and never in templates.

Three views of one proxy:
- the Mac's: the tunnel's local end (``proxy.listen:proxy.port``);
- the VM's: Lima rewrites a loopback host in every ``*_proxy`` variable (not ``no_proxy``) to
  the gateway address and keeps the port (lima ``pkg/cidata`` setupEnv); colima does the same
  for daemon.json. We apply the same rule, so VM-side files agree with what Lima injects;
- the containers': containers inside the VM reach the Mac the same way the VM does, unless the
  tunnel also binds the docker0 address itself (a Linux host running docker directly).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote
from dataclasses import dataclass

from . import dialects
from .addresses import format_ip, is_loopback, parse_ip
from .settings import Settings

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY")
# The Mac as the VM and its containers name it (Lima's /etc/hosts; Colima's host resolver maps
# host.docker.internal there too). Traffic to it must never enter the tunnel (colima #1293,
# lima #1113), and neither Lima nor Colima adds it to NO_PROXY, so every list carries it: Lima
# copies the Mac's NO_PROXY into the VM unchanged, so the Mac's copy needs it as well.
VM_HOST_NAMES = ("host.lima.internal", "host.docker.internal")


def no_proxy_list(entries: tuple[str, ...], vm_host_address: str) -> str:
    """The reader's NO_PROXY entries, then the names and address of the Mac as seen from the
    VM (those the reader did not list already); a lone `*` stays alone."""
    out = list(entries)
    if "*" in out and len(out) == 1:  # everything is direct already; a list would make most programs ignore `*`
        return "*"
    for extra in (*VM_HOST_NAMES, vm_host_address):
        if extra.lower() not in {e.lower() for e in out}:  # names compare without case, as every program does
            out.append(extra)
    return ",".join(out)


def url_host(host: str) -> str:
    """A host as it appears in a URL or host:port: IPv6 literals in brackets."""
    ip = parse_ip(host)
    if isinstance(ip, ipaddress.IPv6Address):
        return f"[{format_ip(ip)}]"
    return host


def userinfo(credentials: tuple[str, str | None] | None) -> str:
    """`user:password@`, each part percent-encoded (RFC 3986 userinfo), or "" for none."""
    if credentials is None:
        return ""
    user, password = credentials
    text = quote(user, safe="")
    if password is not None:
        text += ":" + quote(password, safe="")
    return text + "@"


def proxy_url(scheme: str, host: str, port: int, auth: str = "") -> str:
    return f"{scheme}://{auth}{url_host(host)}:{port}"


def lima_view(url_hostname: str, vm_host_address: str) -> str:
    """The host part Lima writes into the VM for a proxy on `url_hostname`."""
    return vm_host_address if is_loopback(url_hostname) else url_hostname


def systemd_escape(value: str) -> str:
    """Unit files expand % specifiers; a literal % must be written %%."""
    return value.replace("%", "%%")


@dataclass(frozen=True)
class Forward:
    bind: str
    port: int
    host: str | None  # None: a DynamicForward (ssh is the SOCKS proxy)
    hostport: int | None

    @property
    def keyword(self) -> str:
        return "LocalForward" if self.host is not None else "DynamicForward"

    @property
    def ssh(self) -> str:
        """The forward's arguments as written in ssh_config."""
        listen = f"{url_host(self.bind)}:{self.port}"
        return listen if self.host is None else f"{listen} {url_host(self.host)}:{self.hostport}"

    @property
    def line(self) -> str:
        """The whole ssh_config line."""
        return f"{self.keyword} {self.ssh}"


@dataclass(frozen=True)
class Derived:
    mac_host: str
    vm_host: str
    container_host: str
    mac_url: str
    vm_url: str
    container_url: str
    no_proxy: str
    forwards: tuple[Forward, ...]
    colima_folder: str  # the profile's folder in Colima's config directory
    colima_config: str
    colima_start: str
    launchd_label: str  # the tunnel's LaunchAgent
    auth: str  # "user:password@" (percent-encoded) in a reader's copy, "" on the site
    no_proxy_table: str  # which program honours which NO_PROXY entry (model/dialects.py)
    dynamic: bool  # the SOCKS topology: an ssh DynamicForward, socks5h:// URLs
    bridge_listen: str  # with dynamic: where privoxy listens on the Mac (host:port)
    bridge_mac_url: str  # with dynamic: privoxy on the Mac, an HTTP proxy in front of the SOCKS one
    bridge_vm_url: str

    def url(self, view: str) -> str:
        """The proxy URL as the Mac, the VM or the containers reach it."""
        return {"mac": self.mac_url, "vm": self.vm_url, "container": self.container_url}[view]

    def env(self, view: str, case: str = "both") -> list[tuple[str, str]]:
        """(NAME, value) of every proxy variable in `view`, in a stable order: HTTP_PROXY,
        HTTPS_PROXY, NO_PROXY. `case` is "upper", "lower" or "both" (upper first; write both:
        Go reads upper case first, curl, apt and wget lower case)."""
        upper = [(n, self.url(view)) for n in PROXY_VARS] + [("NO_PROXY", self.no_proxy)]
        lower = [(n.lower(), v) for n, v in upper]
        return {"upper": upper, "lower": lower, "both": upper + lower}[case]


def colima_folder(profile: str) -> str:
    """The folder of a profile in Colima's config directory: "default" for the default profile,
    else the name without the "colima-" prefix (colima config/profile.go)."""
    if profile in ("", "colima", "default"):
        return "default"
    return profile.removeprefix("colima-")


# Colima's config directory is $COLIMA_HOME if that exists, else ~/.colima if it exists, else
# $XDG_CONFIG_HOME/colima if XDG_CONFIG_HOME is set, else ~/.colima (colima config/files.go on
# macOS). Which one a reader's Mac uses cannot be known here, so the path names the rule's
# result; the guide states the rule beside it.
CONFIG_DIR = "<配置目录>"


def derive(s: Settings) -> Derived:
    scheme, listen, port = s["proxy.scheme"], s["proxy.listen"], s["proxy.port"]
    vm_host = lima_view(listen, s["vm.host_address"])
    container_host = s["vm.bridge_address"] if s["vm.bridge_address"] in s["tunnel.also_bind"] else vm_host
    binds = (listen, *s["tunnel.also_bind"])
    dynamic = s["tunnel.forward"] == "dynamic"
    forwards = tuple(Forward(b, port, None if dynamic else s["tunnel.remote_host"],
                             None if dynamic else s["tunnel.remote_port"]) for b in binds)
    profile = s["colima.profile"]
    auth = userinfo(s.credentials)
    start = " ".join([
        "colima start",
        *([f"--profile {profile}"] if profile != "default" else []),
        f"--runtime {s['colima.runtime']} --cpu {s['colima.cpus']} --memory {s['colima.memory']}",
        f"--vm-type={s['colima.vm_type']}",
    ])
    return Derived(
        mac_host=listen,
        vm_host=vm_host,
        container_host=container_host,
        mac_url=proxy_url(scheme, listen, port, auth),
        vm_url=proxy_url(scheme, vm_host, port, auth),
        container_url=proxy_url(scheme, container_host, port, auth),
        no_proxy=no_proxy_list(s["proxy.no_proxy"], s["vm.host_address"]),
        forwards=forwards,
        colima_folder=colima_folder(profile),
        colima_config=f"{CONFIG_DIR}/{colima_folder(profile)}/colima.yaml",
        colima_start=start,
        launchd_label=f"local.proxydocs.tunnel.{s['tunnel.alias']}",
        auth=auth,
        no_proxy_table=dialects.support_table(no_proxy_list(s["proxy.no_proxy"], s["vm.host_address"]).split(",")),
        dynamic=dynamic,
        bridge_listen=f"{url_host(listen)}:{s['tunnel.bridge_port']}",
        bridge_mac_url=proxy_url("http", listen, s["tunnel.bridge_port"]),
        bridge_vm_url=proxy_url("http", vm_host, s["tunnel.bridge_port"]),
    )
