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


def inline(text: str | None, empty: str = "-") -> str:
    """`text` on one line (any run of whitespace is one space) without formatting markers;
    `empty` when nothing is left, so a heading never prints as an empty `**`."""
    return " ".join((text or "").split()).translate(_LOOK_ALIKES) or empty
