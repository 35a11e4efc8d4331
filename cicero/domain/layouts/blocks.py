"""Pieces shared by the recap layouts: header, dash lists, grouping and directorate order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from cicero.domain.attendance.ordering import (
    DEFAULT_RANK_TABLE,
    RankTable,
    SatkerTally,
    person_key,
    position_class,
    satker_key,
    unit_key,
)
from cicero.domain.attendance.rule import (
    FULL,
    Attendance,
    Person,
    Ratio,
    Status,
    exact_ratio,
    required,
)
from cicero.domain.layouts.posts import PostRef
from cicero.domain.text.calendar_id import angka, hari, jam, tgl

# data.md §4.4: an exception's real count is shown, and marked so nobody mistakes it for work done.
EXCEPTION_MARK = " (pengecualian)"

T = TypeVar("T")
K = TypeVar("K")


class Grouping(StrEnum):
    """What `{DIVISI}` means in a directorate recap: the satfung or the satker (client)."""

    UNIT = "unit"
    CLIENT = "client"


def dash_list(lines: Iterable[str]) -> list[str]:
    """jobs.md §3: an empty list prints `-`."""
    return list(lines) or ["-"]


def mark(a: Attendance) -> str:
    return EXCEPTION_MARK if a.exception else ""


def group(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def recap_header(
    title: str, name_line: str, at: datetime, posts: Sequence[PostRef], done_ratio: Ratio = FULL
) -> list[str]:
    """The opening shared by §3.2-§3.5, down to the list of links."""
    lines = [
        "Mohon ijin Komandan,",
        "",
        title,
        name_line,
        f"{hari(at)}, {tgl(at)}",
        f"Jam: {jam(at)}",
        "",
        f"*Jumlah Konten:* {angka(len(posts))}",
    ]
    if exact_ratio(done_ratio) != FULL:
        # data.md §4.2: a ratio other than "every post" is printed in the header.
        lines.append(f"*Batas Lengkap:* {required(len(posts), done_ratio)}/{len(posts)} konten")
    lines += ["*Daftar Link Konten:*", *dash_list(p.link for p in posts)]
    return lines


def sorted_units(
    people: Iterable[Attendance], ranks: RankTable
) -> list[tuple[str, list[Attendance]]]:
    """People grouped by satfung in unit order, each group in people order."""
    groups = group(people, lambda a: a.unit)
    return [
        (unit, sorted(groups[unit], key=lambda a: person_key(a, ranks)))
        for unit in sorted(groups, key=unit_key)
    ]


def satker_tallies(
    people: Iterable[Attendance], directorate: str, client_names: Mapping[str, str]
) -> list[SatkerTally]:
    """One tally per satker, in the order satkers first appear in `people`."""
    people = list(people)
    staff = Counter(a.person.client for a in people)
    sudah = Counter(a.person.client for a in people if a.status is Status.SUDAH)
    return [
        SatkerTally(
            client=client,
            name=client_names.get(client, client),
            is_directorate=client == directorate,
            sudah=sudah[client],
            staff=count,
        )
        for client, count in staff.items()
    ]


def unit_places(people: Iterable[Attendance]) -> dict[str, int]:
    """Each distinct unit's place in unit order. Sorting thousands of people, an int compares
    far cheaper than a `unit_key` tuple, and the order is the same (the key ends in the unit)."""
    return {u: i for i, u in enumerate(sorted({a.person.unit for a in people}, key=unit_key))}


def directorate_order(
    people: Iterable[Attendance],
    directorate: str,
    client_names: Mapping[str, str],
    ranks: RankTable = DEFAULT_RANK_TABLE,
) -> list[Attendance]:
    """data.md §4.3/§4.5: by satker (directorate first, completion...), then unit, then person."""
    people = list(people)
    place = {
        t.client: i
        for i, t in enumerate(
            sorted(satker_tallies(people, directorate, client_names), key=satker_key)
        )
    }
    key = people_key(people, ranks, lambda p: place[p.client])
    return sorted(people, key=key)


def people_key(
    people: Sequence[Attendance],
    ranks: RankTable = DEFAULT_RANK_TABLE,
    first: Callable[[Person], int] | None = None,
) -> Callable[[Attendance], str]:
    """The sort key of (`first`'s place, unit place, person_key) as one string, for sorting a
    recap's thousands of people in time linear in their number.

    Keys as strings, not tuples: the garbage collector tracks tuples, not strings, so a key
    tuple per person made each recap set off collections that walked every live object of
    the recap, and the text step grew faster than the staff (4.4 ms at 5,000 people, 24.1 ms
    at 20,000). Places become single characters (compared by code point as the ints were);
    person_key's texts follow, each ended by NUL, which sorts below every character a stored
    text can hold (PostgreSQL's text holds no NUL), so "ADI" still precedes "ADIT". Office
    and rank are looked up once per distinct text: thousands of people, a few dozen texts."""
    unit = unit_places(people)
    office = {p: chr(position_class(p)) for p in {a.person.position for a in people}}
    rank = {r: chr(ranks.index(r)) for r in {a.person.rank for a in people}}

    def key(a: Attendance) -> str:
        p = a.person
        head = chr(first(p)) if first is not None else ""
        return (f"{head}{chr(unit[p.unit])}{office[p.position]}{rank[p.rank]}"
                f"{p.name.casefold()}\0{p.nrp}\0{p.name}")  # fmt: skip

    return key


def percent(part: int, whole: int) -> Fraction:
    return Fraction(part, whole) if whole else Fraction(0)
