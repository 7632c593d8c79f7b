"""The one settings schema: every key, its type, its default and its help text.

The schema documents itself: the settings reference page and `proxydocs settings` are made
from SCHEMA, and the defaults are the values the author published.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from . import types as t


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    type: t.FieldType
    default: Any
    help: str

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"


SECTIONS = {
    "proxy": "The HTTP proxy as clients on the Mac use it: the local end of the SSH tunnel.",
    "tunnel": "The SSH tunnel from the Mac to the server abroad that runs squid or privoxy.",
    "vm": "Addresses inside the Colima VM.",
    "colima": "How the Colima VM is started.",
}

SCHEMA: tuple[Field, ...] = (
    Field("proxy", "scheme", t.Choice(("http", "https", "socks5h")), "http",
          "How clients talk to the proxy. squid and privoxy speak ``http``; ``socks5h`` goes with "
          "an ssh ``DynamicForward`` instead of a proxy server."),
    Field("proxy", "listen", t.Host(ip_only=True), "127.0.0.1",
          "Where the tunnel's local end listens on the Mac. A loopback address is rewritten to "
          "``vm.host_address`` inside the VM, exactly as Lima does."),
    Field("proxy", "port", t.PORT, 3128,
          "The local port of the tunnel on the Mac (squid's default is 3128, privoxy's 8118)."),
    Field("proxy", "no_proxy", t.NoProxyList(),
          ("localhost", "127.0.0.1", "*.baidu.com", "192.168.0.0/16", "10.0.0.0/8"),
          "Destinations reached directly, without the proxy. One list for every file and both "
          "articles; written comma-separated into NO_PROXY/no_proxy."),
    Field("proxy", "user", t.Optional(t.PROXY_USER), "",
          "The proxy's user name, if it asks for one (squid ``auth_param``). Only a render for a "
          "reader's machine (``proxydocs render --out DIR``) writes it, percent-encoded, into the "
          "proxy URLs; the published site never shows credentials."),
    Field("proxy", "password_env", t.Optional(t.ENV_NAME), "",
          "The name of the environment variable that holds the proxy's password when you run "
          "``proxydocs render --out DIR``; never the password itself. Needs ``proxy.user``."),
    Field("tunnel", "alias", t.SSH_ALIAS, "MyProxy",
          "The ``Host`` alias of the tunnel in ``~/.ssh/config``; ``ssh ALIAS`` opens it."),
    Field("tunnel", "hostname", t.Host(allow_placeholder=True), "<SERVER_IP>",
          "The server that runs the proxy. A ``<PLACEHOLDER>`` is allowed for published docs; "
          "real host names and addresses are validated."),
    Field("tunnel", "user", t.USER_NAME, "admin", "The login name on the server."),
    Field("tunnel", "ssh_port", t.PORT, 22, "The server's sshd port."),
    Field("tunnel", "identity_file", t.PATH, "~/.ssh/proxy/id_rsa",
          "The private key for the server (``IdentityFile``)."),
    Field("tunnel", "remote_host", t.Host(), "127.0.0.1",
          "Where the proxy listens, as seen from the server (loopback keeps it private)."),
    Field("tunnel", "remote_port", t.PORT, 3128, "The proxy's port on the server."),
    Field("tunnel", "also_bind", t.AddressList(), (),
          "Extra local addresses the same forward binds, such as ``172.17.0.1`` (docker0) on a "
          "Linux host that runs docker directly. Leave empty on a Mac: the address does not exist "
          "there and, with ``ExitOnForwardFailure``, the failed bind takes the tunnel down."),
    Field("vm", "host_address", t.Host(), "192.168.5.2",
          "The Mac as seen from inside the Colima VM (Lima's gateway, ``host.lima.internal``)."),
    Field("vm", "bridge_address", t.Host(ip_only=True), "172.17.0.1",
          "The VM as seen from its containers (the docker0 bridge gateway)."),
    Field("colima", "profile", t.PROFILE, "default",
          "The colima profile; its config is ``~/.colima/PROFILE/colima.yaml``."),
    Field("colima", "vm_type", t.Choice(("vz", "qemu", "krunkit")), "vz",
          "The virtualisation backend (``vz``: Apple Virtualization, macOS 13+)."),
    Field("colima", "cpus", t.Integer(1, 256), 4, "Virtual CPUs of the VM."),
    Field("colima", "memory", t.Integer(1, 1024, "GiB"), 8, "Memory of the VM in GiB."),
    Field("colima", "runtime", t.Choice(("containerd", "docker")), "containerd",
          "The container runtime inside the VM; it cannot change after the VM is created."),
)

FIELDS: Mapping[str, Field] = MappingProxyType({f.path: f for f in SCHEMA})
# keys that only a reader's copy (render --out) may carry; the site publishes their defaults
READER_ONLY = frozenset({"proxy.user", "proxy.password_env"})
