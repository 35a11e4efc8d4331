"""The bulk deactivation template (menus.md §3.4 1.5): parsing, checks per entry, role drops."""

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.menus import bulk_deactivation as bulk
from cicero.domain.menus.model import DropStaffRole, SetStaffActive, StaffView, UpdateStaff

TEXT = """Selamat pagi
Permohonan Penghapusan Data Personil — POLRES SUKAMAJU
1. Andi Pratama – 89050123 – mutasi
2) BUDI -- 8905 0124 -- pensiun
• 77770000
3. ANDI PRATAMA - 89050123 - dobel
✅ Ringkasan: 89059999 diproses
catatan tanpa nomor
"""


def test_template_entries_deduplicated_with_names_and_reasons():
    req = bulk.parse(TEXT)
    assert req is not None and req.satker == "POLRES SUKAMAJU"
    assert req.entries == (
        bulk.Entry("89050123", "ANDI PRATAMA", "mutasi"),
        bulk.Entry("89050124", "BUDI", "pensiun"),
        bulk.Entry("77770000"),
    )


def test_no_title_no_request():
    assert bulk.parse("1. Andi – 89050123 – mutasi") is None
    assert not bulk.is_request("Pesan Komplain\nNRP: 89050123")
    assert bulk.is_request("*Permohonan penghapusan data personil* - X")


DASH = st.sampled_from(["-", "–", "—", " - ", " -- ", "−"])
MARK = st.sampled_from(["", "1. ", "12) ", "• ", "* "])
NRP = st.text("0123456789", min_size=6, max_size=18)


@given(st.lists(st.tuples(MARK, st.text("ABCDEFG ", max_size=12), DASH, NRP, DASH), max_size=15))
def test_every_line_yields_its_nrp_once_in_order(rows):
    lines = [f"{m}{name}{d1}{nrp}{d2}alasan" for m, name, d1, nrp, d2 in rows]
    req = bulk.parse("\n".join(["Permohonan Penghapusan Data Personil - X", *lines]))
    assert req is not None
    assert [e.nrp for e in req.entries] == list(dict.fromkeys(r[3] for r in rows))


def staff(nrp, client="SUKAMAJU", roles=("operator",), active=True):
    return StaffView(nrp, "NAMA", client_id=client, client_name="POLRES SUKAMAJU" if client == "SUKAMAJU" else client,
                     roles=roles, active=active, whatsapp="62812")  # fmt: skip


def test_checks_name_each_problem():
    req = bulk.Request(
        "POLRES SUKAMAJU", tuple(bulk.Entry(n) for n in ("1", "2", "3", "4", "5", "6"))
    )
    found = {
        "1": staff("1"),
        "2": staff("2", client="LAINNYA"),
        "3": staff("3", active=False),
        "4": staff("4", roles=()),
        "6": staff("6", client="OUTSIDE"),
    }
    checked = bulk.check(req, found, {"SUKAMAJU", "LAINNYA"})
    assert [c.problem for c in checked] == [
        "", "bukan personil POLRES SUKAMAJU", "sudah nonaktif", "tidak memiliki role",
        "NRP/NIP tidak ditemukan", "di luar cakupan Anda",
    ]  # fmt: skip


def test_dropping_the_last_role_deactivates_and_unbinds():
    effects, line = bulk.drop(staff("1"), "operator")
    assert effects == [DropStaffRole("1", "operator"), SetStaffActive("1", False),
                       UpdateStaff("1", "whatsapp", None)]  # fmt: skip
    assert "dinonaktifkan" in line
    effects, line = bulk.drop(staff("1", roles=("ditbinmas", "operator")), "operator")
    assert effects == [DropStaffRole("1", "operator")] and "role *operator* dilepas" in line
