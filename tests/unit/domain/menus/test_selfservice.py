from dataclasses import replace

from cicero.domain.menus.model import BindWhatsapp, MenuConfig, Session, UpdateStaff
from tests.unit.domain.menus.world import T0, World, later

NEW = "6281234500033"


def test_unknown_nrp_stays_and_five_failures_lock_for_an_hour():
    w = World()
    w.send(NEW, "userrequest")
    for i in range(4):
        assert "tidak ditemukan" in w.send(NEW, f"1000000{i}", later(i))
    assert "Terlalu banyak" in w.send(NEW, "10000009", later(5))
    assert w.states[Session.OPERATOR, NEW].flow is None
    assert "Terlalu banyak" in w.send(NEW, "userrequest", later(60))
    assert "NRP/NIP" in w.send(NEW, "userrequest", later(3700))


def test_bound_elsewhere_without_email_is_refused():
    w = World()
    w.send(NEW, "userrequest")
    assert "sudah terhubung dengan nomor WhatsApp lain" in w.send(NEW, "89050124")
    assert w.staff["89050124"].whatsapp == "6281234500022"


def test_bound_elsewhere_rebinds_after_otp():
    w = World(otp_draw=654321)
    w.staff["89050124"] = replace(w.staff["89050124"], email="rina@polri.go.id")
    w.send(NEW, "userrequest")
    assert "Kode OTP" in w.send(NEW, "89050124")
    assert w.emails[-1].subject == "Kode OTP Anda" and "654321" in w.emails[-1].body
    assert "6 angka" in w.send(NEW, "abc")
    assert "Sisa percobaan: 2" in w.send(NEW, "000000")
    r = w.send(NEW, "654321")
    assert r.startswith("✅ Nomor WhatsApp telah dihubungkan")
    assert w.staff["89050124"].whatsapp == NEW


def test_otp_three_wrong_closes_without_binding():
    w = World()
    w.staff["89050124"] = replace(w.staff["89050124"], email="rina@polri.go.id")
    w.send(NEW, "userrequest")
    w.send(NEW, "89050124")
    w.send(NEW, "000000")
    w.send(NEW, "000001")
    assert "tidak berlaku lagi" in w.send(NEW, "000002")
    assert w.states[Session.OPERATOR, NEW].flow is None
    assert w.staff["89050124"].whatsapp == "6281234500022"
    assert not any(isinstance(e, BindWhatsapp) for e in w.effects)


def test_inactive_record_cannot_be_bound():
    w = World()
    w.staff["89050123"] = replace(w.staff["89050123"], active=False)
    w.send(NEW, "userrequest")
    assert "tidak aktif" in w.send(NEW, "89050123")
    assert w.states[Session.OPERATOR, NEW].flow is None


def test_confirm_bind_tidak_changes_nothing():
    w = World()
    w.send(NEW, "userrequest")
    w.send(NEW, "89050123")
    assert "jawaban tidak dikenali" in w.send(NEW, "mungkin").lower()
    assert "tidak dihubungkan" in w.send(NEW, "tidak")
    assert w.effects == []


def test_invalid_value_stays_then_valid_saves():
    w, me = World(), "6281234500022"
    for t in ("userrequest", "ya", "ya", "2"):
        w.send(me, t)
    assert "Pangkat tidak valid!" in w.send(me, "JENDERAL")
    assert "berhasil diupdate menjadi *AIPTU*" in w.send(me, "7")
    assert w.effects == [UpdateStaff("89050124", "rank", "AIPTU")]


def test_own_handle_again_needs_no_lookup_and_inactive_cannot_edit():
    w, me = World(), "6281234500022"
    w.staff["89050124"] = replace(w.staff["89050124"], active=False)
    for t in ("userrequest", "ya"):
        w.send(me, t)
    assert "tidak aktif" in w.send(me, "ya")


def test_ditbinmas_staff_sees_desa_binaan():
    w, me = World(), "6281234500022"
    w.staff["89050124"] = replace(w.staff["89050124"], roles=("operator", "ditbinmas"))
    assert "Desa Binaan" in w.send(me, "userrequest")
    w.send(me, "ya")
    assert "7. Desa Binaan" in w.send(me, "ya")
    w.send(me, "7")
    assert "menjadi *DESA MAJU*" in w.send(me, "desa maju")


def test_unbound_mid_flow_closes():
    w, me = World(), "6281234500022"
    w.send(me, "userrequest")
    w.staff["89050124"] = replace(w.staff["89050124"], whatsapp=None)
    assert "ditutup" in w.send(me, "ya")


def test_user_session_pointer_on_operator_session():
    w = World(config=MenuConfig(user_session_number="6281299999999"))
    assert "6281299999999" in w.send(NEW, "userrequest", T0, Session.OPERATOR)
    assert "NRP/NIP" in w.send(NEW, "pagi pak", T0, Session.USER)
    assert w.send(NEW, "👍", T0, Session.USER, chat="x") is None


def test_password_aplikasi_sends_the_link_to_the_bound_number_only() -> None:
    from tests.unit.domain.menus.world import World

    w, me = World(), "6281234500011"
    w.send(me, "userrequest")
    w.send(me, "89050123")
    w.send(me, "ya")  # bound now
    r = w.send(me, "ya")
    assert "7. Password aplikasi" in r
    r = w.send(me, "7")
    assert "Link untuk membuat password aplikasi telah dikirim ke nomor ini" in r
    assert [(n, to, by) for n, to, by, *_ in w.links] == [("89050123", me, "self")]
    assert "ingin melakukan perubahan" in r
    w.send(me, "ya")
    r = w.send(me, "7")  # again within the minute: refused, nothing queued
    assert "baru saja dikirim" in r and len(w.links) == 1
