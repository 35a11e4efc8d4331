"""Indonesian calendar words and number formats of jobs.md §3, always in WIB.

Every function takes an aware instant and converts it itself, so no caller can print
server-local or UTC time by accident.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from fractions import Fraction

from cicero.domain.timezone import to_wib

HARI = (
    "Senin",
    "Selasa",
    "Rabu",
    "Kamis",
    "Jumat",
    "Sabtu",
    "Minggu",
)  # Monday first, as weekday()
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def hari(t: datetime) -> str:
    """`{HARI}`: Minggu ... Sabtu."""
    return HARI[to_wib(t).weekday()]


def tgl(t: datetime) -> str:
    """`{TGL}`: 10/2/2026 (no zero padding)."""
    w = to_wib(t)
    return f"{w.day}/{w.month}/{w.year}"


def tgl_panjang(t: datetime) -> str:
    """`{TGL_PANJANG}`: 10 Februari 2026, 05 Februari 2026 (two-digit day, as V2 printed it)."""
    return tanggal(to_wib(t).date())


def tanggal(d: date) -> str:
    """A WIB calendar day in full: 05 Februari 2026."""
    return f"{d.day:02d} {BULAN[d.month - 1]} {d.year}"


def hari_tanggal(d: date) -> str:
    """A WIB calendar day with its weekday: Kamis, 05 Februari 2026."""
    return f"{HARI[d.weekday()]}, {tanggal(d)}"


def jam(t: datetime) -> str:
    """`{JAM}`: 15.20.04."""
    return to_wib(t).strftime("%H.%M.%S")


def jam_upload(t: datetime) -> str:
    """Upload times: 09:05."""
    return to_wib(t).strftime("%H:%M")


def file_stamp(t: datetime) -> str:
    """`{Hari}_{dd-mm-yyyy}_{hh-mm-ss}` of attachment names (jobs.md §1)."""
    w = to_wib(t)
    return f"{hari(w)}_{w:%d-%m-%Y}_{w:%H-%M-%S}"


def salam(t: datetime) -> str:
    """`{SALAM}` by WIB hour: pagi 04-09, siang 10-14, sore 15-17, malam otherwise."""
    hour = to_wib(t).hour
    if 4 <= hour < 10:
        word = "pagi"
    elif 10 <= hour < 15:
        word = "siang"
    elif 15 <= hour < 18:
        word = "sore"
    else:
        word = "malam"
    return f"Selamat {word}"


def angka(n: int) -> str:
    """An integer with `.` between thousands: 12.345."""
    return f"{n:,}".replace(",", ".")


def persen(value: Fraction) -> str:
    """A percentage as the previous system printed it (`id-ID`, at most one decimal, halves
    away from zero): 150, 66,7, 1.234,5; strictly between 0 and 1 always one decimal: 0,5."""
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    whole, tenth = divmod(tenths, 10)
    sign = "-" if value < 0 and tenths else ""
    if tenth or 0 < abs(value) < 1:
        return f"{sign}{angka(whole)},{tenth}"
    return f"{sign}{angka(whole)}"
