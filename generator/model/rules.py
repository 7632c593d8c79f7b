"""Rules that involve more than one key, as data: the CLI checks them here, and the page's
script (site/static/core.js) checks the very same list, so the form refuses exactly what
`proxydocs render --set` refuses, with the same message.

A rule is the key it reports, the conditions that make it fail (all must hold), the reason,
and its fixes: changes that satisfy it, in order of preference (used to change one key at a
time and stay valid: the feeds experiment, the property tests, the form's topology switch).
`form` says whether the page's form applies the fix by itself: yes for the topology pairs,
never for a safety rule, which the reader must settle in the form. A condition is
(key, test, argument): "set" and "empty" (a string value), "is" and "is_not" (equals the
argument), "not_loopback" (an address Lima would not rewrite), "loopback_other" (a loopback
address other than 127.0.0.1), "unspecified" (0.0.0.0 or ::), "not_unicast" (multicast, broadcast,
link-local, reserved), "mapped" (an IPv4-mapped IPv6 address), "any_not_loopback", "any_mapped" and
"any_not_one_address" (a list with such an address), "ends_with_dot", "has_key" (a list holding
the value of the key named by the argument), "same_as_key" (equals that key's value). {key}
in a reason is replaced by that key's value, quoted as every message quotes values. `zh` is
the reason as the form shows it, {1} {2} ... being the reason's values in order
(site/messages_zh.py makes its translation rule from the two).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Mapping

from .addresses import is_loopback, printable

RULES: tuple[dict[str, Any], ...] = (
    {"key": "proxy.password_env", "when": [["proxy.password_env", "set"], ["proxy.user", "empty"]],
     "reason": "is set but proxy.user is empty; set both or neither",
     "zh": "已设置，但 proxy.user 为空；两者要么都设置，要么都不设置", "fix": [{"proxy.user": "user"}], "form": False},
    {"key": "proxy.scheme", "when": [["tunnel.forward", "is", "dynamic"], ["proxy.scheme", "is_not", "socks5h"]],
     "reason": "is {proxy.scheme}, but tunnel.forward is dynamic (an ssh DynamicForward speaks SOCKS): "
               "set proxy.scheme = \"socks5h\"",
     "zh": "是 {1}，但 tunnel.forward 是 dynamic(ssh 的 DynamicForward 是 SOCKS 代理)：请设 proxy.scheme = \"socks5h\"",
     "fix": [{"proxy.scheme": "socks5h"}, {"tunnel.forward": "local"}], "form": True},
    {"key": "proxy.scheme", "when": [["tunnel.forward", "is", "local"], ["proxy.scheme", "is", "socks5h"]],
     "reason": "is socks5h, but tunnel.forward is local (a LocalForward reaches the server's HTTP proxy, which "
               "does not speak SOCKS): set tunnel.forward = \"dynamic\", or proxy.scheme = \"http\"",
     "zh": ("是 socks5h，但 tunnel.forward 是 local(LocalForward 连到服务器上的 HTTP 代理，它不懂 SOCKS)："
            "请设 tunnel.forward = \"dynamic\"，或 proxy.scheme = \"http\""),
     "fix": [{"tunnel.forward": "dynamic"}, {"proxy.scheme": "http"}], "form": True},
    {"key": "proxy.listen", "when": [["proxy.listen", "loopback_other"]],
     "reason": "is {proxy.listen}, but Lima maps vm.host_address to the Mac's 127.0.0.1 only: the VM and its "
               "containers could not reach the tunnel; listen on 127.0.0.1",
     "zh": "是 {1}，但 Lima 只把 vm.host_address 映射到 Mac 的 127.0.0.1：虚拟机和容器连不到隧道；请监听 127.0.0.1",
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "unspecified"]],
     "reason": "is {proxy.listen}, every address of the Mac: it opens the proxy to every network, and Lima does "
               "not rewrite it, so in the VM and its containers it would mean the VM or the container itself; give "
               "one address (127.0.0.1, or with proxy.exposure = \"lan\" the LAN address of the Mac)",
     "zh": ("是 {1}，即 Mac 的所有地址：它把代理开放给所有网络；而且 Lima 不改写它，在虚拟机和容器里它指向虚拟机或容器"
            "自己，而不是 Mac；请给出一个地址(127.0.0.1，或在 proxy.exposure = \"lan\" 时用 Mac 的局域网地址)"),
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "not_unicast"]],
     "reason": "is {proxy.listen}, a multicast, broadcast, link-local or reserved address: ssh cannot listen on "
               "it for the proxy (a link-local one needs a zone id, which no setting takes); give one address of the "
               "Mac (127.0.0.1, or with proxy.exposure = \"lan\" its LAN address)",
     "zh": ("是 {1}，这是组播、广播、链路本地或保留地址：ssh 无法为代理监听它(链路本地地址需要 zone id，"
            "而设置不接受 zone id)；请给出 Mac 的一个地址(127.0.0.1，或在 proxy.exposure = \"lan\" 时用它的局域网地址)"),
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "mapped"]],
     "reason": "{proxy.listen} is an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "zh": "{1} 是 IPv4 映射的 IPv6 地址，ssh 无法监听它；请写 IPv4 地址",
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.exposure", "is", "loopback"], ["proxy.listen", "not_loopback"]],
     "reason": "{proxy.listen} is not a loopback address: the proxy would be open, without a password, to every "
               "machine that can reach it; set proxy.exposure = \"lan\" if that is what you want",
     "zh": "{1} 不是回环地址：能访问它的每台机器都可以无密码地使用这个代理；如果这正是你要的，请设 proxy.exposure = \"lan\"",
     "fix": [{"proxy.exposure": "lan"}], "form": False},
    {"key": "tunnel.also_bind", "when": [["tunnel.also_bind", "any_not_one_address"]],
     "reason": "lists 0.0.0.0 or ::, which open the proxy to every network, or a multicast, broadcast, link-local "
               "or reserved address, which ssh cannot listen on; list addresses of the Mac itself",
     "zh": "列出了 0.0.0.0 或 ::(会把代理开放给所有网络)，或者组播、广播、链路本地或保留地址(ssh 无法监听)；只列 Mac 自己的地址",
     "fix": [{"tunnel.also_bind": ()}], "form": False},
    {"key": "tunnel.also_bind", "when": [["proxy.exposure", "is", "loopback"], ["tunnel.also_bind", "any_not_loopback"]],
     "reason": "lists an address that is not loopback: the proxy would be open, without a password, to every "
               "machine that can reach it; set proxy.exposure = \"lan\" if that is what you want",
     "zh": "列出了非回环地址：能访问它的每台机器都可以无密码地使用这个代理；如果这正是你要的，请设 proxy.exposure = \"lan\"",
     "fix": [{"proxy.exposure": "lan"}], "form": False},
    {"key": "tunnel.also_bind", "when": [["tunnel.also_bind", "any_mapped"]],
     "reason": "lists an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "zh": "列出了 IPv4 映射的 IPv6 地址，ssh 无法监听它；请写 IPv4 地址",
     "fix": [{"tunnel.also_bind": ()}], "form": False},
    {"key": "tunnel.also_bind", "when": [["tunnel.also_bind", "has_key", "proxy.listen"]],
     "reason": "lists proxy.listen again ({proxy.listen}): ssh forwards that address already and drops the "
               "repeated line; leave it out",
     "zh": "又列出了 proxy.listen({1})：ssh 已经转发这个地址，会丢掉重复的一行；去掉它",
     "fix": [{"tunnel.also_bind": ()}], "form": False},
    {"key": "tunnel.bridge_port", "when": [["tunnel.forward", "is", "dynamic"],
                                           ["tunnel.bridge_port", "same_as_key", "proxy.port"]],
     "reason": "is proxy.port too: privoxy and the SOCKS tunnel cannot listen on the same port; pick another "
               "(privoxy's default is 8118)",
     "zh": "与 proxy.port 相同：privoxy 和 SOCKS 隧道不能监听同一个端口；换一个(privoxy 的默认端口是 8118)",
     "fix": [{"tunnel.bridge_port": 8118}, {"proxy.port": 1080}],
     "form": False},  # never change a port the reader typed: while typing 10800 the form passes 1080
    {"key": "vm.host_address", "when": [["vm.host_address", "ends_with_dot"]],
     "reason": "ends with a dot, and it goes into NO_PROXY, where Go, urllib, requests, wget and apt then do not "
               "match it; write it without the dot",
     "zh": "以点结尾；它会写进 NO_PROXY，Go、urllib、requests、wget 和 apt 在那里匹配不到它；去掉末尾的点",
     "fix": [{"vm.host_address": "192.168.5.2"}], "form": False},
    {"key": "proxy.user", "when": [["tunnel.forward", "is", "dynamic"], ["proxy.user", "set"]],
     "reason": "is set, but an ssh DynamicForward asks no password: the credentials would be copied into every "
               "file for nothing; leave proxy.user and proxy.password_env empty",
     "zh": "已设置，但 ssh 的 DynamicForward 不要密码：凭据会白白复制进每个文件；请让 proxy.user 和 proxy.password_env 留空",
     "fix": [{"proxy.user": "", "proxy.password_env": ""}, {"tunnel.forward": "local"}], "form": False},
)


def _ip(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _mapped(value: str) -> bool:
    ip = _ip(value)
    return isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None


def _not_unicast(value: str) -> bool:
    """Not the address of one machine: multicast, IPv4 broadcast and reserved (224/3), "this
    network" (0/8), link-local (169.254/16, fe80::/10: an IPv6 one needs a zone id, which no
    setting takes), IPv4-compatible IPv6 (::/96 but :: and ::1). The unspecified address has
    its own rule. The same arithmetic as core.js's notUnicast."""
    ip = _ip(value)
    if ip is None or ip.is_unspecified:
        return False
    n = int(ip)
    if ip.version == 4:
        return n >> 24 == 0 or n >> 24 >= 224 or n >> 16 == 0xA9FE
    return n >> 120 == 0xFF or n >> 118 == 0x3FA or (n >> 32 == 0 and n > 1)


