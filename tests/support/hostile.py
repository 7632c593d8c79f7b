"""Hypothesis strategies of hostile and near-valid settings texts, shared by the property
tier and the browser parity tests. Each field type supplies its own near-valid strategy."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from generator.model import types as t

# characters that mean something to at least one reader of the generated files
HOSTILE = "\n\r\t \"'`$(){}[]%#;&|<>\\*?!=,:@/~^" + "\x00\x1b\x7f\x85\u00a0\u2028\u0430\u0435\uff0e\u200b\u202e\ufeff"
SAFE = string.ascii_letters + string.digits + ".-_"
# longer pieces: IPv6 zone ids, a heredoc's end, command substitutions, format strings
FRAGMENTS = ["%eth0", "%25lo", "%\nEOF\n", "$(id)", "`id`", "${HOME}", "%s%n", "{{x}}", "\\n", "'; id; '",
             "\nProxyCommand id", "\u2028x", "\u202eexe", "::ffff:127.0.0.1", "[::1]", "1/0"]


def with_hostile_char(ft: t.FieldType):
    """A valid-looking value with one hostile character spliced in somewhere."""
    return st.tuples(ft.strategy(st), st.sampled_from(HOSTILE), st.integers(0, 64)).map(
        lambda v: v[0][: v[2]] + v[1] + v[0][v[2]:])


def with_hostile_fragment(ft: t.FieldType):
    """A valid-looking value (for a list: one of its items, at any position in the item) with a
    hostile fragment inserted."""
    def splice(args):
        text, fragment, item, at = args
        items = text.split(",")
        i = item % len(items)
        items[i] = items[i][: at % (len(items[i]) + 1)] + fragment + items[i][at % (len(items[i]) + 1):]
        return ",".join(items)

    return st.tuples(ft.strategy(st), st.sampled_from(FRAGMENTS), st.integers(0, 8), st.integers(0, 64)).map(splice)


def any_text(ft: t.FieldType):
    return st.one_of(ft.strategy(st), with_hostile_char(ft), with_hostile_fragment(ft),
                     st.text(st.sampled_from(HOSTILE + SAFE), max_size=30), st.text(max_size=20))
