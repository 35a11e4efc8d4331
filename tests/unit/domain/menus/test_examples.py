"""menus.md §8: the example conversations replayed against the pure machine."""

from cicero.domain.menus.model import BuildReport, MenuConfig, SendText, Session
from tests.unit.domain.menus.world import DIRLANTAS, OPERATOR, World, later


def test_a_bind_and_update():
    w, me = World(), "6281234500011"
    assert "NRP/NIP" in w.send(me, "userrequest")
    r = w.send(me, "8905-0123")
    assert "*89050123* ditemukan" in r and "(ya/tidak)" in r
    r = w.send(me, "ya")
    assert r.startswith("✅ Nomor WhatsApp telah dihubungkan")
    assert "👤 *Identitas Anda*" in r and "ingin melakukan perubahan" in r
    assert w.staff["89050123"].whatsapp == me
    r = w.send(me, "ya")
    assert "1. Nama" in r and "6. TikTok" in r and "Desa" not in r
    assert "7. Password aplikasi" in r  # menus.md §4 gains it (api.md §1)
    assert "Instagram" in w.send(me, "5")
    r = w.send(me, "https://www.instagram.com/Andi.Pratama_/?hl=id")
    assert "✅ Data *Instagram* untuk NRP 89050123 berhasil diupdate menjadi *andi.pratama_*." in r
    assert "ingin melakukan perubahan" in r
    assert w.staff["89050123"].instagram == "andi.pratama_"
    assert w.send(me, "batal") == "✅ Menu User ditutup."


def test_b_refusals_user_session():
    w, me = World(config=MenuConfig(user_session_number="6281299999999")), "6281234500022"
    s = Session.USER
    r = w.send(me, "halo", session=s)
    assert "👤 *Identitas Anda*" in r and "benar milik Anda" in r
    assert "perubahan data" in w.send(me, "ya", session=s)
    assert "TikTok" in w.send(me, "ya", session=s)
    assert "TikTok" in w.send(me, "6", session=s)
    assert "Super Admin" in w.send(me, "@cicero_devs", session=s)
    assert "terdaftar pada pengguna lain" in w.send(me, "tiktok.com/@Rina.TT", session=s)
    assert w.staff["89050124"].tiktok is None
    assert w.send(me, "batal", session=s) == "✅ Menu User ditutup."
    assert w.send(me, "terima kasih", session=s) is None


def test_c_operator_menu_timeout():
    w = World()
    assert "1. Manajemen User" in w.send(OPERATOR, "oprrequest", later(0))
    r = w.send(OPERATOR, "3", later(20))
    assert "1. Absensi likes Instagram" in r and "2. Absensi komentar TikTok" in r
    assert "1. Semua" in w.send(OPERATOR, "1", later(40))
    assert w.send(OPERATOR, "3", later(60)).startswith("⏳ Sedang diproses")
    assert w.effects[-1] == BuildReport("likes_attendance", "SUKAMAJU", "instagram", "belum")
    assert w.tick(later(60 + 299)) == {}
    said = w.tick(later(60 + 300))
    assert list(said.values()) == ["⏰ Sesi berakhir. Ketik *oprrequest* untuk memulai lagi."]
    assert "oprrequest" in w.send(OPERATOR, "2", later(420))  # keyword help, first in 24 h
    assert w.send(OPERATOR, "2", later(480)) is None


def test_d_scope():
    w, unknown = World(), "6289900000009"
    r = w.send(DIRLANTAS, "dirrequest")
    assert r.startswith("Client: *DITLANTAS*")
    assert w.send(DIRLANTAS, "6").startswith("⏳")
    assert w.effects[-1] == BuildReport("likes_simple", "DITLANTAS", "instagram")
    assert w.send(DIRLANTAS, "clientrequest").startswith("❌ Anda tidak memiliki akses")
    assert w.states[Session.OPERATOR, DIRLANTAS].flow is not None  # directorate menu stays
    assert w.send(unknown, "dirrequest").startswith("❌")
    assert w.send(unknown, "dirrequest", later(600)) is None


def test_e_complaint_in_group():
    w = World(likes={"89050123": 14})
    w.staff["89050123"] = w.staff["89050123"].__class__(
        **{
            **w.staff["89050123"].to_dict(),
            "whatsapp": "6281234500011",
            "instagram": "andi.pratama_",
        }
    )
    text = (
        "Pesan Komplain\nNRP : 89050123\nNama : Andi Pratama\nUsername IG : @andi.pratama_\n"
        "Kendala\n- sudah melaksanakan like instagram tapi belum terdata"
    )
    r = w.send(
        "6281255500003", text, session=Session.GATEWAY, group=frozenset({"SUKAMAJU"}), chat="g1"
    )
    assert "👤 *Data Pelapor*" in r and "6281234500011" not in r and "WhatsApp: 6281*" in r
    assert "📨 *Ringkasan Respon Komplain*" in r
    assert "✅ Respon komplain telah dikirim ke ANDI PRATAMA (89050123)" in r
    assert any(isinstance(e, BuildReport) and e.report_key == "account_status" for e in w.effects)
    sent = [e for e in w.effects if isinstance(e, SendText)]
    assert len(sent) == 1 and sent[0].to == "6281234500011"
    body = sent[0].text
    for label in (
        "Selamat pagi",
        "*Pelapor*",
        "*NRP/NIP*",
        "*Kendala*",
        "*Solusi/Tindak Lanjut*",
        "14 konten",
    ):
        assert label in body
    assert w.states[Session.GATEWAY, "g1"].flow is None
