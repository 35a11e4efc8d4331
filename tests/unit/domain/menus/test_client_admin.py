"""Client administration (menus.md §3.4, admin only): users by NRP, clearing a WhatsApp number,
bulk deactivation, per-client Instagram/TikTok, username reports, complaints."""

import pytest

from cicero.domain.menus.model import (
    BuildReport,
    DropStaffRole,
    Machine,
    MoveStaff,
    Session,
    SetException,
    SetStaffActive,
    StaffView,
    TriggerFetch,
    UpdateStaff,
)
from tests.unit.domain.menus.world import ADMIN, DIRLANTAS, OPERATOR, World


def walk(w: World, *texts: str, sender: str = ADMIN) -> str | None:
    r = None
    for t in texts:
        r = w.send(sender, t)
    return r


def test_admin_only():
    w = World()
    for sender in (OPERATOR, DIRLANTAS, "6289900000009"):
        assert walk(w, "clientrequest", sender=sender).startswith("❌")
    main = walk(w, "clientrequest")
    assert (
        main.startswith("🛠️ *Menu Client (Admin)*") and "4. Administratif – belum tersedia" in main
    )


@pytest.mark.parametrize(
    "path", [("4",), ("1", "1"), ("1", "6"), ("2", "5"), ("3", "1"), ("3", "4")]
)
def test_peripheral_items_say_so_and_stay(path):
    w = World()
    assert "belum tersedia" in walk(w, "clientrequest", *path)
    assert w.effects == [] and w.states[Session.OPERATOR, ADMIN].flow is not None


def test_user_by_nrp_fields_exception_status_and_move():
    w = World()
    card = walk(w, "clientrequest", "1", "3", "8905-0123")
    assert "👤 *Data User*" in card and "Role: operator" in card and "10. Pindah client" in card
    assert "Nama" in walk(w, "1")
    assert "berhasil diupdate menjadi *ANDI P*" in walk(w, "Andi P")
    walk(w, "8", "ya")
    walk(w, "10", "lainnya")
    assert "sudah terdaftar di POLRES LAINNYA" in walk(w, "10", "LAINNYA")
    assert "tidak ditemukan" in walk(w, "NOPE")
    walk(w, "back", "9", "2")
    assert w.effects == [
        UpdateStaff("89050123", "name", "ANDI P"),
        SetException("89050123", True),
        MoveStaff("89050123", "LAINNYA"),
        SetStaffActive("89050123", False),
    ]
    assert w.staff["89050123"].client_id == "LAINNYA" and w.staff["89050123"].exception


def test_a_username_held_by_someone_else_is_refused():
    w = World()
    walk(w, "clientrequest", "1", "3", "89050123", "7")
    assert "sudah terdaftar pada pengguna lain" in walk(w, "@rina.tt")
    assert w.effects == []


def test_unknown_nrp_and_bad_nrp_stay_on_the_question():
    w = World()
    assert "tidak ditemukan" in walk(w, "clientrequest", "1", "3", "12345678")
    assert "harus berupa angka" in walk(w, "abc")
    assert "👤 *Data User*" in walk(w, "89050124")


def test_clear_whatsapp_asks_first():
    w = World()
    assert "belum memiliki nomor WhatsApp" in walk(w, "clientrequest", "1", "4", "89050123")
    assert "Balas *ya*" in walk(w, "4", "89050124")
    assert "tidak dihapus" in walk(w, "tidak")
    walk(w, "4", "89050124", "ya")
    assert w.effects == [UpdateStaff("89050124", "whatsapp", None)]


BULK = """Permohonan Penghapusan Data Personil – POLRES SUKAMAJU
1. ANDI PRATAMA – 89050123 – mutasi
2. RINA – 89050124 – pensiun
3. BUDI – 77770000 – salah satker
4. X – 11112222 – tidak dikenal
5. ANDI – 89050123 – dobel"""


def test_bulk_deactivation_preview_then_roles_then_summary():
    w = World()
    w.staff["89050124"] = StaffView(
        "89050124", "RINA", "BRIPDA", client_id="SUKAMAJU", client_name="POLRES SUKAMAJU",
        whatsapp="6281234500022", roles=("ditbinmas", "operator"),
    )  # fmt: skip
    preview = walk(w, "clientrequest", "1", "5", BULK)
    assert "Akan diproses (2):" in preview and "Tidak dapat diproses (2):" in preview
    assert "77770000: bukan personil POLRES SUKAMAJU" in preview
    assert "11112222: NRP/NIP tidak ditemukan" in preview
    assert w.effects == []
    assert "Balas *ya*" in walk(w, "nanti")
    asked = walk(w, "ya")
    assert "RINA – 89050124 memiliki beberapa role" in asked and "2. operator" in asked
    summary = walk(w, "2")
    assert "✅ Diproses (2):" in summary and "❌ Gagal (2):" in summary
    # each change carries its line's reason into the audit log
    assert w.effects == [
        DropStaffRole("89050123", "operator", "mutasi"),
        SetStaffActive("89050123", False, "mutasi"),
        UpdateStaff("89050123", "whatsapp", None, "mutasi"),
        DropStaffRole("89050124", "operator", "pensiun"),
    ]
    assert not w.staff["89050123"].active and w.staff["89050124"].active


def test_bulk_text_without_the_title_is_refused():
    w = World()
    assert "Format tidak dikenali" in walk(w, "clientrequest", "1", "5", "1. ANDI – 89050123")
    assert w.effects == []


@pytest.mark.parametrize(
    ("path", "effect"),
    [
        (("1", "sukamaju", "1"), TriggerFetch("SUKAMAJU", "instagram", "posts")),
        (("2", "SUKAMAJU", "2"), TriggerFetch("SUKAMAJU", "tiktok", "comments")),
        (("1", "SUKAMAJU", "4", "3"),
         BuildReport("likes_per_content", "SUKAMAJU", "instagram", "belum")),
        (("2", "DITLANTAS", "3", "2"),
         BuildReport("comments_attendance", "DITLANTAS", "tiktok", "sudah", cumulative=True)),
        (("3", "LAINNYA"), BuildReport("username_completeness", "LAINNYA")),
        (("4", "LAINNYA"), BuildReport("staff_missing_handles", "LAINNYA")),
    ],
)  # fmt: skip
def test_operations_per_client(path, effect):
    w = World()
    assert walk(w, "clientrequest", "2", *path).startswith("⏳")
    assert w.effects == [effect]
    assert w.states[Session.OPERATOR, ADMIN].flow.step == "main"


def test_unknown_client_stays():
    w = World()
    assert "Client *XYZ* tidak ditemukan" in walk(w, "clientrequest", "2", "1", "XYZ")
    assert w.effects == []


def test_answer_a_complaint_hands_over_to_the_complaint_machine():
    w = World()
    assert "Bukan format komplain" in walk(w, "clientrequest", "3", "3", "halo")
    reply = walk(
        w, "Pesan Komplain\nNRP: 89050123\nKendala\n- sudah melaksanakan like ig belum terdata"
    )
    assert "ANDI PRATAMA" in reply
    flow = w.states[Session.OPERATOR, ADMIN].flow
    assert flow is None or flow.machine is Machine.COMPLAINT
