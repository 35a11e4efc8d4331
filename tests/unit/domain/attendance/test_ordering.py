import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.domain.attendance.ordering import (
    DEFAULT_RANKS,
    POSITION_ORDER,
    Rank,
    RankTable,
    SatkerTally,
    person_key,
    position_class,
    sort_people,
    sort_satkers,
    unit_key,
)
from cicero.domain.attendance.rule import Person

NONE = len(POSITION_ORDER)


def test_units_prefix_groups_then_alphabetical():
    units = ["POLSEK KOTA", "SIUM", "SAT BINMAS", "BAG OPS", "SPKT", "ZETA", "SAT LANTAS", "ALFA"]
    assert sorted(units, key=unit_key) == [
        "BAG OPS",
        "SAT BINMAS",
        "SAT LANTAS",
        "SIUM",
        "SPKT",
        "POLSEK KOTA",
        "ALFA",
        "ZETA",
    ]


def test_positions():
    assert position_class("DIRBINMAS") == POSITION_ORDER.index("DIR")
    assert position_class("WADIRBINMAS") == POSITION_ORDER.index("WADIR")
    assert position_class("KASUBDIT BINPOLMAS") == POSITION_ORDER.index("KASUBDIT")
    assert position_class("kabag ops") == POSITION_ORDER.index("KABAG")
    assert position_class("KASUBBAG RENMIN") == POSITION_ORDER.index("KASUBBAG")
    assert position_class("KASAT BINMAS") == POSITION_ORDER.index("KASAT")
    assert position_class("PS. KANIT BINMAS") == POSITION_ORDER.index("KANIT")
    assert position_class("Plt.Kasat Lantas") == POSITION_ORDER.index("KASAT")
    assert position_class("PLH KANIT") == POSITION_ORDER.index("KANIT")


def test_wakasat_is_not_kasat_and_substrings_do_not_lift():
    assert position_class("WAKASAT BINMAS") == NONE
    assert position_class("BA DIRBINMAS") == NONE  # only the first word counts
    assert position_class("BANIT") == NONE
    assert position_class("") == NONE
    assert position_class("PS") == NONE
    assert position_class("...") == NONE


def test_ranks_aliases_and_unknown_last():
    table = RankTable()
    assert table.index("KOMBES") == table.index("KBP") == table.index("Komisaris Besar Polisi")
    assert table.index("BRIGADIR") == table.index("BRIGPOL")
    assert table.index("Brigadir Polisi") == table.index("BRIGPOL")
    assert table.index("IPDA") < table.index("AIPTU")
    assert table.index("PENATA") < table.index("PENATA MUDA")
    assert table.index("JURU") < table.index("JURU MUDA")
    assert table.index("SERSAN") == table.index("") == len(DEFAULT_RANKS)
    assert table.index("PHL") == len(DEFAULT_RANKS) - 1


def test_rank_table_is_configurable():
    table = RankTable((Rank("B"), Rank("A", ("ALPHA",))))
    assert table.index("alpha") == 1 and table.index("B") == 0 and table.index("KBP") == 2


def test_rank_table_refuses_duplicates():
    with pytest.raises(ValueError, match="twice"):
        RankTable((Rank("A"), Rank("B", ("a",))))


def p(nrp, rank, name, position=""):
    return Person(nrp=nrp, client="C", name=name, rank=rank, unit="U", position=position)


def test_worked_example_b_order():
    """data.md §4.8 B, within each satker."""
    ditbinmas = [
        p("3", "BRIPKA", "C", "BANIT"),
        p("2", "AKBP", "B", "KASUBDIT BINPOLMAS"),
        p("1", "KBP", "A", "DIRBINMAS"),
    ]
    assert [x.nrp for x in sort_people(ditbinmas)] == ["1", "2", "3"]
    polres_a = [
        p("6", "AIPTU", "BAYU", "PS. KANIT BINMAS"),
        p("5", "IPDA", "JOKO", "KANIT BINPOLMAS"),
        p("4", "AKP", "SARI", "KASAT BINMAS"),
    ]
    assert [x.name for x in sort_people(polres_a)] == ["SARI", "JOKO", "BAYU"]
    polres_b = [p("8", "BRIPDA", "ZAKI", "BA SAT BINMAS"), p("7", "BRIPTU", "ADI", "BA SAT BINMAS")]
    assert [x.name for x in sort_people(polres_b)] == ["ADI", "ZAKI"]


