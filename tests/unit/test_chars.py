"""generator/chars.py's ranges hold every character a reader cannot see, by Python's own
Unicode data: a range written by hand that misses one fails here, and the settings types, the
render guard, validate and the CLI all read these ranges."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

from generator import chars

EVERY = re.compile(f"[\\t\\n {chars.CONTROLS}{chars.SPACES}{chars.INVISIBLE}]")
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), which unicodedata lacks
DEFAULT_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
                     (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]


@functools.cache
def unseen() -> frozenset[int]:
    """Every code point a reader cannot see, by Python's Unicode data (computed on first use)."""
    categories = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Zs"}
    found = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in categories} - {0x20}
    found |= {cp for a, b in DEFAULT_IGNORABLE for cp in range(a, b + 1)} | set(range(0xFDD0, 0xFDF0))
    return frozenset(found | {plane << 16 | low for plane in range(17) for low in (0xFFFE, 0xFFFF)})


@functools.cache
def matched() -> frozenset[int]:
    return frozenset(m.start() for m in EVERY.finditer("".join(map(chr, range(sys.maxunicode + 1)))))


def test_every_character_a_reader_cannot_see_is_in_the_ranges():
    missed = [f"U+{cp:04X} {unicodedata.category(chr(cp))}" for cp in sorted(unseen() - matched())]
    assert missed == [], f"Unicode {unicodedata.unidata_version}: {missed[:20]}"


def test_the_ranges_hold_nothing_a_reader_sees():
    """Beyond the lists above (and the space itself): only unassigned code points next to them,
    the braille blank (U+2800, which shows as a space) and the object replacement character
    (U+FFFC, which stands for something that is not there)."""
    extra = [f"U+{cp:04X}" for cp in sorted(matched() - unseen())
             if unicodedata.category(chr(cp)) != "Cn" and cp not in (0x20, 0x2800, 0xFFFC)]
    assert extra == [], extra


def test_printable_escapes_what_a_terminal_would_act_on():
    assert chars.printable("a\x1b[8mb\u202ec\td\n中文 e") == "a\\x1b[8mb\\u202ec\\td\n中文 e"
    assert chars.printable("a\nb\ud800", one_line=True) == "a\\nb\\ud800"
