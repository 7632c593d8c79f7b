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
address other than 127.0.0.1), "unspecified" (0.0.0.0 or ::), "mapped" (an IPv4-mapped IPv6
address), "any_not_loopback" and "any_mapped" (a list with such an address), "has_key" (a list holding
the value of the key named by the argument), "same_as_key" (equals that key's value). {key}
in a reason is replaced by that key's value, quoted as every message quotes values.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Mapping

from .addresses import is_loopback, printable

RULES: tuple[dict[str, Any], ...] = (
    {"key": "proxy.password_env", "when": [["proxy.password_env", "set"], ["proxy.user", "empty"]],
     "reason": "is set but proxy.user is empty; set both or neither", "fix": [{"proxy.user": "user"}],
     "form": False},
    {"key": "proxy.scheme", "when": [["tunnel.forward", "is", "dynamic"], ["proxy.scheme", "is_not", "socks5h"]],
     "reason": "is {proxy.scheme}, but tunnel.forward is dynamic (an ssh DynamicForward speaks SOCKS): "
               "set proxy.scheme = \"socks5h\"", "fix": [{"proxy.scheme": "socks5h"}, {"tunnel.forward": "local"}],
     "form": True},
    {"key": "proxy.scheme", "when": [["tunnel.forward", "is", "local"], ["proxy.scheme", "is", "socks5h"]],
     "reason": "is socks5h, but tunnel.forward is local (a LocalForward reaches the server's HTTP proxy, which "
               "does not speak SOCKS): set tunnel.forward = \"dynamic\", or proxy.scheme = \"http\"",
     "fix": [{"tunnel.forward": "dynamic"}, {"proxy.scheme": "http"}], "form": True},
    {"key": "proxy.listen", "when": [["proxy.exposure", "is", "loopback"], ["proxy.listen", "not_loopback"]],
     "reason": "{proxy.listen} is not a loopback address: the proxy would be open, without a password, to every "
               "machine that can reach it; set proxy.exposure = \"lan\" if that is what you want",
     "fix": [{"proxy.exposure": "lan"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "loopback_other"]],
     "reason": "is {proxy.listen}, but Lima maps vm.host_address to the Mac's 127.0.0.1 only: the VM and its "
               "containers could not reach the tunnel; listen on 127.0.0.1",
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "unspecified"]],
     "reason": "is {proxy.listen}, every address of the Mac: a client cannot use it as the proxy address, and "
               "it opens the proxy to every network; give one address (127.0.0.1, or with proxy.exposure = "
               "\"lan\" the Mac's LAN address)", "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "proxy.listen", "when": [["proxy.listen", "mapped"]],
     "reason": "{proxy.listen} is an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "fix": [{"proxy.listen": "127.0.0.1"}], "form": False},
    {"key": "tunnel.also_bind", "when": [["proxy.exposure", "is", "loopback"], ["tunnel.also_bind", "any_not_loopback"]],
     "reason": "lists an address that is not loopback: the proxy would be open, without a password, to every "
               "machine that can reach it; set proxy.exposure = \"lan\" if that is what you want",
     "fix": [{"proxy.exposure": "lan"}], "form": False},
    {"key": "tunnel.also_bind", "when": [["tunnel.also_bind", "any_mapped"]],
     "reason": "lists an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "fix": [{"tunnel.also_bind": ()}], "form": False},
    {"key": "tunnel.also_bind", "when": [["tunnel.also_bind", "has_key", "proxy.listen"]],
     "reason": "lists proxy.listen again ({proxy.listen}): ssh would bind the same address twice; leave it out",
     "fix": [{"tunnel.also_bind": ()}], "form": False},
    {"key": "tunnel.bridge_port", "when": [["tunnel.forward", "is", "dynamic"],
                                           ["tunnel.bridge_port", "same_as_key", "proxy.port"]],
     "reason": "is proxy.port too: privoxy and the SOCKS tunnel cannot listen on the same port; pick another "
               "(privoxy's default is 8118)", "fix": [{"tunnel.bridge_port": 8118}, {"proxy.port": 1080}],
     "form": True},
    {"key": "proxy.user", "when": [["tunnel.forward", "is", "dynamic"], ["proxy.user", "set"]],
     "reason": "is set, but an ssh DynamicForward asks no password: the credentials would be copied into every "
               "file for nothing; leave proxy.user and proxy.password_env empty",
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
    `changed` alone is taken."""
    out: dict[str, Any] = {}
    for rule in RULES:
        if (rule["form"] or not form) and _breaks(rule, {**values, **out}):
            fix = next((f for f in rule["fix"] if changed not in f), None)
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
