"""jobs.md §3.7: the personal reminder, or its "all done" reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.layouts.posts import PostRef, upload_key
from cicero.domain.text.calendar_id import salam

# jobs.md §2.1 asks to prompt people lacking a TikTok handle; the spec gives no wording.
MISSING_TIKTOK = (
    "⚠️ Username TikTok Bapak/Ibu belum terdaftar; mohon lengkapi agar komentar Bapak/Ibu "
    "dapat terhitung."
)


@dataclass(frozen=True)
class Reminder:
    pers: str  # rank + name
    at: datetime
    posts_today: int  # counted posts of the day, both platforms
    instagram_todo: tuple[PostRef, ...] = ()
    tiktok_todo: tuple[PostRef, ...] = ()
    tiktok_missing: bool = False


def _block(title: str, todo: tuple[PostRef, ...]) -> list[str]:
    if not todo:
        return []
    ordered = sorted(todo, key=upload_key)
    return [title, *(f"{i}. {p.link}" for i, p in enumerate(ordered, start=1)), ""]


def render(r: Reminder) -> str | None:
    """The reminder text; None on a day without posts (never an empty "all done")."""
    if r.posts_today == 0:
        return None
    greeting = f"{salam(r.at).title()}, Bapak/Ibu {r.pers}"
    if not r.instagram_todo and not r.tiktok_todo and not r.tiktok_missing:
        return (
            f"{greeting}\n\nTerimakasih, Tugas Likes dan komentar hari ini sudah dilaksanakan semua"
        )
    lines = [
        greeting,
        "",
        "👋 Pengingat engagement harian",
        "",
        *_block("Konten Instagram yang perlu diselesaikan:", r.instagram_todo),
        *_block("Konten TikTok yang perlu diselesaikan:", r.tiktok_todo),
    ]
    if r.tiktok_missing:
        lines += [MISSING_TIKTOK, ""]
    lines += [
        "1️⃣ Pastikan setiap unggahan mendapat dukungan likes sesuai target.",
        "2️⃣ Tambahkan komentar positif dan relevan pada konten terbaru.",
        "",
        "Balas *notifwa#off* jika ingin berhenti menerima pengingat otomatis.",
    ]
    return "\n".join(lines)
