"""Registration recaps of the menus (layouts.staff_data): per satfung for a polres, per satker
for a directorate, counts that add up whatever the staff."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.attendance.rule import Person
from cicero.domain.layouts.staff_data import (
    Registrations,
    StaffRecord,
    pct,
    render_completeness,
    render_for,
    render_whatsapp,
)
from cicero.domain.timezone import WIB

AT = datetime(2026, 2, 10, 9, 30, 0, tzinfo=WIB)


def rec(nrp, rank, name, unit, ig=None, tt=None, wa=None, client="POLRES_A", position=""):
    return StaffRecord(Person(nrp, client, name, rank, unit, position, ig, tt), wa)


POLRES = (
    rec("1", "BRIPDA", "ZAKI", "SAT BINMAS", "zaki", "zaki", "6281"),
    rec("2", "AKP", "SARI", "SAT BINMAS", "sari", None, None, position="KASAT BINMAS"),
    rec("3", "IPDA", "JOKO", "POLSEK KOTA", None, None, "6282"),
)


def test_whatsapp_registration_golden():
    assert (
        render_whatsapp(Registrations("POLRES_A", "POLRES A", AT, POLRES))
        == """\
Mohon ijin Komandan,

📋 *Absensi Registrasi WhatsApp*
*POLRES A*
Selasa, 10/2/2026
Jam: 09.30.00

*Jumlah Total Personil:* 3 pers
✅ *Sudah terdaftar:* 2 pers (66,7%)
❌ *Belum terdaftar:* 1 pers

*SAT BINMAS* (2 pers): ✅ 1 · ❌ 1
- AKP SARI

*POLSEK KOTA* (1 pers): ✅ 1 · ❌ 0
-

Terimakasih."""
    )


def test_completeness_per_satker_puts_the_directorate_first():
    people = (
        rec("1", "AKP", "SARI", "SAT BINMAS", "sari", "sari", client="POLRES_B"),
        rec("2", "BRIPDA", "ZAKI", "SAT BINMAS", "zaki", None, client="POLRES_A"),
        rec("3", "AKBP", "HENDRA", "SUBDIT", None, None, client="DITBINMAS"),
    )
    names = {"POLRES_A": "POLRES A", "POLRES_B": "POLRES B", "DITBINMAS": "DIREKTORAT BINMAS"}
    text = render_completeness(
        Registrations("DITBINMAS", "DIREKTORAT BINMAS", AT, people, True, names)
    )
    assert text.index("1. *DIREKTORAT BINMAS* (1 pers)") < text.index("2. *POLRES B* (1 pers)")
    assert text.index("2. *POLRES B*") < text.index("3. *POLRES A*")  # more complete first
    assert "✅ *Lengkap (IG & TikTok):* 1 pers (33,3%)" in text
    assert "Instagram: 1/1 · TikTok: 0/1 · Lengkap: 0/1 (0,0%)" in text


def test_username_reports_reuse_the_scheduled_layouts():
    d = Registrations("POLRES_A", "POLRES A", AT, POLRES)
    missing = render_for("staff_missing_handles", d)
    assert "- AKP SARI, TikTok kosong" in missing
    assert "- IPDA JOKO, Instagram kosong, TikTok kosong" in missing and "ZAKI" not in missing
    assert "Jumlah Personil Lengkap : 1" in render_for("username_completeness", d)
    done = Registrations("POLRES_A", "POLRES A", AT, POLRES[:1])
    assert render_for("staff_missing_handles", done) == (
        "✅ Seluruh personil *POLRES A* sudah mengisi Instagram dan TikTok."
    )


def test_nobody_counted_is_said_plainly():
    empty = Registrations("POLRES_A", "POLRES A", AT, ())
    for key in ("staff_completeness", "wa_registration_attendance", "username_completeness"):
        assert render_for(key, empty) == "Belum ada data personil yang dihitung untuk *POLRES A*."


def test_pct_rounds_half_up_to_a_tenth():
    assert [pct(2, 3), pct(1, 8), pct(0, 5), pct(5, 5), pct(0, 0)] == [
        "66,7%", "12,5%", "0,0%", "100,0%", "0,0%"
    ]  # fmt: skip


records = st.builds(
    rec,
    st.text("0123456789", min_size=6, max_size=8),
    st.sampled_from(["AKP", "BRIPDA", "IPDA", "PHL"]),
    st.text("ABCDEFGH ", min_size=1, max_size=8),
    st.sampled_from(["SAT BINMAS", "POLSEK KOTA", "BAG OPS", ""]),
    st.none() | st.just("ig"),
    st.none() | st.just("tt"),
    st.none() | st.just("62812"),
    client=st.sampled_from(["D", "A", "B"]),
)


@given(st.lists(records, max_size=30), st.booleans())
def test_counts_add_up(people, directorate):
    d = Registrations("D", "D", AT, tuple(people), directorate)
    wa = render_whatsapp(d)
    comp = render_completeness(d)
    if not people:
        return
    bound = sum(bool(r.whatsapp) for r in people)
    assert f"✅ *Sudah terdaftar:* {bound} pers" in wa
    assert f"❌ *Belum terdaftar:* {len(people) - bound} pers" in wa
    full = sum(r.complete for r in people)
    assert f"❌ *Belum lengkap:* {len(people) - full} pers" in comp
    # every unregistered person is listed once, under one group
    listed = [line for line in wa.splitlines() if line.startswith("- ")]
    assert len(listed) == len(people) - bound
