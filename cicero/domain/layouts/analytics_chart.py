"""The analytics' charts drawn on the server as SVG (issue 17): the daily trend of interactions
(a single day: its posts) and the side-by-side comparison of a directorate's accounts. No script, no library; every
label escaped; presentation attributes only (the pages' CSP allows no inline style). Pure:
values in, markup out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from cicero.domain.analytics.figures import AccountFigures, DayFigures, PostRow, Totals
from cicero.domain.timezone import WIB

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


@dataclass(frozen=True)
class Stack:
    """One bar: likes, comments and shares stacked, and what its tooltip adds."""

    label: str
    parts: tuple[int, int, int]
    note: str


def daily_trend(days: Sequence[DayFigures], title: str = "Interaksi per hari") -> str:
    """Likes, comments and shares per day, stacked; a day's posts in its bar's tooltip."""
    return _stacked([Stack(d.day.strftime("%d/%m"), _parts(d.totals), f"{number(d.totals.posts)} konten")
                     for d in days], title)  # fmt: skip


def per_post(posts: Sequence[PostRow], title: str = "Interaksi per konten") -> str:
    """One day's posts in upload order (a day's trend would be one bar), labelled HH.MM."""
    return _stacked([Stack(p.posted_at.astimezone(WIB).strftime("%H.%M"),
                           (p.likes or 0, p.comments or 0, p.shares or 0), p.external_id)
                     for p in posts], title)  # fmt: skip


def _parts(t: Totals) -> tuple[int, int, int]:
    return t.likes or 0, t.comments or 0, t.shares or 0


def _stacked(stacks: Sequence[Stack], title: str) -> str:
    top = max((sum(s.parts) for s in stacks), default=0)
    head = _head(title, HEIGHT + 30)
    if top == 0:
        return head + f'<text x="{PAD}" y="{HEIGHT // 2}">Belum ada interaksi.</text></svg>'
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - PAD - AXIS
    slot = inner_w / len(stacks)
    width = min(max(2.0, slot * 0.7), 60.0)
    parts = [head, f'<text x="4" y="{PAD - 10}" font-size="11">{number(top)}</text>',
             f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{WIDTH - PAD}" y2="{PAD + inner_h}" '
             'stroke="#999"/>']  # fmt: skip
    step = max(1, len(stacks) // 10)
    for i, bar in enumerate(stacks):
        x = PAD + i * slot + (slot - width) / 2
        y = float(PAD + inner_h)
        for k, value in enumerate(bar.parts):
            h = inner_h * value / top
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[k]}"><title>{escape(bar.label)}: {SERIES[k]} {number(value)} '
                f"({escape(bar.note)})</title></rect>"
            )
        if i % step == 0:
            parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 6}" font-size="11" '
                         f'text-anchor="middle">{escape(bar.label)}</text>')  # fmt: skip
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
