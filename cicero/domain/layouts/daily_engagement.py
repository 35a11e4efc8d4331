"""jobs.md §3.6: the daily engagement report with top and bottom 5 satkers and a closing line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from cicero.domain.layouts.blocks import dash_list
from cicero.domain.layouts.posts import PostRef, upload_key
from cicero.domain.text.calendar_id import angka, hari, jam, jam_upload, tgl, tgl_panjang

INDENT = "   "


@dataclass(frozen=True)
class SatkerScore:
    name: str
    count: int  # likes (IG) or comments (TikTok) of the satker's staff


@dataclass(frozen=True)
class Progress:
    """What the closing line reads; the caller computes these from the day's attendance."""

    ig_ratio: Fraction  # likes done / likes possible
    ig_target_met: bool
    likes_gap: int  # likes still missing to the target
    ig_backlog: int  # people not yet complete on Instagram
    tiktok_ratio: Fraction = Fraction(0)
    tiktok_backlog: int = 0


@dataclass(frozen=True)
class Thresholds:
    """jobs.md §4 defaults; config may override them."""

    ig_good: Fraction = Fraction(95, 100)
    tiktok_good: Fraction = Fraction(80, 100)
    backlog_moderate: int = 10
    backlog_high: int = 30


@dataclass(frozen=True)
class DailyEngagement:
    name: str
    at: datetime
    instagram_posts: tuple[PostRef, ...]
    tiktok_posts: tuple[PostRef, ...]
    instagram_ranking: tuple[SatkerScore, ...]
    tiktok_ranking: tuple[SatkerScore, ...]  # empty = no TikTok ranking
    progress: Progress
    thresholds: Thresholds = field(default_factory=Thresholds)


def penutup(p: Progress, has_tiktok: bool, name: str, t: Thresholds = Thresholds()) -> str:
    """`{PENUTUP}`: the first rule of jobs.md §3.6 that holds."""
    ig_good = p.ig_target_met or p.ig_ratio >= t.ig_good
    tiktok_good = p.tiktok_ratio >= t.tiktok_good
    backlog = max(p.ig_backlog, p.tiktok_backlog if has_tiktok else 0)
    thanks = "sudah sesuai target; terima kasih atas sinergi hangat seluruh pembina di jajaran"
    if ig_good and has_tiktok and tiktok_good and backlog <= t.backlog_moderate:
        return f"Capaian IG & TikTok {thanks} {name}."
    if not has_tiktok and ig_good and backlog <= t.backlog_moderate:
        return f"Capaian IG {thanks} {name}."
    if backlog > t.backlog_high:
        return (
            "Backlog personel masih tinggi; dukungan ekstra dari para pembina untuk satker "
            "prioritas akan sangat berarti."
        )
    if p.likes_gap > 0 or (has_tiktok and not tiktok_good):
        return (
            "Target harian belum sepenuhnya terpenuhi; kolaborasi halus antar satker akan "
            "membantu menutup gap likes dan komentar."
        )
    return (
        "Progres bergerak positif; mari terus kawal pengejaran target harian dengan ritme "
        f"nyaman ala {name}."
    )


def top_and_bottom(scores: tuple[SatkerScore, ...], k: int = 5) -> tuple[list[SatkerScore], ...]:
    """Top k by count (ties by name); bottom k is the same order reversed, lowest first."""
    ranked = sorted(scores, key=lambda s: (-s.count, s.name.upper(), s.name))
    return ranked[:k], ranked[::-1][:k]


def _ranking(scores: tuple[SatkerScore, ...], label: str, unit: str) -> list[str]:
    top, bottom = top_and_bottom(scores)
    lines = []
    for title, part in ((f"Top 5 {label}:", top), (f"Bottom 5 {label}:", bottom)):
        lines.append(f"{INDENT}{title}")
        lines += [
            f"{INDENT}{line}"
            for line in dash_list(
                f"- {r}. {s.name} — {angka(s.count)} {unit}" for r, s in enumerate(part, start=1)
            )
        ]
    return lines


def _link_lines(prefix: str, posts: tuple[PostRef, ...]) -> list[str]:
    return [
        f"- {prefix} {i}. {p.link} — "
        + (f"{jam_upload(p.posted_at)} WIB" if p.posted_at else "waktu tidak diketahui")
        for i, p in enumerate(sorted(posts, key=upload_key), start=1)
    ]


def render(d: DailyEngagement) -> str:
    if not d.instagram_posts and not d.tiktok_posts:
        return "Tidak ada tugas hari ini."
    lines = [
        f"*Laporan Harian Engagement – {hari(d.at)}, {tgl_panjang(d.at)}*",
        f"*{d.name}*",
        "List Link Tugas Instagram dan Tiktok Hari ini :",
        *_link_lines("IG", d.instagram_posts),
        *_link_lines("TikTok", d.tiktok_posts),
        "1. 📸 *Instagram*",
        f"{INDENT}Mohon Ijin Komandan, rekap singkat likes Instagram hari {hari(d.at)}, "
        f"{tgl(d.at)} pukul {jam(d.at)} WIB.",
        *_ranking(d.instagram_ranking, "Likes", "likes"),
        "2. 🎵 *TikTok*",
    ]
    if d.tiktok_ranking:
        lines += [f"{INDENT}🎵 TikTok ({d.name})", ""]
        lines += _ranking(d.tiktok_ranking, "Komentar", "komentar")
    else:
        lines.append(f"{INDENT}Tidak ada data peringkat komentar TikTok.")
    lines.append(penutup(d.progress, bool(d.tiktok_ranking), d.name, d.thresholds))
    return "\n".join(lines)
