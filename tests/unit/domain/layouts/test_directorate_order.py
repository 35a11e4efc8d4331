"""directorate_order ranks units once instead of comparing unit_key tuples (issue 7); the order
must stay the one data.md §4.3/§4.5 defines: satker place, then unit_key, then person_key."""

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.attendance.ordering import person_key, satker_key, unit_key
from cicero.domain.layouts.blocks import directorate_order, satker_tallies, unit_places

from .people import row

# Prefix groups, case and spacing variants that normalise alike, and units outside every group.
UNITS = ["SAT BINMAS", "sat binmas", " SAT BINMAS", "BAG OPS", "SIUM", "SPKT", "POLSEK KOTA",
         "ZETA", "", "ALFA"]  # fmt: skip
RANKS = ["AKBP", "KOMBES", "KBP", "BRIPDA", "", "PENATA", "XYZ"]
POSITIONS = ["", "KASAT BINMAS", "PS. KANIT", "DIR", "WADIRBINMAS", "BA"]
CLIENTS = ["DIT", "POLRES_A", "POLRES_B"]

person_st = st.tuples(
    st.sampled_from(CLIENTS),
    st.sampled_from(UNITS),
    st.sampled_from(RANKS),
    st.sampled_from(POSITIONS),
    st.sampled_from(["ADI", "adi", "BUDI", "CICI"]),
    st.integers(0, 3),  # posts done of 3
    st.booleans(),  # has a handle
)


def _people(specs):
    return [
        row(f"7500{i:04d}", rank, name, unit, "h" if handle else None, done, 3,
            client=client, position=position)
        for i, (client, unit, rank, position, name, done, handle) in enumerate(specs)
    ]  # fmt: skip


@given(st.lists(person_st, max_size=30))
def test_same_order_as_the_tuple_keys(specs):
    people = _people(specs)
    names = {"DIT": "DIREKTORAT", "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}
    tallies = sorted(satker_tallies(people, "DIT", names), key=satker_key)
    place = {t.client: i for i, t in enumerate(tallies)}
    want = sorted(people, key=lambda a: (place[a.client], unit_key(a.unit), person_key(a)))
    assert directorate_order(people, "DIT", names) == want


@given(st.lists(st.sampled_from(UNITS), min_size=1))
def test_unit_places_follow_unit_key(units):
    places = unit_places(_people([("DIT", u, "", "", "ADI", 0, True) for u in units]))
    assert sorted(places, key=places.__getitem__) == sorted(set(units), key=unit_key)


# Any text a name or an nrp may hold (PostgreSQL stores no NUL; lone surrogates are not text),
# prefixes of one another, cases that fold alike.
_texts = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    max_size=6,
) | st.sampled_from(["ADI", "ADIT", "adi", "Adi", "ß", "SS", "ǅ"])
free_person_st = st.tuples(
    st.sampled_from(CLIENTS), st.sampled_from(UNITS), st.sampled_from(RANKS),
    st.sampled_from(POSITIONS), _texts, st.sampled_from(["", "1", "12", "2", "7500", "75001"]),
)  # fmt: skip


@given(st.lists(free_person_st, max_size=30))
def test_the_string_keys_order_any_names_as_the_tuple_keys(specs):
    """people_key's one-string key (no tuple per person for the garbage collector to track)
    gives the order of (satker place, unit_key, person_key) whatever the names and nrps."""
    people = [
        row(nrp, rank, name, unit, "h", 0, 3, client=client, position=position)
        for client, unit, rank, position, name, nrp in specs
    ]
    names = {"DIT": "DIREKTORAT", "POLRES_A": "POLRES A", "POLRES_B": "POLRES B"}
    tallies = sorted(satker_tallies(people, "DIT", names), key=satker_key)
    place = {t.client: i for i, t in enumerate(tallies)}
    want = sorted(people, key=lambda a: (place[a.client], unit_key(a.unit), person_key(a)))
    got = directorate_order(people, "DIT", names)
    # people equal under every key may come in either order: compare the keys' sequence
    assert [(place[a.client], unit_key(a.unit), person_key(a)) for a in got] == [
        (place[a.client], unit_key(a.unit), person_key(a)) for a in want
    ]