def test_name_case_insensitive_then_nrp():
    people = [p("2", "AKP", "budi"), p("1", "AKP", "BUDI"), p("3", "AKP", "Andi")]
    assert [x.nrp for x in sort_people(people)] == ["3", "1", "2"]


def test_satkers_directorate_first_then_ratio_sudah_size_name():
    tallies = [
        SatkerTally("POLRES_B", "POLRES B", False, 1, 2),
        SatkerTally("POLRES_A", "POLRES A", False, 2, 3),
        SatkerTally("DITBINMAS", "DITBINMAS", True, 0, 3),
        SatkerTally("POLRES_C", "POLRES C", False, 2, 4),
        SatkerTally("POLRES_D", "POLRES D", False, 1, 2),
        SatkerTally("POLRES_E", "POLRES E", False, 0, 0),
    ]
    assert [t.client for t in sort_satkers(tallies)] == [
        "DITBINMAS",
        "POLRES_A",
        "POLRES_C",  # 1/2 like B and D, but more sudah
        "POLRES_B",
        "POLRES_D",
        "POLRES_E",
    ]


words = st.sampled_from(
    ["DIR", "WADIR", "KASAT", "WAKASAT", "KANIT", "PS.", "PLT", "BA", "KASUBBAG", "X", ""]
)
ranks = st.sampled_from([r.name for r in DEFAULT_RANKS[:8]] + ["KOMBES", "BRIGADIR", "??", ""])
names = st.sampled_from(["ANDI", "andi", "Budi", "BUDI", "CITRA", ""])
people = st.lists(
    st.builds(
        lambda nrp, rank, name, pos: p(nrp, rank, name, pos),
        st.integers(100000, 999999).map(str),
        ranks,
        names,
        st.lists(words, max_size=3).map(" ".join),
    ),
    max_size=25,
    unique_by=lambda x: x.nrp,
)


@settings(max_examples=150)
@given(staff=people, seed=st.randoms(use_true_random=False))
def test_people_sort_ignores_input_order(staff, seed):
    shuffled = list(staff)
    seed.shuffle(shuffled)
    assert sort_people(shuffled) == sort_people(staff)


@settings(max_examples=150)
@given(staff=people)
def test_people_key_is_antisymmetric(staff):
    for a in staff:
        for b in staff:
            if a is not b:
                assert person_key(a) != person_key(b)


@settings(max_examples=150)
@given(units=st.lists(st.text(alphabet="ABGKLOPSTI ab", max_size=8), unique=True))
def test_unit_sort_ignores_input_order(units):
    assert sorted(units, key=unit_key) == sorted(reversed(units), key=unit_key)
    keys = [unit_key(u) for u in units]
    assert len(set(keys)) == len(keys)


@settings(max_examples=150)
@given(
    tallies=st.lists(
        st.builds(
            lambda c, d, s, extra: SatkerTally(c, c.lower(), d, s, s + extra),
            st.text(alphabet="ABC_", min_size=1, max_size=4),
            st.booleans(),
            st.integers(0, 5),
            st.integers(0, 5),
        ),
        unique_by=lambda t: t.client,
        max_size=12,
    ),
    seed=st.randoms(use_true_random=False),
)
def test_satker_sort_ignores_input_order(tallies, seed):
    shuffled = list(tallies)
    seed.shuffle(shuffled)
    ordered = sort_satkers(shuffled)
    assert ordered == sort_satkers(tallies)
    flags = [t.is_directorate for t in ordered]
    assert flags == sorted(flags, reverse=True)


@settings(max_examples=100)
@given(rank=st.sampled_from([r.name for r in DEFAULT_RANKS]))
def test_unknown_rank_sorts_after_every_known_rank(rank):
    known, unknown = p("1", rank, "Z"), p("2", "SERSAN MAYOR", "A")
    assert sort_people([unknown, known]) == [known, unknown]