# test(value, argument, all values) -> whether the condition holds
_TESTS: dict[str, Callable[[Any, Any, Mapping[str, Any]], bool]] = {
    "set": lambda value, _, __: value != "",
    "empty": lambda value, _, __: value == "",
    "is": lambda value, arg, _: value == arg,
    "is_not": lambda value, arg, _: value != arg,
    "not_loopback": lambda value, _, __: not is_loopback(value),
    "loopback_other": lambda value, _, __: is_loopback(value) and value != "127.0.0.1" and not _mapped(value),
    "unspecified": lambda value, _, __: bool(_ip(value) and _ip(value).is_unspecified),
    "mapped": lambda value, _, __: _mapped(value),
    "not_unicast": lambda value, _, __: _not_unicast(value),
    "any_not_one_address": lambda value, _, __: any(_not_unicast(v) or _TESTS["unspecified"](v, 0, 0) for v in value),
    "ends_with_dot": lambda value, _, __: value.endswith("."),
    "any_not_loopback": lambda value, _, __: any(not is_loopback(v) for v in value),
    "any_mapped": lambda value, _, __: any(_mapped(v) for v in value),
    "has_key": lambda value, arg, values: values[arg] in value,
    "same_as_key": lambda value, arg, values: value == values[arg],
}


def _breaks(rule: dict[str, Any], values: Mapping[str, Any]) -> bool:
    return all(_TESTS[test](values[key], rest[0] if rest else None, values) for key, test, *rest in rule["when"])


def companions(values: Mapping[str, Any], changed: str, *, form: bool = False) -> dict[str, Any]:
    """The other keys to change with `changed` so that the values keep every rule (`form`:
    only the rules the page's form settles by itself). The first fix of a rule that leaves
    `changed` alone and settles the rule is taken."""
    out: dict[str, Any] = {}
    for rule in RULES:
        if (rule["form"] or not form) and _breaks(rule, {**values, **out}):
            fix = next((f for f in rule["fix"] if changed not in f and not _breaks(rule, {**values, **out, **f})), None)
            out.update(fix or {})
    return out


def problems(values: Mapping[str, Any], origin: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """(origin, key, reason) for the first rule each key breaks (the page shows one reason per
    key, too); `origin` says where a key's value came from (the file or --set)."""
    out = []
    for rule in RULES:
        if rule["key"] not in {key for _, key, _ in out} and _breaks(rule, values):  # a key's first problem
            reason = rule["reason"]
            for key in values:
                if "{" + key + "}" in reason:
                    reason = reason.replace("{" + key + "}", printable(str(values[key])))
            out.append((origin(rule["key"]), rule["key"], reason))
    return out
