"""The one settings schema: every key, its type, its default and its help text.

The schema documents itself: the settings reference page and `proxydocs settings` are made
from SCHEMA, and the defaults are the values the author published. Each field and section has
an English text (the CLI's `proxydocs settings` TOML comments) and a Chinese one (`zh`, the
site's settings reference, which is in Chinese like the articles).
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
    zh: str  # the help text as the site shows it

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"


SECTIONS = {
    "proxy": "The HTTP proxy as clients on the Mac use it: the local end of the SSH tunnel.",
    "tunnel": "The SSH tunnel from the Mac to the server abroad that runs squid or privoxy.",
    "vm": "Addresses inside the Colima VM.",
    "colima": "How the Colima VM is started.",
}
SECTIONS_ZH = {
    "proxy": "Mac 上的程序使用的 HTTP 代理，也就是 SSH 隧道在 Mac 上的一端。",
    "tunnel": "从 Mac 到墙外运行 squid 或 privoxy 的服务器的 SSH 隧道。",
    "vm": "Colima 虚拟机里看到的地址。",
    "colima": "Colima 虚拟机如何启动。",
}

SCHEMA: tuple[Field, ...] = (
    Field("proxy", "scheme", t.Choice(("http", "https", "socks5h")), "http",
          "How clients talk to the proxy. squid and privoxy speak ``http``; ``socks5h`` goes with "
          "an ssh ``DynamicForward`` instead of a proxy server.",
          zh="客户端与代理通信的协议。squid 和 privoxy 用 ``http`` ； ``socks5h`` 配合 ssh 的 ``DynamicForward`` 使用，不需要代理服务器。"),
    Field("proxy", "listen", t.Host(ip_only=True), "127.0.0.1",
          "Where the tunnel's local end listens on the Mac. A loopback address is rewritten to "
          "``vm.host_address`` inside the VM, exactly as Lima does.",
          zh="隧道在 Mac 上的一端监听的地址。回环地址在虚拟机内被改写为 ``vm.host_address`` ，与 Lima 的做法相同。"),
    Field("proxy", "exposure", t.Choice(("loopback", "lan")), "loopback",
          "``loopback``: proxy.listen must be a loopback address (the Colima VM reaches the Mac's loopback "
          "at vm.host_address, so nothing else needs the proxy). ``lan`` allows any address, which opens "
          "the proxy, without a password, to every machine that can reach it.",
          zh=("``loopback`` ：``proxy.listen`` 只能是回环地址(Colima 虚拟机经 ``vm.host_address`` 就能到达 Mac 的回环地址，"
              "别的机器不需要这个代理)。 ``lan`` 允许任何地址，代价是局域网里能访问该地址的每台机器都可以无密码地使用这个代理。")),
    Field("proxy", "port", t.PORT, 3128,
          "The local port of the tunnel on the Mac (squid's default is 3128, privoxy's 8118).",
          zh="隧道在 Mac 上的本地端口(squid 的默认端口是 3128，privoxy 是 8118)。"),
    Field("proxy", "no_proxy", t.NoProxyList(),
          ("localhost", "127.0.0.1", "*.baidu.com", "192.168.0.0/16", "10.0.0.0/8"),
          "Destinations reached directly, without the proxy. One list for every file and both "
          "articles; written comma-separated into NO_PROXY/no_proxy.",
          zh=("不经代理、直接访问的地址。所有文件和两篇文章共用这一份，以逗号分隔写进 "
              "NO_PROXY/no_proxy；虚拟机对 Mac 的称呼( "
              "``host.lima.internal`` 、 ``host.docker.internal`` "
              "和 ``vm.host_address`` )会自动加在后面。")),
    Field("proxy", "user", t.Optional(t.PROXY_USER), "",
          "The proxy's user name, if it asks for one (squid ``auth_param``). Only a render for a "
          "reader's machine (``proxydocs render --out DIR``) writes it, percent-encoded, into the "
          "proxy URLs; the published site never shows credentials.",
          zh=("代理要求认证时的用户名(squid 的 ``auth_param`` "
              ")。只有为读者自己的机器渲染的副本( ``proxydocs render --out DIR`` "
              ")才把它经百分号编码后写进代理 URL；发布的站点从不显示凭据。")),
    Field("proxy", "password_env", t.Optional(t.ENV_NAME), "",
          "The name of the environment variable that holds the proxy's password when you run "
          "``proxydocs render --out DIR``; never the password itself. Needs ``proxy.user``.",
          zh="运行 ``proxydocs render --out DIR`` 时存放代理密码的环境变量的 **名字** ，而不是密码本身。需要同时设置 ``proxy.user`` 。"),
    Field("tunnel", "forward", t.Choice(("local", "dynamic")), "local",
          "``local``: an ssh LocalForward to the HTTP proxy (squid or privoxy) on the server; proxy.scheme "
          "http. ``dynamic``: an ssh DynamicForward (ssh -D), a SOCKS proxy with no proxy server at all; "
          "proxy.scheme socks5h.",
          zh=("``local`` ：ssh 的 ``LocalForward`` 转发到服务器上的 HTTP 代理(squid 或 privoxy)，配合 "
              "``proxy.scheme = \"http\"`` 。 ``dynamic`` ：ssh 的 ``DynamicForward`` ( ``ssh -D`` )，"
              "ssh 自己就是 SOCKS 代理，服务器上不需要代理软件，配合 ``proxy.scheme = \"socks5h\"`` 。")),
    Field("tunnel", "bridge_port", t.PORT, 8118,
          "With a dynamic forward: the port of a privoxy on the Mac that forwards to the SOCKS proxy, "
          "for programs that speak only HTTP proxies (wget, Python's urllib).",
          zh=("SOCKS 拓扑( ``tunnel.forward = \"dynamic\"`` )下，Mac 上把 HTTP 代理请求转给 SOCKS 代理的 privoxy "
              "监听的端口，给只会用 HTTP 代理的程序(wget、Python 的 urllib)使用。")),
    Field("tunnel", "alias", t.SSH_ALIAS, "MyProxy",
          "The ``Host`` alias of the tunnel in ``~/.ssh/config``; ``ssh ALIAS`` opens it.",
          zh="隧道在 ``~/.ssh/config`` 中的 ``Host`` 别名； ``ssh 别名`` 打开隧道。"),
    Field("tunnel", "hostname", t.Host(allow_placeholder=True), "<SERVER_IP>",
          "The server that runs the proxy. A ``<PLACEHOLDER>`` is allowed for published docs; "
          "real host names and addresses are validated.",
          zh="运行代理的服务器。发布的文档可以用 ``<SERVER_IP>`` 这样的占位符；真实的主机名和地址会被检查。"),
    Field("tunnel", "user", t.USER_NAME, "admin", "The login name on the server.",
          zh="服务器上的登录名。"),
    Field("tunnel", "ssh_port", t.PORT, 22, "The server's sshd port.",
          zh="服务器的 sshd 端口。"),
    Field("tunnel", "identity_file", t.PATH, "~/.ssh/proxy/id_rsa",
          "The private key for the server (``IdentityFile``).",
          zh="登录服务器用的私钥( ``IdentityFile`` )。"),
    Field("tunnel", "remote_host", t.Host(), "127.0.0.1",
          "Where the proxy listens, as seen from the server (loopback keeps it private).",
          zh="在服务器上看，代理监听的地址(回环地址让代理只对隧道开放)。"),
    Field("tunnel", "remote_port", t.PORT, 3128, "The proxy's port on the server.",
          zh="代理在服务器上的端口。"),
    Field("tunnel", "also_bind", t.AddressList(), (),
          "Extra local addresses the same forward binds, such as ``172.17.0.1`` (docker0) on a "
          "Linux host that runs docker directly. Leave empty on a Mac: the address does not exist "
          "there and, with ``ExitOnForwardFailure``, the failed bind takes the tunnel down.",
          zh=("同一个转发另外绑定的本地地址，例如直接运行 docker 的 Linux 主机上的 "
              "``172.17.0.1`` (docker0)。Mac 上留空：那里没有这个地址，绑定失败后 "
              "``ExitOnForwardFailure`` 会让整个隧道退出。")),
    Field("vm", "host_address", t.Host(), "192.168.5.2",
          "The Mac as seen from inside the Colima VM (Lima's gateway, ``host.lima.internal``).",
          zh="在 Colima 虚拟机内看到的 Mac 的地址(Lima 的网关，即 ``host.lima.internal`` )。"),
    Field("vm", "bridge_address", t.Host(ip_only=True), "172.17.0.1",
          "The VM as seen from its containers: the bridge gateway (docker0 on the docker runtime, "
          "nerdctl0 on the containerd runtime). Containers use it only if ``tunnel.also_bind`` lists it.",
          zh=("在容器里看到的虚拟机的网桥地址：docker 运行时是 docker0 的网关(默认 "
              "``172.17.0.1`` )，containerd 运行时是 nerdctl0 的网关(默认 "
              "``10.4.0.1`` )。只有 ``tunnel.also_bind`` "
              "含有这个地址时，容器才经它访问代理。")),
    Field("colima", "profile", t.PROFILE, "default",
          "The colima profile. Its config is ``colima.yaml`` in the profile's folder (``default`` for the "
          "default profile, else the name without a ``colima-`` prefix) in Colima's config directory: "
          "``$COLIMA_HOME`` if it exists, else ``~/.colima`` if it exists, else ``$XDG_CONFIG_HOME/colima`` "
          "if that variable is set, else ``~/.colima``.",
          zh=("Colima 的配置(profile)名。它的配置文件是 "
              "``<配置目录>/配置名/colima.yaml`` ，默认配置的文件夹是 ``default`` "
              "，其他配置去掉 ``colima-`` 前缀；配置目录依次是存在的 ``$COLIMA_HOME``"
              " 、存在的 ``~/.colima`` 、 ``$XDG_CONFIG_HOME/colima`` "
              "(设置了 ``XDG_CONFIG_HOME`` 时)、 ``~/.colima`` 。")),
    Field("colima", "vm_type", t.Choice(("vz", "qemu", "krunkit")), "vz",
          "The virtualisation backend (``vz``: Apple Virtualization, macOS 13+).",
          zh="虚拟化类型( ``vz`` : Apple Virtualization，需要 macOS 13 或更新版本)。"),
    Field("colima", "cpus", t.Integer(1, 256), 4, "Virtual CPUs of the VM.",
          zh="虚拟机的 CPU 个数。"),
    Field("colima", "memory", t.Integer(1, 1024, "GiB"), 8, "Memory of the VM in GiB.",
          zh="虚拟机的内存(GiB)。"),
    Field("colima", "runtime", t.Choice(("containerd", "docker")), "containerd",
          "The container runtime inside the VM; it cannot change after the VM is created.",
          zh="虚拟机内的容器运行时；虚拟机创建后不能更改(更换时先 ``colima delete --data`` )。"),
)

FIELDS: Mapping[str, Field] = MappingProxyType({f.path: f for f in SCHEMA})
# keys that only a reader's copy (render --out) may carry; the site publishes their defaults
READER_ONLY = frozenset({"proxy.user", "proxy.password_env"})
