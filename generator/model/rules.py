"""Rules that involve more than one key, as data: the CLI checks them here, and the page's
script (site/static/core.js) checks the very same list, so the form refuses exactly what
`proxydocs render --set` refuses, with the same message.

A rule is the key it reports, the conditions that make it fail (all must hold), the reason,
and its fixes: changes that satisfy it, in order of preference (used to change one key at a
time and stay valid: the feeds experiment, the property tests, the form's topology switch).
`form` says whether the page's form applies the fix by itself: yes for the topology pairs,
never for a safety rule, which the reader must settle in the form. A condition is
(key, test, argument): "set" and "empty" (a string value), "is" and "is_not" (equals the
argument), "not_loopback" (an address Lima would not rewrite). {key} in a reason is replaced
by that key's value, quoted as every message quotes values.
"""

from __future__ import annotations

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
)

_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "set": lambda value, _: value != "",
    "empty": lambda value, _: value == "",
    "is": lambda value, arg: value == arg,
    "is_not": lambda value, arg: value != arg,
    "not_loopback": lambda value, _: not is_loopback(value),
}


def _breaks(rule: dict[str, Any], values: Mapping[str, Any]) -> bool:
    return all(_TESTS[test](values[key], rest[0] if rest else None) for key, test, *rest in rule["when"])


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
    """(origin, key, reason) for every rule the values break; `origin` says where a key's
    value came from (the file or --set)."""
    out = []
    for rule in RULES:
        if _breaks(rule, values):
            reason = rule["reason"]
            for key in values:
                reason = reason.replace("{" + key + "}", printable(str(values[key])))
            out.append((origin(rule["key"]), rule["key"], reason))
    return out
