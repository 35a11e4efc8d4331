from dataclasses import replace

import pytest

from cicero.domain.menus.model import (
    BuildReport,
    CreateStaff,
    DropStaffRole,
    SetStaffActive,
    TriggerFetch,
    UpdateStaff,
)
from tests.unit.domain.menus.world import ADMIN, OPERATOR, World


def walk(w: World, *texts: str, sender: str = OPERATOR) -> str | None:
    reply = None
    for t in texts:
        reply = w.send(sender, t)
    return reply


@pytest.mark.parametrize(
    ("path", "effect"),
    [
        (("1", "5"), BuildReport("wa_registration_attendance", "SUKAMAJU")),
        (("1", "6"), BuildReport("username_completeness", "SUKAMAJU")),
        (("2", "1", "1"), TriggerFetch("SUKAMAJU", "instagram", "posts")),
        (("2", "2", "1"), BuildReport("amplify_link_recap", "SUKAMAJU", period="today")),
        (("2", "2", "2"), BuildReport("amplify_link_recap", "SUKAMAJU", period="yesterday")),
        (("2", "2", "4", "2"), BuildReport("amplify_attendance", "SUKAMAJU", None, "sudah")),
        (("3", "1", "1"), BuildReport("likes_attendance", "SUKAMAJU", "instagram", "semua")),
        (("3", "2", "3"), BuildReport("comments_attendance", "SUKAMAJU", "tiktok", "belum")),
    ],
)
def test_jobs(path, effect):
    w = World()
    assert walk(w, "oprrequest", *path).startswith("⏳ Sedang diproses")
    assert w.effects == [effect]


@pytest.mark.parametrize(
    ("path", "want"),
    [
        (("9",), "Pilihan tidak valid."),
        (("2", "3"), "belum tersedia"),
        (("1", "back"), "Menu Operator"),
        (("3", "1", "0"), "Manajemen Engagement"),
        (("back",), "Tidak ada menu sebelumnya"),
        (("1", "menu"), "Menu Operator"),
    ],
)
def test_navigation(path, want):
    w = World()
    assert want in walk(w, "oprrequest", *path)
    assert w.effects == []


def test_disabled_groups_stay():
    w = World()
    assert "Client: *POLRES LAINNYA*" in walk(w, "oprrequest", "2", sender=ADMIN)
    assert "belum aktif" in walk(w, "2", sender=ADMIN)
    assert "belum aktif" in walk(w, "3", "2", sender=ADMIN)  # TikTok off for LAINNYA


def test_admin_picks_among_org_clients_only():
    w = World()
    r = walk(w, "oprrequest", sender=ADMIN)
    assert "SUKAMAJU" in r and "LAINNYA" in r and "DITLANTAS" not in r
    assert "✅ Client POLRES SUKAMAJU dipilih." in walk(w, "1", sender=ADMIN)
    assert "Pilih client" in walk(w, "back", sender=ADMIN)


def test_add_user():
    w = World()
    assert "belum terdaftar" in walk(w, "oprrequest", "1", "1", "12345678")
    walk(w, "budi santoso", "12", "2")
    r = walk(w, "kanit")
    assert "✅ User baru ditambahkan." in r and "BUDI SANTOSO" in r
    assert w.effects == [
        CreateStaff("12345678", "BUDI SANTOSO", "BRIPDA", "SAT LANTAS", "KANIT", "SUKAMAJU")
    ]


def test_add_existing_of_another_client_shows_nothing():
    w = World()
    r = walk(w, "oprrequest", "1", "1", "77770000")
    assert "client lain" in r and "BUDI" not in r


@pytest.mark.parametrize("action", ["2", "3", "4"])
def test_other_clients_staff_is_out_of_scope(action):
    w = World()
    r = walk(w, "oprrequest", "1", action, "77770000")
    assert "tidak ditemukan di client ini" in r and "BUDI" not in r


def test_edit_whatsapp_rules():
    w = World()
    walk(w, "oprrequest", "1", "2", "89050123", "5")
    assert "Nomor operator" in walk(w, "081300000001")
    assert "sudah terhubung dengan NRP/NIP lain" in walk(w, "081234500022")
    assert "menjadi *6281234500099*" in walk(w, "081234500099")
    assert w.effects == [UpdateStaff("89050123", "whatsapp", "6281234500099")]


def test_clear_whatsapp_needs_ya():
    w = World()
    walk(w, "oprrequest", "1", "2", "89050124", "8")
    assert "tidak dihapus" in walk(w, "nanti")
    walk(w, "8")
    assert "menjadi *-*" in walk(w, "ya")
    assert w.effects == [UpdateStaff("89050124", "whatsapp", None)]


def test_status_with_several_roles_drops_one():
    w = World()
    w.staff["89050123"] = replace(w.staff["89050123"], roles=("operator", "ditbinmas"))
    walk(w, "oprrequest", "1", "3", "89050123")
    assert "beberapa role" in walk(w, "2")
    assert "dilepas" in walk(w, "2")
    assert w.effects == [DropStaffRole("89050123", "ditbinmas")]


def test_status_single_role():
    w = World()
    assert "NONAKTIF" in walk(w, "oprrequest", "1", "3", "89050123", "2")
    assert "AKTIF" in walk(w, "3", "89050123", "1")
    assert w.effects == [SetStaffActive("89050123", False), SetStaffActive("89050123", True)]


def test_role_lost_mid_flow_closes(monkeypatch):
    w = World()
    walk(w, "oprrequest", "1")
    import tests.unit.domain.menus.world as world

    monkeypatch.setitem(world.OPERATOR_WA, "SUKAMAJU", "6289999999999")
    assert "ditutup" in walk(w, "4")


def test_an_operator_sends_a_password_link_to_the_members_own_number() -> None:
    w = World()
    r = walk(w, "oprrequest", "1", "7", "89050124")
    assert "Link password aplikasi telah dikirim" in r and "RINA" in r
    assert "akun/password" not in r  # the operator never sees the link
    assert [(n, to, by) for n, to, by, *_ in w.links] == [
        ("89050124", "6281234500022", f"operator:{OPERATOR}")
    ]
    r = walk(w, "7", "89050123")  # ANDI has no bound number
    assert "belum menghubungkan nomor WhatsApp" in r and len(w.links) == 1
