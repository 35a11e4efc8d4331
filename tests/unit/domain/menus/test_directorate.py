import pytest

from cicero.domain.menus.directorate import OPTIONS
from cicero.domain.menus.model import BuildReport, TriggerFetch
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, World

# The numbers are a contract with the jobs spec (§2.2).
CONTRACT = {
    5: "likes_full", 6: "likes_simple", 9: "comments_simple", 10: "comments_full",
    21: "daily_engagement", 22: "engagement_ranking_xlsx", 28: "likes_per_content_xlsx",
    29: "comments_per_content_xlsx", 30: "kasatker_report", 34: "kasat_binmas_likes",
    35: "kasat_binmas_comments",
}  # fmt: skip


@pytest.mark.parametrize(("n", "key"), CONTRACT.items())
def test_report_numbers(n, key):
    assert OPTIONS[n].report == key and OPTIONS[n].essential


def test_options_7_and_8_are_everyone_attendance_with_their_own_keys():
    """menus.md §3.2: 7 IG likes attendance (all), 8 TikTok comments attendance: the previous
    system's per-satker summaries, not the operator's `comments_attendance`."""
    assert (OPTIONS[7].report, OPTIONS[7].platform) == ("likes_satker_summary", "instagram")
    assert (OPTIONS[8].report, OPTIONS[8].platform) == ("comments_satker_summary", "tiktok")
    assert OPTIONS[7].essential and OPTIONS[8].essential


def walk(w, *texts, sender=DIRLANTAS):
    r = None
    for t in texts:
        r = w.send(sender, t)
    return r


@pytest.mark.parametrize(
    ("path", "effect"),
    [
        (("1",), BuildReport("staff_completeness", "DITLANTAS")),
        (("10",), BuildReport("comments_full", "DITLANTAS", "tiktok")),
        (("22", "6"), BuildReport("engagement_ranking_xlsx", "DITLANTAS", period="last_month")),
        (("30", "4"), BuildReport("kasatker_report", "DITLANTAS", period="all")),
        (("34", "2"), BuildReport("kasat_binmas_likes", "DITLANTAS", "instagram", period="weekly")),
        (("12",), TriggerFetch("DITLANTAS", "instagram", "all", "likes_full")),
        (("15",), TriggerFetch("DITLANTAS", "tiktok", "engagement", None)),
    ],
)
def test_jobs(path, effect):
    w = World()
    assert walk(w, "dirrequest", *path).startswith("⏳")
    assert w.effects == [effect]


@pytest.mark.parametrize(
    ("path", "want"),
    [(("0",), "Tidak ada menu sebelumnya"), (("46",), "Pilihan tidak valid"), (("2",), "belum tersedia"),
     (("22", "9"), "Pilihan tidak valid"), (("22", "back"), "Client: *DITLANTAS*"), (("abc",), "Pilihan tidak valid")],
)  # fmt: skip
def test_bad_input_stays(path, want):
    w = World()
    assert want in walk(w, "dirrequest", *path)
    assert w.effects == []


def test_admin_chooses_any_directorate_but_no_org():
    w = World()
    r = walk(w, "dirrequest", sender=ADMIN)
    assert "DITLANTAS" in r and "DITBINMAS" in r and "SUKAMAJU" not in r
    assert "Client: *DITBINMAS*" in walk(w, "2", sender=ADMIN)
    assert "Pilih client" in walk(w, "back", sender=ADMIN)
    assert "Pilihan tidak valid" in walk(w, "SUKAMAJU", sender=ADMIN)
