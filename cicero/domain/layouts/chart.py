"""Charts drawn on the server as SVG (api.md §3 "daily trend as a chart"): no script, no
library; every label escaped. Pure: values in, markup out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, PAD, AXIS = 640, 220, 28, 24


@dataclass(frozen=True)
class Bar:
    label: str
    parts: tuple[int, ...]  # stacked from the bottom, one per series


SERIES_COLOURS = ("#146c2e", "#d39b00", "#a40000", "#7a7a7a")  # sudah, kurang, belum, tanpa


def stacked_bars(bars: Sequence[Bar], series: Sequence[str], title: str) -> str:
    """A stacked bar chart with a legend; an empty chart says so."""
    top = max((sum(b.parts) for b in bars), default=0)
    head = (
        f'<svg class="grafik" role="img" viewBox="0 0 {WIDTH} {HEIGHT + 30}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    if not bars or top == 0:
        return head + f'<text x="{PAD}" y="{HEIGHT // 2}">Belum ada data.</text></svg>'
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - PAD - AXIS
    slot = inner_w / len(bars)
    width = max(2.0, slot * 0.7)
    parts = [head]
    for i, bar in enumerate(bars):
        x = PAD + i * slot + (slot - width) / 2
        y: float = PAD + inner_h
        for k, value in enumerate(bar.parts):
            h = inner_h * value / top
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                    f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}">'
                    f"<title>{escape(bar.label)}: {escape(series[k])} {value}</title></rect>"
                )
        if len(bars) <= 16 or i % max(1, len(bars) // 8) == 0:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 6}" font-size="11" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append(f'<text x="4" y="{PAD - 8}" font-size="11">{top}</text>')
    for k, name in enumerate(series):
        lx = PAD + k * 130
        parts.append(
            f'<rect x="{lx}" y="{HEIGHT + 10}" width="12" height="12" '
            f'fill="{SERIES_COLOURS[k % len(SERIES_COLOURS)]}"/>'
            f'<text x="{lx + 16}" y="{HEIGHT + 21}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
