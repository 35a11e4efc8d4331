"""jobs.md §3.1: the task broadcast to a client's group when today's post list changes."""

from __future__ import annotations

from dataclasses import dataclass

from cicero.domain.layouts.blocks import dash_list
from cicero.domain.layouts.posts import PostRef, upload_key
from cicero.domain.text.calendar_id import angka, jam_upload


@dataclass(frozen=True)
class TaskPost:
    """A post of today with its distinct engagers; `new` when the last broadcast lacked it."""

    post: PostRef
    engagers: int
    new: bool = False


@dataclass(frozen=True)
class TaskBroadcast:
    client_name: str
    instagram: tuple[TaskPost, ...] = ()
    tiktok: tuple[TaskPost, ...] = ()


def _items(posts: tuple[TaskPost, ...], unit: str, singular: str) -> list[str]:
    lines = []
    for i, t in enumerate(sorted(posts, key=lambda t: upload_key(t.post)), start=1):
        baru = "[BARU] " if t.new else ""
        when = (
            f"(upload {jam_upload(t.post.posted_at)} WIB)"
            if t.post.posted_at
            else "(upload tidak diketahui)"
        )
        word = singular if t.engagers == 1 else unit
        lines.append(f"{i}. {baru}{t.post.link} {when} : {angka(t.engagers)} {word}")
    return dash_list(lines)


def render(b: TaskBroadcast) -> str:
    name = b.client_name.upper()
    lines = [
        "Mohon Ijin Komandan, Senior, Rekan Operator dan Personil pelaksana Tugas Likes dan "
        f"komentar Sosial Media {name}.",
        "",
        "Tugas Likes dan Komentar Konten Instagram dan Tiktok",
        name,
        f"Jumlah konten Instagram hari ini: {angka(len(b.instagram))}",
        f"Total likes semua konten: {angka(sum(t.engagers for t in b.instagram))}",
        "",
        "Rincian:",
        *_items(b.instagram, "likes", "like"),
        "",
        f"Jumlah konten Tiktok hari ini: {angka(len(b.tiktok))}",
        f"Total komentar semua konten: {angka(sum(t.engagers for t in b.tiktok))}",
        "",
        "Rincian:",
        *_items(b.tiktok, "komentar", "komentar"),
        "",
        "Silahkan Melaksanakan Likes, Komentar dan Share.",
    ]
    return "\n".join(lines)
