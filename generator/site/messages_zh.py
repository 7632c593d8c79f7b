"""The settings types' refusals in Chinese, for the reader's form (the CLI keeps English).

Each rule is a regular expression over the English message (the subset of syntax Python and
JavaScript read alike) and a Chinese template: {1}, {2} ... are the groups, kept as they are
(values are already quoted by ascii(), keys and commands stay untranslated); {2*} translates
the group again (a message inside a message). The page script applies them in order; the
tests check that every refusal the page can produce comes out translated.
"""

from __future__ import annotations

import re

from ..model.rules import RULES as CROSS_KEY

# the `what` of each Pattern type (generator/model/types.py)
PATTERNS = {
    "an ssh Host alias (letters, digits, '.', '_', '-'; no spaces or wildcards)":
        "ssh 的 Host 别名(字母、数字、'.'、'_'、'-'；不能有空格或通配符)",
    "a user name (letters, digits, '.', '_', '-')": "用户名(字母、数字、'.'、'_'、'-')",
    "a path of letters, digits and ~ / . _ - + @ : (no spaces, quotes, % or control characters)":
        "由字母、数字和 ~ / . _ - + @ : 组成的路径(不能有空格、引号、% 或控制字符)",
    "a colima profile name (letters, digits, '.', '_', '-')": "colima 的 profile 名(字母、数字、'.'、'_'、'-')",
    "an environment variable name": "环境变量名",
    "a proxy user name (no spaces or control characters; it is percent-encoded in URLs)":
        "代理用户名(不能有空格或控制字符；写进 URL 时会做百分号编码)",
}

def _pattern(reason: str) -> str:
    """A reason as a pattern: its text literally (escaped so that JavaScript's u-mode reads it
    too), each {key} a group."""
    parts = re.split(r"\{[a-z_.]+\}", reason)
    return "(.+)".join(re.sub(r"[\\.^$*+?()\[\]{}|]", lambda m: "\\" + m[0], part) for part in parts)


RULES: list[tuple[str, str]] = [
    # first: a NO_PROXY entry's own refusal, whose tail is another message
    (r"entry ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"): (.+)", "条目 {1}：{2*}"),
    (r"must not be empty", "不能为空"),
    (r"must be an integer, got (.+)", "必须是整数，实际是 {1}"),
    (r"must be between (\d+) and (\d+), got (.+)", "必须在 {1} 到 {2} 之间，实际是 {3}"),
    (r"must be one of (.+); got (.+)", "必须是 {1} 之一；实际是 {2}"),
    (r"is (\d+) characters long; the limit is (\d+)", "长 {1} 个字符，上限是 {2}"),
    (r"host name is (\d+) characters long; the limit is 253", "主机名长 {1} 个字符，上限是 253"),
    (r"(.+) contains non-ASCII characters; write the host name in ASCII \(punycode\)",
     "{1} 含有非 ASCII 字符；主机名请写成 ASCII(punycode，如 xn--...)"),
    (r"(.+) is not a valid host name \(RFC 1123: labels of letters, digits and inner hyphens, 1 to 63 "
     r"characters, separated by dots\)",
     "{1} 不是合法的主机名(RFC 1123：以点分隔的标签，每段 1 到 63 个字母、数字或中间的连字符)"),
    (r"(.+) looks like an IP address but is not a valid one", "{1} 看起来像 IP 地址，但不是合法地址"),
    (r"has an empty entry \(a doubled or trailing comma\)", "有空条目(多写了一个逗号，或逗号结尾)"),
    (r"entry (.+) contains (.+); an entry is a host name, \.domain, \*\.domain, an IP address, a CIDR range or \*",
     "条目 {1} 含有 {2}；条目只能是主机名、.domain、*.domain、IP 地址、CIDR 网段或 *"),
    (r"(.+) is not a valid CIDR range", "{1} 不是合法的 CIDR 网段"),
    (r"entry (.+) contains spaces or commas; give one entry per item", "条目 {1} 含有空格或逗号；每项只写一个条目"),
    (r"must list at least one entry \(an empty NO_PROXY sends even localhost through the proxy\); "
     r"localhost and 127\.0\.0\.1 are the usual minimum",
     "至少要有一个条目(NO_PROXY 为空时连 localhost 也会走代理)；通常至少写 localhost 和 127.0.0.1"),
    (r"entry (.+) is listed twice", "条目 {1} 重复了(不分大小写)"),
    (r"entry (.+) ends with a dot: Go, urllib, requests, wget and apt then do not match the host name; write it "
     r"without the dot", "条目 {1} 以点结尾：Go、urllib、requests、wget 和 apt 因此匹配不到这个主机名；去掉末尾的点"),
    (r"lists an address twice", "有重复的地址"),
    (r"(.+) is not an IP address", "{1} 不是 IP 地址"),
    (r"a placeholder is not allowed here; give a real address", "这里不能用占位符；请写真实地址"),
    (r"(.+) is not a placeholder: write <UPPER_CASE> \(letters, digits, _\)",
     "{1} 不是占位符：占位符写成 <UPPER_CASE>(大写字母、数字、_)"),
    # the rules between keys (generator/model/rules.py)
    *((_pattern(rule["reason"]), rule["zh"]) for rule in CROSS_KEY),  # the rules between keys
    *((r"(.+) is not " + _pattern(what), "{1} 不是" + zh) for what, zh in PATTERNS.items()),
]


def translate(message: str) -> str:
    """The message in Chinese, as the page shows it (core.js `translate` applies the same
    rules); a message no rule matches stays English."""
    for pattern, template in RULES:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return re.sub(r"\{(\d)(\*?)\}", lambda t: translate(m[int(t[1])]) if t[2] else m[int(t[1])], template)
    return message
