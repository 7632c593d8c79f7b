"""What the programs that read a snippet will not honour, from the dialect table
(generator/model/dialects.py, each rule proven with the real program): a NO_PROXY entry a
program ignores (it then sends that traffic to the proxy), or a proxy scheme it cannot speak.
The manifest's `consumers` says which programs read each snippet. These are warnings: the
file is right, the programs differ."""

from __future__ import annotations

from ..model import dialects
from .core import EVERY_KIND, Finding, Target, register


RANK = {name: i for i, name in enumerate(dialects.CONSUMERS)}  # the dialect table's order


@register(EVERY_KIND)
def check_dialects(t: Target) -> list[Finding]:
    consumers = t.snippet.consumers
    if not consumers:
        return []
    forms = dict(dialects.entry_forms(t.expect.no_proxy.split(",")))
    findings = []
    for entry, name, _ in dialects.problems(t.expect.no_proxy.split(","), consumers):
        form = dialects.FORMS[forms[entry]].label if forms[entry] in dialects.FORMS else forms[entry]
        findings.append(_grouped(t, f"NO_PROXY {entry!a} ({form}) is ignored by {{}}: they send that traffic "
                                    "to the proxy", name, dialects.CONSUMERS[name].label))
    scheme = t.expect.url.split("://", 1)[0]
    for name in consumers:
        if dialects.accepts(name, scheme) is False:
            c = dialects.CONSUMERS[name]
            findings.append(_grouped(t, f"{{}} cannot use a {scheme}:// proxy: give them the HTTP bridge "
                                        "(privoxy) instead", name, f"{c.label} ({', '.join(c.programs)})"))
    return findings


def _grouped(t: Target, topic: str, consumer: str, label: str) -> Finding:
    """A warning about the settings, with the consumer as its item (see merge_warnings)."""
    return t.warning(topic.format(label), group=(topic, RANK[consumer], label))
