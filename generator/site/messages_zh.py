"""The settings types' refusals in Chinese, for the reader's form (the CLI keeps English).

Each rule is a regular expression over the English message (the subset of syntax Python and
JavaScript read alike) and a Chinese template: {1}, {2} ... are the groups, kept as they are
(values are already quoted by ascii(), keys and commands stay untranslated); {2*} translates
the group again (a message inside a message). The page script applies them in order; the
tests check that every refusal the page can produce comes out translated.
"""

from __future__ import annotations

import re

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
    (r"is set but proxy\.user is empty; set both or neither",
     "已设置，但 proxy.user 为空；两者要么都设置，要么都不设置"),
    (r"is (.+), but tunnel\.forward is dynamic \(an ssh DynamicForward speaks SOCKS\): set proxy\.scheme = \"socks5h\"",
     "是 {1}，但 tunnel.forward 是 dynamic(ssh 的 DynamicForward 是 SOCKS 代理)：请设 proxy.scheme = \"socks5h\""),
    (r"is socks5h, but tunnel\.forward is local \(a LocalForward reaches the server's HTTP proxy, which does not "
     r"speak SOCKS\): set tunnel\.forward = \"dynamic\", or proxy\.scheme = \"http\"",
     "是 socks5h，但 tunnel.forward 是 local(LocalForward 连到服务器上的 HTTP 代理，它不懂 SOCKS)：请设 "
     "tunnel.forward = \"dynamic\"，或 proxy.scheme = \"http\""),
    (r"(.+) is not a loopback address: the proxy would be open, without a password, to every machine that can "
     r"reach it; set proxy\.exposure = \"lan\" if that is what you want",
     "{1} 不是回环地址：能访问它的每台机器都可以无密码地使用这个代理；如果这正是你要的，请设 proxy.exposure = \"lan\""),
    (r"is (.+), but Lima maps vm\.host_address to the Mac's 127\.0\.0\.1 only: the VM and its containers could not "
     r"reach the tunnel; listen on 127\.0\.0\.1",
     "是 {1}，但 Lima 只把 vm.host_address 映射到 Mac 的 127.0.0.1：虚拟机和容器连不到隧道；请监听 127.0.0.1"),
    (r"is (.+), every address of the Mac: it opens the proxy to every network, and Lima does not rewrite it, so in "
     r"the VM and its containers it would mean the VM or the container itself; give one address \(127\.0\.0\.1, or "
     r"with proxy\.exposure = \"lan\" the LAN address of the Mac\)",
     "是 {1}，即 Mac 的所有地址：它把代理开放给所有网络；而且 Lima 不改写它，在虚拟机和容器里它指向虚拟机或容器自己，"
     "而不是 Mac；请给出一个地址(127.0.0.1，或在 proxy.exposure = \"lan\" 时用 Mac 的局域网地址)"),
    (r"is (.+), a multicast, broadcast, link-local or reserved address: ssh cannot listen on it for the proxy \(a "
     r"link-local one needs a zone id, which no setting takes\); give one address of the Mac \(127\.0\.0\.1, or with "
     r"proxy\.exposure = \"lan\" its LAN address\)",
     "是 {1}，这是组播、广播、链路本地或保留地址：ssh 无法为代理监听它(链路本地地址需要 zone id，而设置不接受 zone id)；"
     "请给出 Mac 的一个地址(127.0.0.1，或在 proxy.exposure = \"lan\" 时用它的局域网地址)"),
    (r"(.+) is an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "{1} 是 IPv4 映射的 IPv6 地址，ssh 无法监听它；请写 IPv4 地址"),
    (r"lists an address that is not loopback: the proxy would be open, without a password, to every machine that "
     r"can reach it; set proxy\.exposure = \"lan\" if that is what you want",
     "列出了非回环地址：能访问它的每台机器都可以无密码地使用这个代理；如果这正是你要的，请设 proxy.exposure = \"lan\""),
    (r"lists an IPv4-mapped IPv6 address, which ssh cannot listen on; write the IPv4 address",
     "列出了 IPv4 映射的 IPv6 地址，ssh 无法监听它；请写 IPv4 地址"),
    (r"lists proxy\.listen again \((.+)\): ssh forwards that address already and drops the repeated line; leave it out",
     "又列出了 proxy.listen({1})：ssh 已经转发这个地址，会丢掉重复的一行；去掉它"),
    (r"lists 0\.0\.0\.0 or ::, which open the proxy to every network, or a multicast, broadcast, link-local or "
     r"reserved address, which ssh cannot listen on; list addresses of the Mac itself",
     "列出了 0.0.0.0 或 ::(会把代理开放给所有网络)，或者组播、广播、链路本地或保留地址(ssh 无法监听)；只列 Mac 自己的地址"),
    (r"ends with a dot, and it goes into NO_PROXY, where Go, urllib, requests, wget and apt then do not match it; "
     r"write it without the dot", "以点结尾；它会写进 NO_PROXY，Go、urllib、requests、wget 和 apt 在那里匹配不到它；去掉末尾的点"),
    (r"is proxy\.port too: privoxy and the SOCKS tunnel cannot listen on the same port; pick another \(privoxy's "
     r"default is 8118\)", "与 proxy.port 相同：privoxy 和 SOCKS 隧道不能监听同一个端口；换一个(privoxy 的默认端口是 8118)"),
    (r"is set, but an ssh DynamicForward asks no password: the credentials would be copied into every file for "
     r"nothing; leave proxy\.user and proxy\.password_env empty",
     "已设置，但 ssh 的 DynamicForward 不要密码：凭据会白白复制进每个文件；请让 proxy.user 和 proxy.password_env 留空"),
    *((r"(.+) is not " + what.replace("\\", "\\\\").replace("(", r"\(").replace(")", r"\)")
       .replace(".", r"\.").replace("*", r"\*").replace("+", r"\+"), "{1} 不是" + zh)
      for what, zh in PATTERNS.items()),
]


def translate(message: str) -> str:
    """The message in Chinese, as the page shows it (core.js `translate` applies the same
    rules); a message no rule matches stays English."""
    for pattern, template in RULES:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return re.sub(r"\{(\d)(\*?)\}", lambda t: translate(m[int(t[1])]) if t[2] else m[int(t[1])], template)
    return message
