import pytest

from cicero.domain.menus import fields
from cicero.domain.menus.fields import Field, Rejected
from cicero.domain.menus.model import Context, MenuConfig, StaffView
from cicero.domain.people.roles import UNKNOWN

CTX = Context(UNKNOWN, config=MenuConfig(reserved_names=frozenset({"cicero_devs", "polri_admin"})))
STAFF = StaffView("89050123", units=("SAT BINMAS", "SAT LANTAS"))


@pytest.mark.parametrize(
    ("field", "text", "want"),
    [
        (Field.NAME, "  andi   pratama ", "ANDI PRATAMA"),
        (Field.NAME, "   ", "kosong"),
        (Field.NAME, "x" * 101, "maksimal 100"),
        (Field.POSITION, "x" * 100, "X" * 100),
        (Field.RANK, "11", "BRIPTU"),
        (Field.RANK, "briptu", "BRIPTU"),
        (Field.RANK, "JENDERAL", "Pangkat tidak valid!"),
        (Field.RANK, "0", "Pangkat tidak valid!"),
        (Field.UNIT, "2", "SAT LANTAS"),
        (Field.UNIT, "subbid pid", "SUBBID PID"),  # config extra
        (Field.UNIT, "99", "Satfung tidak valid!"),
        (Field.INSTAGRAM, "https://www.instagram.com/Andi.Pratama_/?hl=id", "andi.pratama_"),
        (Field.INSTAGRAM, "@Budi.S", "budi.s"),
        (Field.INSTAGRAM, "instagram.com/p/DAbCdEf01", "bukan tautan profil"),
        (Field.INSTAGRAM, "a" * 31, "terlalu panjang"),
        (Field.INSTAGRAM, "@cicero_devs", "Super Admin"),
        (Field.INSTAGRAM, "polri_admin", "Super Admin"),
        (Field.TIKTOK, "tiktok.com/@Rina.TT", "rina.tt"),
        (Field.TIKTOK, "a" * 25, "terlalu panjang"),
        (Field.TIKTOK, "nama saya", "huruf kecil"),
        (Field.TIKTOK, "https://instagram.com/rina", "platform lain"),
        (Field.WHATSAPP, "0812-3456-7890", "6281234567890"),
        (Field.WHATSAPP, "12345", "tidak valid"),
    ],
)
def test_parse(field, text, want):
    got = fields.parse(field, text, STAFF, CTX)
    if isinstance(got, Rejected):
        assert want in got.reason
        assert got.reason.startswith("❌")
    else:
        assert got == want


@pytest.mark.parametrize(
    ("text", "want"),
    [("8905-0123", "89050123"), ("abc", "harus berupa angka"), ("12345", "6-18"), ("1" * 19, "6-18"),
     ("123456", "123456"), ("١٢٣٤٥٦", "harus berupa angka")],
)  # fmt: skip
def test_parse_nrp(text, want):
    got = fields.parse_nrp(text)
    assert (got.reason if isinstance(got, Rejected) else got).find(want) >= 0


def test_uniqueness_query_skips_unchanged_values():
    s = StaffView("1", instagram="me")
    assert fields.uniqueness_query(Field.INSTAGRAM, "me", s) is None
    assert fields.uniqueness_query(Field.INSTAGRAM, "you", s) is not None
    assert fields.uniqueness_query(Field.NAME, "X", s) is None
