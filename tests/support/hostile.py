"""Hypothesis strategies of hostile and near-valid settings texts, shared by the property
tier and the browser parity tests. Each field type supplies its own near-valid strategy."""

from __future__ import annotations

import string

from hypothesis import strategies as st

from generator.model import types as t

# characters that mean something to at least one reader of the generated files
HOSTILE = "\n\r\t \"'`$(){}[]%#;&|<>\\*?!=,:@/~^" + "\x00\x1b\x7f\x85\u00a0\u2028\u0430\u0435\uff0e\u200b\u202e\ufeff"
SAFE = string.ascii_letters + string.digits + ".-_"


def with_hostile_char(ft: t.FieldType):
    """A valid-looking value with one hostile character spliced in somewhere."""
    return st.tuples(ft.strategy(st), st.sampled_from(HOSTILE), st.integers(0, 64)).map(
        lambda v: v[0][: v[2]] + v[1] + v[0][v[2]:])


def any_text(ft: t.FieldType):
    return st.one_of(ft.strategy(st), with_hostile_char(ft),
                     st.text(st.sampled_from(HOSTILE + SAFE), max_size=30), st.text(max_size=20))
