"""Total orders for units, people and satkers (data.md §4.5, jobs.md §3 "Order").

Every key ends in fields that differ between distinct records, so sorting never depends on
input order (V2's NaN comparator left most lists in database order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Protocol, TypeVar

UNIT_PREFIXES = ("BAG", "SAT", "SI", "SPKT", "POLSEK")

# Matching order differs from ranking order: WADIR must be tried before DIR, KASUBDIT and
# KASUBBAG before KABAG/KASAT (which they do not start with, but order keeps it obvious).
_POSITION_MATCH = ("WADIR", "DIR", "KASUBDIT", "KASUBBAG", "KABAG", "KASAT", "KANIT")
POSITION_ORDER = ("DIR", "WADIR", "KASUBDIT", "KABAG", "KASUBBAG", "KASAT", "KANIT")
_ACTING = frozenset({"PLT", "PLH", "PJS", "PS"})

_PUNCT = re.compile(r"[^\w\s]|_")

# A recap orders thousands of people who share a few dozen units, positions and ranks: the
# text-derived parts of their keys are cached per distinct string (issue 7).
_cached = lru_cache(maxsize=4096)


def _words(text: str | None) -> list[str]:
    """Uppercase words, punctuation read as spaces (`PS. KANIT` -> PS, KANIT)."""
    return _PUNCT.sub(" ", (text or "").upper()).split()


@_cached
def _normal(text: str | None) -> str:
    return " ".join(_words(text))


@_cached
def unit_key(unit: str) -> tuple[int, str, str]:
    """BAG, SAT, SI, SPKT, POLSEK first in that order, then the rest; ties alphabetical."""
    upper = (unit or "").strip().upper()
    group = next(
        (i for i, prefix in enumerate(UNIT_PREFIXES) if upper.startswith(prefix)),
        len(UNIT_PREFIXES),
    )
    return group, upper, unit


@_cached
def position_class(position: str | None) -> int:
    """Index in POSITION_ORDER of the office a jabatan starts with; len(...) when none."""
    words = _words(position)
    if words and words[0] in _ACTING:
        words = words[1:]
    if not words:
        return len(POSITION_ORDER)
    first = words[0]
    office = next((o for o in _POSITION_MATCH if first.startswith(o)), None)
    return POSITION_ORDER.index(office) if office else len(POSITION_ORDER)


@dataclass(frozen=True)
class Rank:
    name: str
    aliases: tuple[str, ...] = ()


DEFAULT_RANKS: tuple[Rank, ...] = (
    Rank("JENDERAL POLISI"),
    Rank("KOMJEN"),
    Rank("IRJEN"),
    Rank("BRIGJEN"),
    Rank("KBP", ("KOMBES", "KOMISARIS BESAR POLISI")),
    Rank("AKBP"),
    Rank("KOMPOL"),
    Rank("AKP"),
    Rank("IPTU"),
    Rank("IPDA"),
    Rank("AIPTU"),
    Rank("AIPDA"),
    Rank("BRIPKA"),
    Rank("BRIGPOL", ("BRIGADIR", "BRIGADIR POLISI")),
    Rank("BRIPTU"),
    Rank("BRIPDA"),
    Rank("ABRIP"),
    Rank("ABRIPTU"),
    Rank("ABRIPDA"),
    Rank("BHARAKA"),
    Rank("BHARATU"),
    Rank("BHARADA"),
    Rank("PEMBINA UTAMA"),
    Rank("PEMBINA UTAMA MADYA"),
    Rank("PEMBINA UTAMA MUDA"),
    Rank("PEMBINA TINGKAT I"),
    Rank("PEMBINA"),
    Rank("PENATA TINGKAT I"),
    Rank("PENATA"),
    Rank("PENATA MUDA TINGKAT I"),
    Rank("PENATA MUDA"),
    Rank("PENGATUR TINGKAT I"),
    Rank("PENGATUR"),
    Rank("PENGATUR MUDA TINGKAT I"),
    Rank("PENGATUR MUDA"),
    Rank("JURU TINGKAT I"),
    Rank("JURU"),
    Rank("JURU MUDA TINGKAT I"),
    Rank("JURU MUDA"),
    Rank("PPPK"),
    Rank("PHL"),
)


@dataclass(frozen=True)
class RankTable:
    """The configured rank list, highest first; a spelling maps to its rank's index."""

    ranks: tuple[Rank, ...] = DEFAULT_RANKS
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for i, rank in enumerate(self.ranks):
            for spelling in (rank.name, *rank.aliases):
                key = _normal(spelling)
                if key in index:
                    raise ValueError(f"rank spelling {spelling!r} listed twice")
                index[key] = i
        object.__setattr__(self, "_index", index)

    def index(self, rank: str | None) -> int:
        """Position of `rank` (any listed spelling, any case/punctuation); unknown ranks last."""
        return self._index.get(_normal(rank), len(self.ranks))


DEFAULT_RANK_TABLE = RankTable()


class Staffish(Protocol):
    """Anything with the fields people are ordered by (Person, Attendance, ...)."""

    @property
    def position(self) -> str: ...
    @property
    def rank(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def nrp(self) -> str: ...


def person_key(
    p: Staffish, ranks: RankTable = DEFAULT_RANK_TABLE
) -> tuple[int, int, str, str, str]:
    """(office, rank, name case-insensitive, nrp, name as written): a total order on staff."""
    return position_class(p.position), ranks.index(p.rank), p.name.casefold(), p.nrp, p.name


S = TypeVar("S", bound=Staffish)


def sort_people(people: Iterable[S], ranks: RankTable = DEFAULT_RANK_TABLE) -> list[S]:
    return sorted(people, key=lambda p: person_key(p, ranks))


@dataclass(frozen=True)
class SatkerTally:
    """One satker's counts in a directorate recap."""

    client: str
    name: str
    is_directorate: bool
    sudah: int
    staff: int

    @property
    def ratio(self) -> Fraction:
        return Fraction(self.sudah, self.staff) if self.staff else Fraction(0)


def satker_key(t: SatkerTally) -> tuple[bool, Fraction, int, int, str, str]:
    """Directorate first, then completion ratio, sudah, staff count (all descending), name."""
    return not t.is_directorate, -t.ratio, -t.sudah, -t.staff, t.name.upper(), t.client


def sort_satkers(tallies: Iterable[SatkerTally]) -> list[SatkerTally]:
    return sorted(tallies, key=satker_key)
