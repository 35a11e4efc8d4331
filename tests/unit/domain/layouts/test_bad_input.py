"""Bad input to the recap layouts (issue 20): stored names, units and client names holding
WhatsApp's markers (`*`, `_`, `~`, backticks), emoji, newlines or nothing at all, a
directorate without satkers, a satker without staff, a person without a unit. The text must
stay well-formed WhatsApp text: the data adds no line and no marker, every bold closes on its
line, and no heading is an empty `**`."""

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cicero.domain.attendance.rule import Attendance, Person, assess
from cicero.domain.layouts import (
    amplification,
    client_recap,
    directorate_full,
    directorate_simple,
    kasat_binmas,
    satker_summary,
    tiktok_analytics,
)
from cicero.domain.layouts import posts as P
from cicero.domain.layouts.blocks import Grouping
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.people.usernames import Platform
from cicero.domain.text.wa_format import MARKERS, OTHER_SPACES, inline

AT = datetime(2026, 2, 10, 8, 20, 4, tzinfo=UTC)
CLIENTS = ("D", "S1", "S2")
IG, TT = Platform.INSTAGRAM, Platform.TIKTOK

# Characters chosen to hurt (markers, line breaks, emoji with joiners), and any other.
awkward = st.lists(
    st.one_of(
        st.sampled_from([*MARKERS, "\n", "\r", "\t", " ", "\u2028", "🚓", "👮‍♀️", "é", "-"]),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=12,
).map("".join)
staff_st = st.tuples(
    st.sampled_from(CLIENTS),
    awkward,  # unit
    awkward,  # name
    st.sampled_from(["AKP", "", "BRIPDA"]),
    st.sampled_from(["KASAT BINMAS", "", "BA"]),
    st.sampled_from([None, "a.b", "c_d"]),  # a handle (validated: never a marker pair)
    st.integers(0, 2),  # posts done of 2
    st.booleans(),  # exception
)


def people(specs, platform: Platform) -> tuple[Attendance, ...]:
    out = []
    for i, (client, unit, name, rank, position, handle, done, exc) in enumerate(specs):
        other = "x.y" if i % 2 else None
        ig, tt = (handle, other) if platform is IG else (other, handle)
        person = Person(f"75{i:06d}", client, name, rank, unit, position, ig, tt, exc)
        out.append(assess(person, handle, [f"p{k}" for k in range(done)], 2))
    return tuple(out)


def plain(specs):
    """The same staff with harmless texts (one per distinct text, so the same people share a
    unit): what the layout prints around the data."""
    token: dict[str, str] = {}
    return [
        (c, token.setdefault(u, f"UNIT{len(token)}"), f"NAMA{i}", r, pos, h, d, e)
        for i, (c, u, _, r, pos, h, d, e) in enumerate(specs)
    ]


def renderings(specs, names: dict[str, str], title: str) -> dict[str, Callable[..., str]]:
    """Each layout, rendered from `specs`, `names` (client names) and `title` (the NAMA)."""
    ig, tt = (P.ig("A1"), P.ig("B2")), (P.tiktok("own", "1"), P.tiktok("own", "2"))
    ig_people, tt_people = people(specs, IG), people(specs, TT)
    satkers = ("S1", "S2")

    def directorate(platform, grouping=Grouping.CLIENT):
        ps, who = (ig, ig_people) if platform is IG else (tt, tt_people)
        return DirectorateRecap("D", title, platform, AT, ps, who, names, grouping)

    recap = client_recap.ClientRecap(title, AT, ig, ig_people)
    return {
        "full IG": lambda: directorate_full.render(directorate(IG)),
        "full IG by unit": lambda: directorate_full.render(directorate(IG, Grouping.UNIT)),
        "full TikTok": lambda: directorate_full.render(directorate(TT)),
        "simple IG": lambda: directorate_simple.render(directorate(IG)),
        "simple TikTok": lambda: directorate_simple.render(directorate(TT)),
        "per satker IG": lambda: satker_summary.render(
            satker_summary.SatkerSummary("D", title, IG, AT, ig, ig_people, satkers, names)
        ),
        "per satker TikTok": lambda: satker_summary.render(
            satker_summary.SatkerSummary("D", title, TT, AT, tt, tt_people, satkers, names)
        ),
        "kasat IG": lambda: kasat_binmas.render(
            kasat_binmas.KasatBinmasRecap("D", title, IG, AT, ig, ig_people, satkers, names)
        ),
        "kasat TikTok": lambda: kasat_binmas.render(
            kasat_binmas.KasatBinmasRecap("D", title, TT, AT, tt, tt_people, satkers, names)
        ),
        "client likes": lambda: client_recap.render_likes(recap),
        "client comments": lambda: client_recap.render_comments(replace(recap, posts=tt,
                                                                        people=tt_people)),
        "tiktok analytics": lambda: tiktok_analytics.render(
            tiktok_analytics.TiktokAnalytics(
                title, AT, tuple(tiktok_analytics.ContentStat(p, title, 1) for p in tt), tt_people
            )
        ),
        "amplification": lambda: amplification.render(
            amplification.AmplifyRecap(
                title, AT, ig, tuple(amplification.AmplifyPerson(a, a.count) for a in ig_people)
            )
        ),
    }  # fmt: skip


def shape(text: str) -> tuple[int, Counter[str]]:
    return len(text.splitlines()), Counter(c for c in text if c in MARKERS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(staff_st, max_size=8),
    st.dictionaries(st.sampled_from(CLIENTS), awkward),
    awkward,
)
@example(specs=[], names={}, title="")  # nobody counted, no names at all
@example(  # a unit name with every marker, a satker without staff, a person without a unit
    specs=[
        ("S1", "*SAT* _BINMAS_ ~X~ `Y`", "BUDI\nTerimakasih.", "AKP", "", "a.b", 1, False),
        ("D", "", "ANI", "", "", None, 0, False),
    ],
    names={"S1": "POLRES *A*", "S2": "🚓 POLRES_B"},
    title="DIT *BINMAS*",
)
def test_data_adds_no_line_and_no_marker(specs, names, title):
    safe_names = {c: "NAMA" for c in names}
    weird = renderings(specs, names, title)
    harmless = renderings(plain(specs), safe_names, "NAMA")
    for layout, render in weird.items():
        text = render()
        assert shape(text) == shape(harmless[layout]()), layout
        for line in text.splitlines():
            assert line.count("*") % 2 == 0, (layout, line)
            assert "**" not in line, (layout, line)


@given(awkward)
def test_inline_is_one_line_without_markers(text):
    out = inline(text)
    assert out == (" ".join(text.split()).translate(str.maketrans("*_~`", "∗＿∼ˋ")) or "-")
    assert out.split() == out.split(" ") and not set(out) & set(MARKERS)


def test_the_other_spaces_are_all_that_split_on():
    """`OTHER_SPACES` lets the common name skip the work; it must hold every space but " "."""
    spaces = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert spaces.replace(" ", "") == OTHER_SPACES


def test_inline_keeps_the_words_and_drops_the_markers():
    assert inline("POLRES *A*\n_kota_ ~x~ `y`") == "POLRES ∗A∗ ＿kota＿ ∼x∼ ˋyˋ"
    assert inline(" \n\t ") == "-"
    assert inline(None, empty="") == ""
    assert inline("🚓 SAT BINMAS") == "🚓 SAT BINMAS"


def test_a_directorate_without_satkers_or_staff():
    """Nobody counted and nothing linked: each layout still says so in whole lines."""
    for layout, render in renderings([], {}, "DIT X").items():
        text = render()
        assert text and "\n\n\n" not in text, layout
