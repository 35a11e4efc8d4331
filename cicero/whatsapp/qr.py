"""A WhatsApp pairing code as a QR image: in the terminal and for the status page.

WhatsApp's login codes (`2@…,…,…,…`) rotate every 20–60 s, so both forms are cheap to
redraw. segno is pure Python: importing this module never loads neonize.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from typing import TextIO

import segno


@dataclass(frozen=True)
class QrImage:
    code: str  # what was encoded, also shown as text for a manual check
    svg_data_uri: str  # for <img src="…"> on the status page; no file, no extra request
    terminal: str  # Unicode half blocks, two matrix rows per text line


def render(code: str, scale: int = 5) -> QrImage:
    if not code:
        raise ValueError("empty QR code")
    qr = segno.make_qr(code, error="l")  # low correction keeps the matrix small for phones
    text = io.StringIO()
    qr.terminal(out=text, compact=True)
    # Dark on light whatever the page's colours: phone cameras need the contrast.
    uri = qr.svg_data_uri(scale=scale, dark="#000", light="#fff")
    return QrImage(code, uri, text.getvalue())


def show(code: str, session: str, out: TextIO | None = None) -> QrImage:
    """Draw the code in the terminal with a line saying what to do; returns the image."""
    image = render(code)
    stream = out if out is not None else sys.stderr
    stream.write(
        f"WhatsApp session {session}: scan with WhatsApp → Linked devices → Link a device\n"
    )
    stream.write(image.terminal)
    stream.flush()
    return image


def png_data_uri(code: str, scale: int = 5) -> str:
    """The same code as a PNG data URI, for clients that do not render SVG in <img>."""
    return segno.make_qr(code, error="l").png_data_uri(scale=scale, dark="#000", light="#fff")
