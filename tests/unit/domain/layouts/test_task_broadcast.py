from datetime import datetime

from cicero.domain.layouts import posts
from cicero.domain.layouts.task_broadcast import TaskBroadcast, TaskPost, render
from cicero.domain.timezone import WIB


def at(h, m):
    return datetime(2026, 2, 6, h, m, tzinfo=WIB)


def test_golden():
    b = TaskBroadcast(
        "polres a",
        instagram=(
            TaskPost(posts.ig("P3", at(16, 45)), 1, new=True),  # given out of upload order
            TaskPost(posts.ig("P1", at(0, 30)), 1234),
            TaskPost(posts.ig("P2", None), 2),
        ),
        tiktok=(TaskPost(posts.tiktok("polres_a", "746801", at(10, 5)), 1, new=True),),
    )
    assert (
        render(b)
        == """\
Mohon Ijin Komandan, Senior, Rekan Operator dan Personil pelaksana Tugas Likes dan komentar Sosial Media POLRES A.

Tugas Likes dan Komentar Konten Instagram dan Tiktok
POLRES A
Jumlah konten Instagram hari ini: 3
Total likes semua konten: 1.237

Rincian:
1. https://www.instagram.com/p/P1 (upload 00:30 WIB) : 1.234 likes
2. [BARU] https://www.instagram.com/p/P3 (upload 16:45 WIB) : 1 like
3. https://www.instagram.com/p/P2 (upload tidak diketahui) : 2 likes

Jumlah konten Tiktok hari ini: 1
Total komentar semua konten: 1

Rincian:
1. [BARU] https://www.tiktok.com/@polres_a/video/746801 (upload 10:05 WIB) : 1 komentar

Silahkan Melaksanakan Likes, Komentar dan Share."""
    )


def test_a_platform_without_posts_prints_a_dash():
    text = render(TaskBroadcast("X", instagram=(TaskPost(posts.ig("A", at(9, 0)), 0, True),)))
    assert (
        "Jumlah konten Tiktok hari ini: 0\nTotal komentar semua konten: 0\n\nRincian:\n-\n" in text
    )
    assert ": 0 likes" in text
