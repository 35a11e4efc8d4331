"""The Kasat Binmas recap over a menu period: the period under the directorate's name."""

from datetime import datetime

from cicero.domain.layouts.kasat_binmas import KasatBinmasRecap, render
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from tests.unit.domain.layouts.people import row

AT = datetime(2026, 2, 10, 15, 20, 4, tzinfo=WIB)
IG = Platform.INSTAGRAM
POSTS = (PostRef(IG, "W1", "", AT), PostRef(IG, "D1", "", AT))
KASAT = row("1", "AKP", "BUDI", "SAT BINMAS", "budi", 1, 2, client="A", position="KASAT BINMAS")


def test_the_period_follows_the_name() -> None:
    text = render(KasatBinmasRecap("D", "DIT X", IG, AT, POSTS, (KASAT,), period="9–10 Februari"))
    assert text.splitlines()[3:6] == ["*DIT X*", "*Periode:* 9–10 Februari", "Selasa, 10/2/2026"]


def test_without_a_period_the_header_is_the_scheduled_one() -> None:
    assert "Periode" not in render(KasatBinmasRecap("D", "DIT X", IG, AT, POSTS, (KASAT,)))


def test_a_period_without_posts_is_named() -> None:
    empty = KasatBinmasRecap("D", "DIT X", IG, AT, (), (), period="1–10 Februari 2026")
    assert render(empty) == (
        "Tidak ada konten Instagram pada akun Official DIT X pada periode 1–10 Februari 2026."
    )
