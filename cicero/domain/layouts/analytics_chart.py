"""The analytics' charts drawn on the server as SVG (issue 17): the daily trend of interactions
and the side-by-side comparison of a directorate's accounts. No script, no library; every
label escaped; presentation attributes only (the pages' CSP allows no inline style). Pure:
values in, markup out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cicero.domain.analytics.figures import AccountFigures, DayFigures

WIDTH, HEIGHT, PAD, AXIS = 640, 220, 36, 24
COLOURS = ("#1f5fa8", "#d9822b", "#7b3fa0")  # likes, comments, shares
SERIES = ("Likes", "Komentar", "Share")
ROW, LABEL_W = 22, 170


def number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def percent(r: float | None) -> str:
    return "–" if r is None else f"{r * 100:.2f}".replace(".", ",") + "%"


def _head(title: str, height: int) -> str:
    t = escape(title)
    return (f'<svg class="grafik" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" aria-label="{t}"><title>{t}</title>')  # fmt: skip


def daily_trend(days: Sequence[DayFigures], title: str = "Interaksi per hari") -> str:
    """Likes, comments and shares per day, stacked; a day's posts in its bar's tooltip."""
    top = max((d.totals.interactions for d in days), default=0)
    head = _head(title, HEIGHT + 30)
    if top == 0:
        return head + f'<text x="{PAD}" y="{HEIGHT // 2}">Belum ada interaksi.</text></svg>'
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - PAD - AXIS
    slot = inner_w / len(days)
    width = max(2.0, slot * 0.7)
    parts = [head, f'<text x="4" y="{PAD - 10}" font-size="11">{number(top)}</text>',
             f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{WIDTH - PAD}" y2="{PAD + inner_h}" '
             'stroke="#999"/>']  # fmt: skip
    step = max(1, len(days) // 10)
    for i, d in enumerate(days):
        x = PAD + i * slot + (slot - width) / 2
        y = float(PAD + inner_h)
        label = d.day.strftime("%d/%m")
        t = d.totals
        for k, value in enumerate((t.likes or 0, t.comments or 0, t.shares or 0)):
            h = inner_h * value / top
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[k]}"><title>{escape(label)}: {SERIES[k]} {number(value)} '
                f"({number(t.posts)} konten)</title></rect>"
            )
        if i % step == 0:
            parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 6}" font-size="11" '
                         f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
    for k, name in enumerate(SERIES):
        lx = PAD + k * 120
        parts.append(f'<rect x="{lx}" y="{HEIGHT + 10}" width="12" height="12" fill="{COLOURS[k]}"/>'
                     f'<text x="{lx + 16}" y="{HEIGHT + 21}" font-size="12">{name}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def side_by_side(accounts: Sequence[AccountFigures], title: str = "Perbandingan akun") -> str:
    """One horizontal bar per account: its interactions, most first, with its posts and
    engagement rate written beside the bar."""
    rows = sorted(accounts, key=lambda a: (-a.totals.interactions, a.account.name))
    height = PAD + ROW * max(1, len(rows)) + 8
    head = _head(title, height)
    top = max((a.totals.interactions for a in rows), default=0)
    if not rows:
        return head + f'<text x="{PAD}" y="{PAD}">Tidak ada akun.</text></svg>'
    bar_w = WIDTH - LABEL_W - 200  # room for the detail beside the longest bar
    parts = [head]
    for i, a in enumerate(rows):
        y = PAD / 2 + i * ROW
        w = bar_w * a.totals.interactions / top if top else 0
        name = a.account.name if len(a.account.name) <= 24 else a.account.name[:23] + "…"
        detail = (f"{number(a.totals.interactions)} · {number(a.totals.posts)} konten · "
                  f"ER {percent(a.engagement_rate)}")  # fmt: skip
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 14:.1f}" font-size="12" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<rect x="{LABEL_W}" y="{y + 3:.1f}" width="{max(w, 1.0):.1f}" height="{ROW - 6}" '
            f'fill="{COLOURS[0]}"><title>{escape(a.account.name)}: {escape(detail)}</title></rect>'
            f'<text x="{LABEL_W + max(w, 1.0) + 6:.1f}" y="{y + 14:.1f}" font-size="11">'
            f"{escape(detail)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
