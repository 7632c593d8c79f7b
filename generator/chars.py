"""The characters a reader cannot see, or that act instead of showing: one list for the
settings types (no value holds one), the render guard (no file render writes holds one),
validate (a file on disk holding one is a finding) and the CLI (it prints them as escapes).

Written as ranges of escapes, not \\s or \\p{...}: Python's re and the page's JavaScript then
read the same class whatever Unicode version each knows (page_data writes \\UXXXXXXXX as
JavaScript's \\u{...}). tests/unit/test_chars.py checks the ranges against Python's Unicode
data: every control, format, separator, private-use, surrogate and noncharacter code point,
every default-ignorable one, and every space but U+0020."""

from __future__ import annotations

import functools
import re

# C0 controls but the tab and the line feed, DEL and the C1 controls (CR is one)
CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
# spaces other than U+0020: they look like one, and no shell, ssh or systemd reads them as one
SPACES = r"\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# format characters (zero-width, bidi, soft hyphen, Arabic, Syriac, Egyptian, Kaithi and
# musical marks, annotations, tags), the line and paragraph separators, variation selectors
# and the other default-ignorable code points (Hangul fillers, Khmer vowels, Mongolian
# selectors, the combining grapheme joiner), the braille blank, private use, lone surrogates
# (bytes that were not UTF-8) and the noncharacters
_NONCHARACTERS = "".join(f"\\U{plane:04x}fffe-\\U{plane:04x}ffff" for plane in range(1, 0xF))
INVISIBLE = (r"\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f"
             r"\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef"
             r"\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffc\ufffe\uffff\U000110bd\U000110cd\U00013430-\U0001343f"
             r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff\U000f0000-\U0010ffff" + _NONCHARACTERS)

@functools.cache  # compiled on first use: the no-op render's fast path never prints
def _shown_as_escapes(one_line: bool) -> re.Pattern:
    return re.compile(f"[\\t{CONTROLS}{INVISIBLE}{chr(10) if one_line else ''}]")


def printable(text: str, *, one_line: bool = False) -> str:
    """text for a terminal: a control or invisible character (a program's own words may quote
    a file's line; a path or a key may hold one) shown as its Python escape, not sent."""
    return _shown_as_escapes(one_line).sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
