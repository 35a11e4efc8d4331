"""The dashboard menu (menus.md §3.3): accounts, items, and clients only within scope."""

import pytest

from cicero.domain.menus import handle
from cicero.domain.menus.model import BuildReport, Session, TextIn
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, MULTI, OPERATOR, T0, World


def walk(w: World, sender: str, *texts: str) -> str | None:
    r = None
    for t in texts:
        r = w.send(sender, t)
    return r


def test_one_account_one_client_runs_at_once():
    w = World()
    main = walk(w, DIRLANTAS, "dashrequest")
    assert main.startswith("📊 *Menu Dashboard* – Akun: *DITLANTAS*")
    assert "4. Rekap komentar Instagram" in main and "5. Rekap komentar TikTok" in main
    assert walk(w, DIRLANTAS, "3").startswith(
        "⏳ Sedang diproses… Hasil dikirim setelah selesai. (DITLANTAS)"
    )
    assert w.effects == [BuildReport("likes_attendance", "DITLANTAS", "instagram", "semua")]


@pytest.mark.parametrize(
    ("item", "want"),
    [
        ("1", BuildReport("staff_missing_handles", "SUKAMAJU")),
        ("2", BuildReport("amplify_link_recap", "SUKAMAJU", period="today")),
        ("5", BuildReport("comments_attendance", "SUKAMAJU", "tiktok", "semua")),
    ],
)
def test_several_accounts_pick_one_then_a_client_of_it(item, want):
    w = World()
    accounts = walk(w, MULTI, "dashrequest")
    assert "1. DIR BINMAS" in accounts and "2. DITLANTAS" in accounts
    main = walk(w, MULTI, "1")
    assert "✅ Akun DIR BINMAS dipilih." in main and "Akun: *DIR BINMAS*" in main
    clients = walk(w, MULTI, item)
    assert "1. DITBINMAS (DITBINMAS)" in clients and "2. POLRES SUKAMAJU (SUKAMAJU)" in clients
    assert "LAINNYA" not in clients and "DITLANTAS" not in clients
    assert walk(w, MULTI, "2").startswith("⏳")
    assert w.effects == [want]


def test_a_client_outside_the_account_is_refused():
    w = World()
    walk(w, MULTI, "dashrequest", "1", "3")
    for other in ("LAINNYA", "DITLANTAS", "3", "0x1"):
        assert walk(w, MULTI, other).startswith("Pilihan tidak valid.")
    assert w.effects == []
    walk(w, MULTI, "back", "back", "2")  # the ditlantas account reaches DITLANTAS only
    assert walk(w, MULTI, "3").startswith("⏳")
    assert w.effects == [BuildReport("likes_attendance", "DITLANTAS", "instagram", "semua")]


def test_admin_types_any_client_id_and_not_a_number():
    w = World()
    assert "Akun:" not in walk(w, ADMIN, "dashrequest")
    assert "Ketik kode client" in walk(w, ADMIN, "5")
    assert walk(w, ADMIN, "1").startswith("Pilihan tidak valid.")
    assert walk(w, ADMIN, "lainnya").startswith("⏳")
    assert w.effects == [BuildReport("comments_attendance", "LAINNYA", "tiktok", "semua")]


def test_instagram_comments_are_not_carried_and_the_menu_stays():
    w = World()
    walk(w, DIRLANTAS, "dashrequest")
    assert "tidak menyimpan komentar Instagram" in walk(w, DIRLANTAS, "4")
    assert walk(w, DIRLANTAS, "9").startswith("Pilihan tidak valid.")
    assert w.effects == [] and w.states[Session.OPERATOR, DIRLANTAS].flow.step == "main"


def test_operators_and_unknown_numbers_are_refused():
    w = World()
    assert walk(w, OPERATOR, "dashrequest").startswith("❌")
    assert walk(w, "6289900000009", "dashrequest").startswith("❌")


def test_an_account_lost_mid_flow_closes_the_menu():
    w = World()
    walk(w, MULTI, "dashrequest", "1")
    state = w.states[Session.OPERATOR, MULTI]
    without = w.context(DIRLANTAS, Session.OPERATOR, None)  # holds ditlantas only
    _, effects = handle(state, TextIn(T0, "3", without))
    assert "ditutup karena akses" in effects[0].text
