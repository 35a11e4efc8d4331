"""Stored text placed inside a WhatsApp message: one line, and nothing WhatsApp reads as a marker.

WhatsApp formats text between `*` (bold), `_` (italic), `~` (strike-through) and backticks
(code), and has no escape character: a unit called `SAT *A*` inside the layouts' `*{unit}*`
would end the bold early and leave stray stars, and a name holding a newline would start a
line of its own. Names, units and client names pass through `inline` before a layout prints
them; the markers become look-alike characters, so the text still reads the same.
"""

from __future__ import annotations

MARKERS = "*_~`"
_LOOK_ALIKES = str.maketrans({"*": "∗", "_": "＿", "~": "∼", "`": "ˋ"})
# What `str.split()` splits on (`str.isspace`), the plain space aside; a unit test keeps the
# list whole.
OTHER_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Characters `inline` replaces. Most names need nothing, and a recap prints thousands: this
# check costs about a quarter of splitting, joining and translating every name.
_CHANGED = frozenset(MARKERS + OTHER_SPACES)


def inline(text: str | None, empty: str = "-") -> str:
    """`text` on one line (any run of whitespace is one space) without formatting markers;
    `empty` when nothing is left, so a heading never prints as an empty `**`."""
    if not text:
        return empty
    if _CHANGED.isdisjoint(text) and "  " not in text and text[0] != " " != text[-1]:
        return text
    return " ".join(text.split()).translate(_LOOK_ALIKES) or empty
