from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.text.calendar_id import (
    angka,
    file_stamp,
    hari,
    hari_tanggal,
    jam,
    jam_upload,
    persen,
    salam,
    tgl,
    tgl_panjang,
)
from cicero.domain.timezone import WIB, NaiveDatetime

# 10 Feb 2026 15:20:04 WIB, given in UTC so the conversion is exercised.
T = datetime(2026, 2, 10, 8, 20, 4, tzinfo=UTC)


def test_formats_of_jobs_md():
    assert hari(T) == "Selasa"
    assert tgl(T) == "10/2/2026"
    assert tgl_panjang(T) == "10 Februari 2026"
    assert jam(T) == "15.20.04"
    assert jam_upload(T) == "15:20"
    assert file_stamp(T) == "Selasa_10-02-2026_15-20-04"


def test_long_dates_have_two_digit_days_as_v2_printed_them():
    """V2 wrote long dates with `toLocaleDateString('id-ID', {day: '2-digit', ...})`."""
    t = datetime(2026, 2, 4, 20, 0, tzinfo=UTC)  # 03:00 WIB on Thursday 5 February
    assert tgl_panjang(t) == "05 Februari 2026"
    assert hari_tanggal(t.date()) == "Rabu, 04 Februari 2026"  # a date is taken as given
    assert tgl(t) == "5/2/2026"  # the short form stays unpadded, as V2's id-ID short date


def test_percentages_as_v2_printed_them():
    """V2's `toLocaleString('id-ID', {maximumFractionDigits: 1})`, one decimal below 1."""
    assert [persen(Fraction(n, d)) for n, d in [(150, 1), (200, 3), (1, 2), (0, 1), (123456, 100),
                                                (19999, 200), (1, 20)]] == [
        "150", "66,7", "0,5", "0", "1.234,6", "100", "0,1"
    ]  # fmt: skip


def test_day_is_the_wib_day():
    # 17:30 UTC on 5 Feb is 00:30 WIB on 6 Feb (a Friday).
    t = datetime(2026, 2, 5, 17, 30, tzinfo=UTC)
    assert (hari(t), tgl(t), jam_upload(t)) == ("Jumat", "6/2/2026", "00:30")


def test_every_weekday_name():
    sunday = datetime(2026, 2, 8, 12, tzinfo=WIB)
    names = [hari(sunday + timedelta(days=i)) for i in range(7)]
    assert names == ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]


def test_every_month_name():
    months = [tgl_panjang(datetime(2026, m, 1, 12, tzinfo=WIB)).split()[1] for m in range(1, 13)]
    assert months[0] == "Januari" and months[4] == "Mei" and months[7] == "Agustus"
    assert len(set(months)) == 12


@pytest.mark.parametrize(
    ("hms", "word"),
    [
        ((3, 59, 59), "malam"),
        ((4, 0, 0), "pagi"),
        ((9, 59, 59), "pagi"),
        ((10, 0, 0), "siang"),
        ((14, 59, 59), "siang"),
        ((15, 0, 0), "sore"),
        ((17, 59, 59), "sore"),
        ((18, 0, 0), "malam"),
        ((0, 0, 0), "malam"),
    ],
)
def test_salam_boundaries(hms, word):
    assert salam(datetime(2026, 2, 10, *hms, tzinfo=WIB)) == f"Selamat {word}"


def test_salam_uses_wib_not_the_given_zone():
    # 22:00 UTC and 16:00 at UTC-5 are 05:00 and 04:00 WIB the next day.
    assert salam(datetime(2026, 2, 10, 22, tzinfo=UTC)) == "Selamat pagi"
    assert salam(datetime(2026, 2, 10, 16, tzinfo=timezone(timedelta(hours=-5)))) == "Selamat pagi"


def test_naive_refused():
    with pytest.raises(NaiveDatetime):
        jam(datetime(2026, 2, 10, 15))


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (999, "999"), (1000, "1.000"), (1234567, "1.234.567"), (-1500, "-1.500")],
)
def test_angka(n, text):
    assert angka(n) == text


@settings(max_examples=100)
@given(n=st.integers(0, 10**12))
def test_angka_round_trips(n):
    text = angka(n)
    assert int(text.replace(".", "")) == n
    assert all(len(group) == 3 for group in text.split(".")[1:])
