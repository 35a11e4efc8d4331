"""The directory's pure rules: an edit is read by the menus' own validators (the same value or
the same refusal for any text), If-Match versions, the roles an account may give, the query
words and their bounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.auth.access import Who
from cicero.domain.menus import fields
from cicero.domain.menus.fields import Rejected
from cicero.domain.menus.model import ClientInfo, Context, StaffView
from cicero.domain.people import directory
from cicero.domain.people.roles import UNKNOWN

STAFF = StaffView("75020001", "BUDI", "BRIPKA", "SAT BINMAS", client_id="POLRES_A",
                  units=("SAT BINMAS", "SAT LANTAS"))  # fmt: skip
CTX = Context(identity=UNKNOWN, clients=(ClientInfo("POLRES_A", "POLRES A"),))
OPERATOR_WA = frozenset({"6281200000001"})
KNOWN = frozenset({"operator", "ditbinmas", "ditlantas"})


@given(st.sampled_from(sorted(directory.TEXT_FIELDS)), st.text(max_size=60))
def test_a_field_reads_as_the_menus_read_it(name: str, text: str) -> None:
    field = directory.TEXT_FIELDS[name]
    read = directory.read_edit({name: text}, STAFF, CTX, frozenset())
    if not text.strip() and field in directory.CLEARABLE:
        assert read == directory.Edit({field.value: None})
        return
    menus = fields.parse(field, text, STAFF, CTX)
    if isinstance(menus, Rejected):
        assert read == directory.Problems({name: directory.web_reason(menus)})
    else:
        assert read == directory.Edit({field.value: menus})


def test_examples_and_refusals() -> None:
    read = directory.read_edit(
        {"insta": "https://www.instagram.com/Budi.S/?igsh=x", "tiktok": "tiktok.com/@Bripda.Andi",
         "title": "2", "divisi": "sat lantas", "whatsapp": "0812-3456-7890", "status": False,
         "exception": True, "reason": "ignored here"},
        STAFF, CTX, OPERATOR_WA,
    )  # fmt: skip
    assert read == directory.Edit({
        "instagram": "budi.s", "tiktok": "bripda.andi", "rank": "AKBP", "unit": "SAT LANTAS",
        "whatsapp": "6281234567890", "active": False, "exception": True,
    })  # fmt: skip
    assert isinstance(read, directory.Edit) and read.deactivates
    refused = directory.read_edit(
        {"whatsapp": "081200000001", "status": "false", "nama": 3, "divisi": "SAT X"},
        STAFF, CTX, OPERATOR_WA,
    )  # fmt: skip
    assert refused == directory.Problems({
        "whatsapp": "Nomor operator satker tidak boleh dipakai untuk personil.",
        "status": "harus true atau false", "nama": "harus berupa teks",
        "divisi": "Satfung tidak valid.",
    })  # fmt: skip
    control = directory.read_edit({"nama": "BUDI\x07"}, STAFF, CTX, frozenset())
    assert control == directory.Problems({"nama": "Nama memuat karakter kontrol yang tidak diizinkan."})


def test_web_reason_is_one_line_without_emoji_or_list() -> None:
    assert directory.web_reason(Rejected("❌ Pangkat tidak valid! Pilih nomor:\n1. KBP")) == (
        "Pangkat tidak valid.")
    assert directory.web_reason(Rejected("❌ NRP/NIP harus 6-18 digit.")) == "NRP/NIP harus 6-18 digit."


def test_if_match() -> None:
    assert [directory.if_match(h) for h in ('"7"', "7", 'W/"12"', " \"3\" ")] == [7, 7, 12, 3]
    assert [directory.if_match(h) for h in (None, "", "*", '"x"', '"1", "2"', "9" * 19)] == [
        None] * 6  # fmt: skip
    assert directory.etag(7) == '"7"'


def test_roles_an_account_may_give() -> None:
    linked = frozenset({"DITBINMAS"})
    assert directory.grantable_roles(Who.ADMIN, "admin", linked, KNOWN) == KNOWN
    assert directory.grantable_roles(Who.OPERATOR, "operator", linked, KNOWN) == {"operator", "ditbinmas"}
    assert directory.grantable_roles(Who.DIRECTORATE, "ditlantas", linked, KNOWN) == {"ditlantas"}
    assert directory.grantable_roles(Who.OPS, "ops", linked, KNOWN) == frozenset()
    may = frozenset({"operator", "ditbinmas"})
    held = frozenset({"operator", "ditlantas"})
    assert directory.check_roles(held, held | {"ditbinmas"}, may, KNOWN) is None
    assert "ditlantas" in (directory.check_roles(held, {"operator"}, may, KNOWN) or "")
    assert "tidak dikenal" in (directory.check_roles(held, held | {"x"}, may, KNOWN) or "")


def test_query_words_and_their_bounds() -> None:
    q = directory.read_query({"q": "  budi   s ", "unit": "sat lantas", "active": "all",
                              "missing": "username", "page": "3", "per_page": "500"})  # fmt: skip
    assert q == directory.Query("budi s", "SAT LANTAS", directory.Active.ALL,
                                directory.Missing.USERNAME, 3, 500)  # fmt: skip
    assert isinstance(q, directory.Query) and q.offset == 1000
    bad = directory.read_query({"q": "x" * 101, "page": "0", "per_page": "501", "active": "ya",
                                "missing": "email", "unit": "U" * 101})  # fmt: skip
    assert isinstance(bad, directory.Problems)
    assert set(bad.fields) == {"q", "page", "per_page", "active", "missing", "unit"}
    assert isinstance(directory.read_query({"page": "٣"}), directory.Problems)  # not ASCII digits
    assert directory.like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"


def test_completeness_rounds_down() -> None:
    unit = directory.UnitCompleteness("A", "A", "U", 3, 3, 3, 3, 2)
    assert unit.percent == 66 and directory.UnitCompleteness("A", "A", "U", 0, 0, 0, 0, 0).percent == 100
